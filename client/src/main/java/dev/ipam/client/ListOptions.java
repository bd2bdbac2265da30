package dev.ipam.client;

import java.util.Map;

/**
 * How to list or watch: Kubernetes selectors, paging, and where to start.
 *
 * @param labelSelector   {@code tier=web,env!=prod}, or null
 * @param fieldSelector   {@code spec.poolRef.name=web}, {@code spec.ipFamily=IPv4}, {@code status.phase=Bound}, or null
 * @param limit           the most items per page (null: the server's default)
 * @param continueToken   the token of the page to read (from the previous page), or null
 * @param resourceVersion for a list, {@code "0"} reads the node's local state; for a watch, the
 *                        version to start after (null: list first, then watch from the list's version)
 */
public record ListOptions(String labelSelector, String fieldSelector, Integer limit, String continueToken,
                          String resourceVersion) {

    /** No selector, no paging: everything. */
    public static ListOptions all() {
        return new ListOptions(null, null, null, null, null);
    }

    /** Objects whose labels match the selector. */
    public static ListOptions labels(String selector) {
        return all().withLabelSelector(selector);
    }

    /** A copy with this label selector. */
    public ListOptions withLabelSelector(String selector) {
        return new ListOptions(selector, fieldSelector, limit, continueToken, resourceVersion);
    }

    /** A copy with this field selector. */
    public ListOptions withFieldSelector(String selector) {
        return new ListOptions(labelSelector, selector, limit, continueToken, resourceVersion);
    }

    /** A copy reading pages of at most this many items. */
    public ListOptions withLimit(Integer pageItemsMax) {
        return new ListOptions(labelSelector, fieldSelector, pageItemsMax, continueToken, resourceVersion);
    }

    /** A copy reading the page this token names. */
    public ListOptions withContinue(String token) {
        return new ListOptions(labelSelector, fieldSelector, limit, token, resourceVersion);
    }

    /** A copy at this resourceVersion. */
    public ListOptions withResourceVersion(String version) {
        return new ListOptions(labelSelector, fieldSelector, limit, continueToken, version);
    }

    void addTo(Map<String, String> query) {
        putIfSet(query, "labelSelector", labelSelector);
        putIfSet(query, "fieldSelector", fieldSelector);
        if (limit != null) {
            query.put("limit", Integer.toString(limit));
        }
        putIfSet(query, "continue", continueToken);
    }

    private static void putIfSet(Map<String, String> query, String key, String value) {
        if (value != null && !value.isEmpty()) {
            query.put(key, value);
        }
    }
}
