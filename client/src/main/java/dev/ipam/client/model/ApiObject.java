package dev.ipam.client.model;

/** What every top-level object of the API has: a kind and metadata. */
public interface ApiObject {
    /** The object's kind, as sent by the server (IPPool, IPClaim, IPAllocation, Project). */
    String kind();

    /** The object's metadata. */
    ObjectMeta metadata();

    /** The object's name. */
    default String name() {
        return metadata() == null ? null : metadata().name();
    }
}
