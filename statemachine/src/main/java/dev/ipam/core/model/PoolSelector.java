package dev.ipam.core.model;

import java.util.List;
import java.util.SortedMap;

/**
 * Selects the first pool (by name) of a project whose labels match and whose family fits.
 * {@code projectRef} null means the claim's own project.
 */
public record PoolSelector(SortedMap<String, String> matchLabels, List<Requirement> matchExpressions,
                           Refs.ProjectRef projectRef) {
    public PoolSelector {
        matchLabels = Immutable.sorted(matchLabels);
        matchExpressions = Immutable.list(matchExpressions);
    }

    /** A metav1.LabelSelectorRequirement. */
    public record Requirement(String key, SelectorOperator operator, List<String> values) {
        public Requirement {
            values = Immutable.list(values);
        }
    }
}
