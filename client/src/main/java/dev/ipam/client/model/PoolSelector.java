package dev.ipam.client.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * Chooses a pool by labels: the first pool (by name) of the project ({@code projectRef}, or the
 * caller's own) whose labels match and whose family fits the claim.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PoolSelector(Map<String, String> matchLabels,
                           List<LabelSelectorRequirement> matchExpressions, LocalRef projectRef) {

    /** A selector on labels equal to these values, in the caller's project. */
    public static PoolSelector matching(Map<String, String> labels) {
        return new PoolSelector(labels, null, null);
    }
}
