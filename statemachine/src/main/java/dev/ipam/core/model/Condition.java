package dev.ipam.core.model;

/** A metav1.Condition; lists of conditions are keyed by {@code type}. */
public record Condition(String type, ConditionStatus status, String reason, String message,
                        long lastTransitionTimeMs, long observedGeneration) {
}
