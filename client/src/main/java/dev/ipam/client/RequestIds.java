package dev.ipam.client;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * The request ids the client sends as {@code X-Request-Id}: time-ordered UUIDs (the version 7 layout
 * of RFC 9562: 48 bits of Unix time in milliseconds, then 74 random bits). The cluster keeps every
 * write's id with its result for a while; ids that sort in the order they were made let RocksDB write
 * new ones past the old instead of rewriting the old at every compaction, which random (version 4)
 * ids cannot. Unique as a random UUID is, within each millisecond.
 */
public final class RequestIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private RequestIds() {
    }

    /** A new id, made now. */
    public static String next() {
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        return of(System.currentTimeMillis(), random).toString();
    }

    /** The version-7 UUID of {@code timeMs} and 10 random bytes (74 bits of them are used). */
    static UUID of(long timeMs, byte[] random) {
        long high = (timeMs & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | (random[0] & 0x0FL) << 8 | (random[1] & 0xFFL);
        long low = 0;
        for (int i = 2; i < 10; i++) {
            low = low << 8 | (random[i] & 0xFFL);
        }
        low = low & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L; // variant 10
        return new UUID(high, low);
    }
}
