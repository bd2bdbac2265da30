package dev.ipam.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RequestIdsTest {
    @Test
    void idsAreVersion7UuidsCarryingTheirTime() {
        byte[] random = {(byte) 0xff, 1, (byte) 0xff, 2, 3, 4, 5, 6, 7, 8};
        UUID id = RequestIds.of(0x0123_4567_89abL, random);
        assertEquals("01234567-89ab-7f01-bf02-030405060708", id.toString());
        assertEquals(7, id.version());
        assertEquals(2, id.variant(), "RFC 9562 variant");
        UUID now = UUID.fromString(RequestIds.next());
        assertEquals(7, now.version());
        long ms = now.getMostSignificantBits() >>> 16;
        assertTrue(Math.abs(System.currentTimeMillis() - ms) < 60_000, "the id's time is now: " + ms);
    }

    /** In text, as the server keys them, ids of later milliseconds sort after earlier ones. */
    @Test
    void idsOfLaterMillisecondsSortAfter() {
        byte[] high = new byte[10];
        java.util.Arrays.fill(high, (byte) 0xff);
        byte[] low = new byte[10];
        for (long ms = 1; ms < 1L << 48; ms = ms * 3 + 1) {
            String earlier = RequestIds.of(ms - 1, high).toString();
            String later = RequestIds.of(ms, low).toString();
            assertTrue(earlier.compareTo(later) < 0, earlier + " sorts before " + later);
        }
    }

    @Test
    void idsAreUnique() {
        HashSet<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertTrue(seen.add(RequestIds.next()), "a repeated id");
        }
    }
}
