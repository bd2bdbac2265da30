package dev.ipam.core.model;

import java.util.SortedMap;

/**
 * Kubernetes object metadata. {@code namespace} is "" for cluster-scoped kinds (projects, pools).
 * {@code resourceVersion} is the Raft log index of the object's last change; {@code generation}
 * counts spec changes; times are epoch milliseconds taken from the log entry, never from a clock.
 * Labels and annotations are sorted maps (deterministic iteration and encoding); never null.
 */
public record ObjectMeta(String name, String namespace, String uid, long resourceVersion, long generation,
                         long creationTimestampMs, SortedMap<String, String> labels,
                         SortedMap<String, String> annotations) {
    public ObjectMeta {
        namespace = namespace == null ? "" : namespace;
        labels = Immutable.sorted(labels);
        annotations = Immutable.sorted(annotations);
    }

    public ObjectMeta withResourceVersion(long version) {
        return new ObjectMeta(name, namespace, uid, version, generation, creationTimestampMs, labels, annotations);
    }
}
