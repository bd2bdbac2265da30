package dev.ipam.core.model;

public enum ConditionStatus {
    True, False, Unknown
}
