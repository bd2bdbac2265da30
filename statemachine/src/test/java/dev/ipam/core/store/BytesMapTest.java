package dev.ipam.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** BytesMap against TreeMap over random operations, with the tree's invariants checked as it goes. */
class BytesMapTest {
    private static byte[] randomKey(Random random, int alphabet) {
        byte[] key = new byte[random.nextInt(4)];
        for (int i = 0; i < key.length; i++) {
            // unsigned order matters: include bytes above 0x7f
            key[i] = (byte) (random.nextInt(alphabet) * (256 / alphabet));
        }
        return key;
    }

    /**
     * Keys that share long prefixes, as store keys do (kind, project, namespace, then a name): a
     * random cut of one 20-byte prefix, then 0-11 bytes from a small alphabet, so that keys longer
     * than 8 bytes differ only far in, or one is a prefix of another, which short random keys never do.
     */
    private static final byte[] SHARED = "\u0003team-alpha\u0000default\u0000".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

    private static byte[] prefixedKey(Random random, int alphabet) {
        int prefix = random.nextInt(4) == 0 ? random.nextInt(SHARED.length + 1) : SHARED.length;
        byte[] key = Arrays.copyOf(SHARED, prefix + random.nextInt(12));
        for (int i = prefix; i < key.length; i++) {
            key[i] = (byte) (random.nextInt(alphabet) * (256 / alphabet));
        }
        return key;
    }

    private static void assertSameEntry(Map.Entry<byte[], byte[]> expected, Entry actual, String what) {
        if (expected == null) {
            assertNull(actual, what);
            return;
        }
        assertArrayEquals(expected.getKey(), actual == null ? null : actual.key(), what + " key");
        assertArrayEquals(expected.getValue(), actual.value(), what + " value");
    }

    @ParameterizedTest(name = "fanout {0}")
    @ValueSource(ints = {3, 4, 5, 8, 64})
    void behavesAsATreeMap(int fanout) {
        behavesAsATreeMap(fanout, BytesMapTest::randomKey, 6);
    }

    @ParameterizedTest(name = "fanout {0}")
    @ValueSource(ints = {3, 4, 5, 8, 64})
    void behavesAsATreeMapWithSharedPrefixes(int fanout) {
        behavesAsATreeMap(fanout, BytesMapTest::prefixedKey, 3);
    }

    private void behavesAsATreeMap(int fanout, java.util.function.BiFunction<Random, Integer, byte[]> keys, int alphabet) {
        long seed = Long.getLong("bytesmap.seed", 20261122L + fanout);
        Random random = new Random(seed);
        BytesMap map = new BytesMap(fanout);
        TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
        for (int step = 0; step < 60_000; step++) {
            String where = "seed " + seed + " step " + step;
            // phases that grow, churn and drain, so merges and borrows happen at every level
            int phase = (step / 5_000) % 3;
            int putPercent = phase == 0 ? 80 : phase == 1 ? 50 : 15;
            byte[] key = keys.apply(random, alphabet);
            if (random.nextInt(100) < putPercent) {
                byte[] value = {(byte) step, (byte) (step >> 8)};
                assertArrayEquals(model.put(key, value), map.put(key, value), where + " put");
            } else {
                assertArrayEquals(model.remove(key), map.remove(key), where + " remove");
            }
            assertEquals(model.size(), map.size(), where + " size");
            byte[] probe = keys.apply(random, alphabet);
            assertArrayEquals(model.get(probe), map.get(probe), where + " get");
            byte[] found = keys.apply(random, alphabet); // find also sets a finger that later steps use
            assertArrayEquals(model.get(found), map.find(found), where + " find");
            assertSameEntry(model.ceilingEntry(probe), map.ceiling(probe), where + " ceiling");
            assertSameEntry(model.higherEntry(probe), map.higher(probe), where + " higher");
            assertSameEntry(model.lowerEntry(probe), map.lower(probe), where + " lower");
            assertSameEntry(model.firstEntry(), map.first(), where + " first");
            assertSameEntry(model.lastEntry(), map.last(), where + " last");
            if (step % 97 == 0) {
                map.check();
                byte[] from = random.nextInt(4) == 0 ? null : keys.apply(random, alphabet);
                byte[] to = random.nextInt(4) == 0 ? null : keys.apply(random, alphabet);
                assertEquals(range(model, from, to), keys(map.scan(from, to)), where + " scan");
                assertEquals(describe(SortedMaps.first(model, from, to)), describe(map.first(from, to)), where + " first in range");
                assertEquals(describe(SortedMaps.last(model, from, to)), describe(map.last(from, to)), where + " last in range");
                if (from != null) {
                    Map.Entry<byte[], byte[]> after = model.higherEntry(from);
                    boolean inRange = after != null && (to == null || Arrays.compareUnsigned(after.getKey(), to) < 0);
                    assertEquals(inRange ? Arrays.toString(after.getKey()) + "=" + Arrays.toString(after.getValue()) : "none",
                            describe(map.higher(from, to)), where + " higher in range");
                }
            }
        }
        map.check();
    }

    @Test
    void appendsAndDrainsInOrder() {
        BytesMap map = new BytesMap(4);
        for (int i = 0; i < 10_000; i++) {
            map.put(new byte[] {(byte) (i >> 8), (byte) i}, new byte[] {1});
        }
        map.check();
        assertEquals(10_000, keys(map.scan(null, null)).size());
        for (int i = 0; i < 10_000; i++) {
            assertArrayEquals(new byte[] {1}, map.remove(new byte[] {(byte) (i >> 8), (byte) i}));
            if (i % 500 == 0) {
                map.check();
            }
        }
        map.check();
        assertEquals(0, map.size());
        assertNull(map.first());
        assertNull(map.last());
        assertNull(map.scan(null, null).next());
    }

    @Test
    void refusesNulls() {
        BytesMap map = new BytesMap();
        assertThrows(NullPointerException.class, () -> map.put(new byte[0], null));
        assertThrows(NullPointerException.class, () -> map.put(null, new byte[0]));
    }

    private static List<String> range(TreeMap<byte[], byte[]> model, byte[] from, byte[] to) {
        List<String> out = new ArrayList<>();
        for (byte[] key : SortedMaps.range(model, from, to).keySet()) {
            out.add(Arrays.toString(key));
        }
        return out;
    }

    private static String describe(Entry entry) {
        return entry == null ? "none" : Arrays.toString(entry.key()) + "=" + Arrays.toString(entry.value());
    }

    private static List<String> keys(Cursor cursor) {
        List<String> out = new ArrayList<>();
        for (Entry e = cursor.next(); e != null; e = cursor.next()) {
            out.add(Arrays.toString(e.key()));
        }
        return out;
    }
}
