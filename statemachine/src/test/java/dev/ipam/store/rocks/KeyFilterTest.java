package dev.ipam.store.rocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeyFilterTest {
    private static byte[] key(String prefix, int i) {
        return (prefix + i).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void neverDeniesAnAddedKeyAndRarelyAdmitsAnotherAtCapacity() {
        int capacity = 50_000;
        KeyFilter filter = new KeyFilter(capacity);
        // Keys shaped like the store's: a long shared prefix, then a counter.
        for (int i = 0; i < capacity; i++) {
            filter.add(key("c/project-a/default/claim-", i));
        }
        for (int i = 0; i < capacity; i++) {
            assertTrue(filter.mightContain(key("c/project-a/default/claim-", i)), "added key " + i + " denied");
        }
        int falsePositives = 0;
        for (int i = 0; i < 100_000; i++) {
            if (filter.mightContain(key("c/project-a/default/other-", i))) {
                falsePositives++;
            }
        }
        // 10 bits per key, 6 probes in one 512-bit block: about 1%; 2% leaves room for the blocking.
        assertTrue(falsePositives < 2_000, falsePositives + " false positives in 100,000");
        assertTrue(falsePositives > 0, "no false positive at all: the filter cannot be this small and exact");
    }

    @Test
    void countsKeysOnceAndSaturatesPastItsCapacity() {
        KeyFilter filter = new KeyFilter(1_000);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 1_000; i++) {
                filter.add(key("k", i));
            }
        }
        assertTrue(filter.added() <= 1_000 && filter.added() > 980, "re-adding counts again: " + filter.added());
        assertFalse(filter.saturated());
        for (int i = 1_000; i < 1_100; i++) {
            filter.add(key("k", i));
        }
        assertTrue(filter.saturated(), "added " + filter.added() + " of capacity " + filter.capacity());
    }

    @Test
    void sizesToAPowerOfTwoOfBlocksAndRefusesBadCapacities() {
        assertEquals(64, new KeyFilter(1).bytes());
        assertEquals(64 * 256, new KeyFilter(10_000).bytes(), "100,000 bits round up to 256 blocks");
        assertThrows(IllegalArgumentException.class, () -> new KeyFilter(0));
        assertThrows(IllegalArgumentException.class, () -> new KeyFilter(KeyFilter.MAX_CAPACITY + 1));
    }

    @Test
    void hashReachesEveryByte() {
        byte[] a = new byte[23];
        long base = KeyFilter.hash(a);
        for (int i = 0; i < a.length; i++) {
            byte[] b = a.clone();
            b[i] = 1;
            assertTrue(KeyFilter.hash(b) != base, "byte " + i + " does not change the hash");
        }
        assertTrue(KeyFilter.hash(new byte[0]) != KeyFilter.hash(new byte[1]), "length is hashed");
    }

    /** Values of the byte-at-a-time version: the 8-byte loads read the same big-endian words. */
    @Test
    void hashKeepsItsValues() {
        String[] keys = {"a", "claims/lg-1-c256-w3-17", "0123456789abcdef0123456789abcdef!"};
        long[] plain = {-4044320639661061561L, -3090237536054407629L, 7437022526600118511L};
        long[] highBit = {2431997101603326240L, -3336780463329847578L, 5119063239518930280L};
        for (int i = 0; i < keys.length; i++) {
            byte[] key = keys[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(plain[i], KeyFilter.hash(key), keys[i]);
            for (int j = 0; j < key.length; j++) {
                key[j] |= (byte) 0x80; // bytes that are negative as Java bytes
            }
            assertEquals(highBit[i], KeyFilter.hash(key), keys[i] + " with the high bits set");
        }
    }
}
