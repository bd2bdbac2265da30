package dev.ipam.client;

import dev.ipam.client.model.IPClaimSpec;
import java.util.Map;

/**
 * One claim to make: where it lives, its name, what it asks for, and the request id that makes it
 * idempotent. The id is drawn once when the request is built; reuse the same {@code ClaimRequest}
 * (or pass its id) to retry a claim whose outcome you did not learn, and it will never allocate twice.
 *
 * @param namespace the claim's namespace ({@code default} unless set)
 * @param name      the claim's name: fixed, so that a retry names the same claim
 * @param spec      what to claim
 * @param labels    labels for the claim, or null
 * @param requestId the idempotency key sent as {@code X-Request-Id}
 * @param dryRun    compute the exact block the claim would get, store nothing
 */
public record ClaimRequest(String namespace, String name, IPClaimSpec spec, Map<String, String> labels,
                           String requestId, boolean dryRun) {

    /** The namespace claims live in unless told otherwise. */
    public static final String DEFAULT_NAMESPACE = "default";

    /** Checks the fields a claim cannot do without. */
    public ClaimRequest {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("claim name is required: a fixed name is what makes a retry safe");
        }
        if (spec == null) {
            throw new IllegalArgumentException("claim " + name + ": spec is required");
        }
        if (namespace == null) {
            namespace = DEFAULT_NAMESPACE;
        }
        if (requestId == null) {
            requestId = RequestIds.next();
        }
    }

    /** A claim in the default namespace with a fresh request id. */
    public static ClaimRequest of(String name, IPClaimSpec spec) {
        return new ClaimRequest(DEFAULT_NAMESPACE, name, spec, null, null, false);
    }

    /** A copy in this namespace. */
    public ClaimRequest inNamespace(String value) {
        return new ClaimRequest(value, name, spec, labels, requestId, dryRun);
    }

    /** A copy with these labels. */
    public ClaimRequest withLabels(Map<String, String> value) {
        return new ClaimRequest(namespace, name, spec, value, requestId, dryRun);
    }

    /** A copy with this request id (to resume a claim made by an earlier process). */
    public ClaimRequest withRequestId(String value) {
        return new ClaimRequest(namespace, name, spec, labels, value, dryRun);
    }

    /** A copy that only asks what block it would get. */
    public ClaimRequest asDryRun() {
        return new ClaimRequest(namespace, name, spec, labels, requestId, true);
    }
}
