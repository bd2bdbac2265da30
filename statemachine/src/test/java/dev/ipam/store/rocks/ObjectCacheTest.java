package dev.ipam.store.rocks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ObjectCacheTest {
    @Test
    void knowsValuesAndAbsences() {
        ObjectCache cache = new ObjectCache(10, 10_000);
        assertNull(cache.get(new byte[] {1}), "an unknown key is not an answer");
        cache.put(new byte[] {1}, new byte[] {7});
        cache.put(new byte[] {2}, null);
        assertArrayEquals(new byte[] {7}, cache.get(new byte[] {1}).value(), "looked up by content, not identity");
        ObjectCache.Hit absent = cache.get(new byte[] {2});
        assertNotNull(absent, "a known absence is an answer");
        assertNull(absent.value());
        cache.put(new byte[] {1}, null);
        assertNull(cache.get(new byte[] {1}).value(), "a committed delete replaces the value");
    }

    @Test
    void evictsTheLeastRecentlyUsedBeyondTheEntryBound() {
        ObjectCache cache = new ObjectCache(2, 10_000);
        cache.put(new byte[] {1}, new byte[] {1});
        cache.put(new byte[] {2}, new byte[] {2});
        cache.get(new byte[] {1});
        cache.put(new byte[] {3}, new byte[] {3});
        assertEquals(2, cache.size());
        assertNull(cache.get(new byte[] {2}), "the least recently used entry went");
        assertNotNull(cache.get(new byte[] {1}));
        assertNotNull(cache.get(new byte[] {3}));
    }

    @Test
    void staysWithinTheByteBound() {
        ObjectCache cache = new ObjectCache(1_000, 1_000);
        for (int i = 0; i < 100; i++) {
            cache.put(new byte[] {(byte) i}, new byte[100]);
            assertTrue(cache.bytes() <= 1_000, "bytes " + cache.bytes() + " after " + (i + 1) + " puts");
        }
        assertTrue(cache.size() >= 4 && cache.size() <= 5, "about 1000/(96+1+100) entries, was " + cache.size());
        cache.put(new byte[] {0}, new byte[5_000]);
        assertNull(cache.get(new byte[] {0}), "a value above the whole bound is not kept");
        assertTrue(cache.bytes() <= 1_000);
    }

    @Test
    void refusesEmptyBounds() {
        assertThrows(IllegalArgumentException.class, () -> new ObjectCache(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ObjectCache(1, 0));
    }
}
