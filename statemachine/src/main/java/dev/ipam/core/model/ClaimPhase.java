package dev.ipam.core.model;

public enum ClaimPhase {
    Pending, Bound, Releasing, Error
}
