package dev.ipam.client.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * Kubernetes object metadata. {@code resourceVersion} is the Raft log index of the object's last
 * change; {@code namespace} is set for namespaced kinds (IPClaim, IPAllocation) only.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ObjectMeta(String name, String namespace, String uid, String resourceVersion,
                         Long generation, String creationTimestamp, String deletionTimestamp,
                         Map<String, String> labels, Map<String, String> annotations) {

    /** Metadata for a new object: only a name (and a namespace when the kind has one). */
    public static ObjectMeta named(String name, String namespace) {
        return new ObjectMeta(name, namespace, null, null, null, null, null, null, null);
    }

    /** A copy with these labels. */
    public ObjectMeta withLabels(Map<String, String> newLabels) {
        return new ObjectMeta(name, namespace, uid, resourceVersion, generation, creationTimestamp,
                deletionTimestamp, newLabels, annotations);
    }

    /** The labels, never null. */
    public Map<String, String> labelsOrEmpty() {
        return labels == null ? Map.of() : labels;
    }
}
