package dev.ipam.core.model;

/** Watch event type of a change. */
public enum ChangeType {
    ADDED, MODIFIED, DELETED
}
