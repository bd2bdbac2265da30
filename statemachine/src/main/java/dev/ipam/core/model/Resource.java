package dev.ipam.core.model;

/** Any stored object. {@code project()} is the owning project ("" for a Project itself). */
public sealed interface Resource permits Project, IPPool, IPClaim, IPAllocation {
    Kind kind();

    String project();

    ObjectMeta metadata();
}
