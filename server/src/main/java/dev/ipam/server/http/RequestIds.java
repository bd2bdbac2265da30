package dev.ipam.server.http;

import java.util.concurrent.atomic.AtomicLong;

/** The request id logged with every line a request causes: the client's X-Request-Id, or a node-local one. */
final class RequestIds {
    /** A client's id is kept only if short and plain, so it cannot forge or flood log lines. */
    static final int CLIENT_ID_CHARS_MAX = 64;
    private static final AtomicLong NEXT = new AtomicLong();
    private static final String PREFIX = Long.toString(ProcessHandle.current().pid(), 36) + "-";

    private RequestIds() {
    }

    static String of(String clientId) {
        if (clientId != null && !clientId.isEmpty() && clientId.length() <= CLIENT_ID_CHARS_MAX
                && clientId.chars().allMatch(c -> c > 32 && c < 127 && c != '"' && c != '\\')) {
            return clientId;
        }
        return PREFIX + Long.toString(NEXT.incrementAndGet(), 36);
    }
}
