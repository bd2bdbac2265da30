package dev.ipam.core.model;

/** Operators of a label selector requirement (metav1.LabelSelectorRequirement). */
public enum SelectorOperator {
    In, NotIn, Exists, DoesNotExist
}
