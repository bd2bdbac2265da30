package dev.ipam.client.model;

/**
 * One change seen by a watch: {@code type} is ADDED, MODIFIED, DELETED or BOOKMARK (a bookmark
 * only advances the resourceVersion; its object carries nothing else).
 */
public record WatchEvent<T>(String type, T object, String resourceVersion) {
    /** Event type of a new object. */
    public static final String ADDED = "ADDED";
    /** Event type of a changed object. */
    public static final String MODIFIED = "MODIFIED";
    /** Event type of a removed object (carries its last state). */
    public static final String DELETED = "DELETED";
    /** Event type of a progress marker. */
    public static final String BOOKMARK = "BOOKMARK";
    /** Event type of an error (a Status object), handled inside the client. */
    public static final String ERROR = "ERROR";
}
