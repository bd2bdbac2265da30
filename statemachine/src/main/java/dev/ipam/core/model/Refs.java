package dev.ipam.core.model;

/** Small reference types shared by the kinds. */
public final class Refs {
    private Refs() {
    }

    /** A reference by name in the same scope. */
    public record LocalRef(String name) {
    }

    /** A reference to a project by name. */
    public record ProjectRef(String name) {
    }

    /** A pool by name, in the claim's project or, when {@code projectRef} is set, in that project. */
    public record PoolRef(String name, ProjectRef projectRef) {
    }

    /** An opaque reference to the object that owns a claim; kept as given. */
    public record ObjectRef(String apiGroup, String kind, String name, String namespace) {
    }
}
