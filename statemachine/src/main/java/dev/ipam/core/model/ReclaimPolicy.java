package dev.ipam.core.model;

/** What deleting a claim does to its allocation. Default Delete. */
public enum ReclaimPolicy {
    /** The block returns to the pool and the IPAllocation is deleted. */
    Delete,
    /** The IPAllocation stays, unbound, and keeps the block until it is deleted itself. */
    Retain
}
