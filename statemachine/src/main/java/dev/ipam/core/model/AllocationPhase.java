package dev.ipam.core.model;

/** Phase of an IPAllocation (always Ready once stored). */
public enum AllocationPhase {
    Pending, Ready, Exhausted, Error
}
