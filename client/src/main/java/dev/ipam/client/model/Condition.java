package dev.ipam.client.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Optional;

/** A {@code metav1.Condition}: one entry of a {@code status.conditions} list, keyed by {@code type}. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Condition(String type, String status, String reason, String message,
                        String lastTransitionTime, Long observedGeneration) {

    /** The condition of this type in the list, if present. */
    public static Optional<Condition> find(List<Condition> conditions, String type) {
        if (conditions == null) {
            return Optional.empty();
        }
        return conditions.stream().filter(c -> type.equalsIgnoreCase(c.type())).findFirst();
    }

    /** Whether the list holds a condition of this type with status {@code True}. */
    public static boolean isTrue(List<Condition> conditions, String type) {
        return find(conditions, type).map(c -> "True".equalsIgnoreCase(c.status())).orElse(false);
    }
}
