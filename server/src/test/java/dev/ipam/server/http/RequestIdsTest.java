package dev.ipam.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestIdsTest {
    @Test
    void writeIdsAreFixedWidthHexOfTimeNodeAndCounter() {
        assertEquals("00000000000a-fedcba9876543210-000000000003",
                RequestIds.forWrite(10, 0xfedcba9876543210L, 3));
        assertEquals("ffffffffffff-ffffffffffffffff-ffffffffffff", RequestIds.forWrite(-1, -1, -1), "low digits only");
    }

    /**
     * Ids sort in the order they were made, whichever node made them: by time first (a later node's
     * random part may be smaller), then by counter, also where a decimal counter would not
     * ("9" after "10").
     */
    @Test
    void writeIdsSortInTheOrderTheyWereMade() {
        List<String> made = new ArrayList<>();
        long[] nodes = {0x7000000000000000L, 0x1000000000000000L};
        for (long ms = 1_795_000_000_000L; ms < 1_795_000_000_004L; ms++) {
            for (long node : nodes) {
                for (long counter = 8; counter <= 17; counter++) {
                    made.add(RequestIds.forWrite(ms, node, counter + ms * 100));
                }
            }
        }
        for (int i = 1; i < made.size(); i++) {
            String before = made.get(i - 1);
            String after = made.get(i);
            if (before.substring(0, 12).equals(after.substring(0, 12)) && !before.substring(13, 29).equals(after.substring(13, 29))) {
                continue; // two nodes in the same millisecond: either order
            }
            assertTrue(before.compareTo(after) < 0, before + " sorts before " + after);
        }
    }

    @Test
    void writeIdsOfOneNodeAreUnique() {
        HashSet<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertTrue(seen.add(RequestIds.forWrite()), "a repeated id");
        }
    }
}
