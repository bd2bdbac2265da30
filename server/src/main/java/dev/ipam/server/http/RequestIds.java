package dev.ipam.server.http;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request ids: the one logged with every line a request causes (the client's X-Request-Id, or a
 * node-local one), and the one a write is replicated under when the client sent none ({@link #forWrite}).
 */
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

    /** This start's random part of {@link #forWrite} ids: 64 bits, drawn once. */
    private static final long NODE = new SecureRandom().nextLong();
    private static final AtomicLong WRITES = new AtomicLong();
    private static final HexFormat HEX = HexFormat.of();

    /**
     * A new id for a write whose client sent no X-Request-Id: the time in milliseconds (12 hex
     * digits), this start's random part (16) and a counter (12), separated by '-'. Unique as the
     * random part and the counter are; the time comes first so that ids sort in the order they were
     * made, on every node: the replicated state keeps each id with its result for a while, and in
     * about ascending order RocksDB writes new ids past the old ones instead of rewriting them at
     * every compaction. No SecureRandom draw per write (a /dev/urandom read under a global lock).
     */
    static String forWrite() {
        return forWrite(System.currentTimeMillis(), NODE, WRITES.incrementAndGet());
    }

    static String forWrite(long timeMs, long node, long counter) {
        // HexFormat gives 16 digits of a long; time and counter keep their low 12
        return HEX.toHexDigits(timeMs).substring(4) + '-' + HEX.toHexDigits(node) + '-'
                + HEX.toHexDigits(counter).substring(4);
    }
}
