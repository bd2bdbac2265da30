package dev.ipam.server.http;

import java.util.List;

/**
 * The {@code resourceVersion}, {@code resourceVersionMatch} and {@code sendInitialEvents} parameters
 * of list and watch requests, checked with Kubernetes' rules and messages (its ListOptions
 * validation): a client that sends them gets what an API server would give it, or the same
 * refusal.
 */
final class ReadVersions {
    static final String NOT_OLDER_THAN = "NotOlderThan";
    static final String EXACT = "Exact";
    /** The annotation on the BOOKMARK that ends a watch's initial events ({@code sendInitialEvents=true}). */
    static final String INITIAL_EVENTS_END = "k8s.io/initial-events-end";

    private ReadVersions() {
    }

    /**
     * The reading point of a get or a list.
     *
     * @param version the resourceVersion asked for: -1 none (a linearizable read), 0 any state
     * @param exact whether the state must be exactly that version ({@code resourceVersionMatch=Exact})
     */
    record ReadAt(long version, boolean exact) {
        /**
         * Checks the state a read found against what was asked; a version the cluster never reached
         * is refused as Kubernetes does (504, ResourceVersionTooLarge), and an exact version that is
         * not the current one is gone (410): a node keeps its current state, not a history of states.
         */
        void check(long appliedIndex) {
            if (version > 0 && appliedIndex < version) {
                throw new ApiException(504, "Timeout", "Too large resource version: " + version + ", current: "
                        + appliedIndex, List.of(new ApiException.Cause("ResourceVersionTooLarge",
                        "Too large resource version", "resourceVersion")), null, null);
            }
            if (exact && appliedIndex != version) {
                throw new ApiException(410, "Expired", "resourceVersion " + version + " is not available for an exact"
                        + " read: this node serves its current state, at " + appliedIndex + "; list with"
                        + " resourceVersionMatch=NotOlderThan (or without resourceVersionMatch)", List.of(), null, null);
            }
        }
    }

    /** The list options of a list request (no {@code watch}). */
    static ReadAt list(Exchange ex) {
        String rv = ex.param("resourceVersion");
        String match = ex.param("resourceVersionMatch");
        if (ex.param("sendInitialEvents") != null) {
            throw forbidden("sendInitialEvents", "sendInitialEvents is forbidden for list");
        }
        long version = version(rv);
        if (match != null && !match.isEmpty()) {
            if (version < 0) {
                throw forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided");
            }
            String token = ex.param("continue");
            if (token != null && !token.isEmpty()) {
                throw forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided");
            }
            if (!match.equals(EXACT) && !match.equals(NOT_OLDER_THAN)) {
                throw notSupported(match, "\"Exact\", \"NotOlderThan\", \"\"");
            }
            if (match.equals(EXACT) && version == 0) {
                throw forbidden("resourceVersionMatch", "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"");
            }
        }
        return new ReadAt(version, EXACT.equals(match));
    }

    /**
     * Where a watch starts.
     *
     * @param version the resourceVersion asked for: -1 none, 0 any
     * @param initialEvents whether the current objects come first as ADDED
     * @param endBookmark whether a BOOKMARK annotated {@link #INITIAL_EVENTS_END} follows them
     *     ({@code sendInitialEvents=true})
     */
    record WatchStart(long version, boolean initialEvents, boolean endBookmark) {
        /** Whether the starting state must be a linearizable read (not resourceVersion=0). */
        boolean linearizable() {
            return version != 0;
        }
    }

    /** The list options of a watch request. */
    static WatchStart watch(Exchange ex, boolean bookmarks) {
        long version = version(ex.param("resourceVersion"));
        String match = ex.param("resourceVersionMatch");
        boolean matchGiven = match != null && !match.isEmpty();
        Boolean send = bool(ex.param("sendInitialEvents"), "sendInitialEvents");
        if (send != null && !NOT_OLDER_THAN.equals(match)) {
            throw forbidden("resourceVersionMatch", "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan");
        }
        if (matchGiven) {
            if (send == null) {
                throw forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided");
            }
            String token = ex.param("continue");
            if (token != null && !token.isEmpty()) {
                throw forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided");
            }
        }
        if (Boolean.TRUE.equals(send) && !bookmarks) {
            throw forbidden("allowWatchBookmarks", "sendInitialEvents=true requires allowWatchBookmarks=true: the end of the"
                    + " initial events is a bookmark");
        }
        // Kubernetes' default: the current objects first when watching from no version or from 0.
        boolean initial = send != null ? send : version <= 0;
        return new WatchStart(version, initial, Boolean.TRUE.equals(send));
    }

    /** -1 for none, else the version; a value that is not a version is refused naming the parameter. */
    static long version(String text) {
        if (text == null || text.isEmpty()) {
            return -1;
        }
        try {
            long value = Long.parseLong(text);
            if (value < 0) {
                throw ApiException.badField("resourceVersion", "resourceVersion must not be negative: " + text);
            }
            return value;
        } catch (NumberFormatException e) {
            throw ApiException.badField("resourceVersion", "resourceVersion must be a log index (an integer): " + text);
        }
    }

    private static Boolean bool(String text, String name) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        return switch (text) {
            case "true", "1" -> Boolean.TRUE;
            case "false", "0" -> Boolean.FALSE;
            default -> throw ApiException.badField(name, name + " must be true or false: " + text);
        };
    }

    private static ApiException forbidden(String field, String message) {
        return invalid(new ApiException.Cause("FieldValueForbidden", "Forbidden: " + message, field),
                field + ": Forbidden: " + message);
    }

    private static ApiException notSupported(String value, String supported) {
        String message = "Unsupported value: \"" + value + "\": supported values: " + supported;
        return invalid(new ApiException.Cause("FieldValueNotSupported", message, "resourceVersionMatch"),
                "resourceVersionMatch: " + message);
    }

    private static ApiException invalid(ApiException.Cause cause, String detail) {
        return new ApiException(422, "Invalid", "ListOptions.meta.k8s.io \"\" is invalid: " + detail, List.of(cause),
                "ListOptions", "");
    }
}
