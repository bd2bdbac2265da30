package dev.ipam.core.model;

/** Phase of a pool (Ready until no free block is left: Exhausted). */
public enum PoolPhase {
    Pending, Ready, Exhausted, Error
}
