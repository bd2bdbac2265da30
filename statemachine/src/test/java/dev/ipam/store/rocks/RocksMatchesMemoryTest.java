package dev.ipam.store.rocks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.core.store.Batch;
import dev.ipam.core.store.Cursor;
import dev.ipam.core.store.Entry;
import dev.ipam.core.store.MemoryStore;
import dev.ipam.core.store.ReadView;
import dev.ipam.core.store.Space;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RocksStore's batch reads go through in-memory copies, a write-through cache and key filters:
 * random writes, aborted batches and reopenings, with every read compared with MemoryStore's answer,
 * in a mirrored space, the cached and filtered space, a filtered space and a space read straight
 * from the database. The filters are sized for 4 keys, so they saturate and are rebuilt on their
 * thread all through the run, while batches commit.
 */
class RocksMatchesMemoryTest {
    private static final Space[] SPACES = {Space.FREE, Space.OBJECTS, Space.REQUESTS, Space.INDEX};
    private static final int ROUNDS = 400;

    @TempDir
    Path temp;

    @Test
    void batchReadsEqualMemoryStoreReads() throws InterruptedException {
        long seed = Long.getLong("seed", System.nanoTime());
        Random random = new Random(seed);
        String context = "seed=" + seed + " (rerun with -Dseed=" + seed + ")";
        MemoryStore memory = new MemoryStore();
        RocksStore rocks = RocksStore.open(temp.resolve("db"), 8, 1024, 4);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                if (random.nextInt(50) == 0) {
                    rocks.close();
                    rocks = RocksStore.open(temp.resolve("db"), 8, 1024, 4);
                }
                boolean commit = random.nextInt(5) != 0;
                try (Batch m = memory.batch(); Batch r = rocks.batch()) {
                    int steps = 1 + random.nextInt(12);
                    for (int step = 0; step < steps; step++) {
                        Space space = SPACES[random.nextInt(SPACES.length)];
                        byte[] key = key(random);
                        switch (random.nextInt(4)) {
                            case 0 -> {
                                byte[] value = {(byte) random.nextInt(256), (byte) round};
                                m.put(space, key, value);
                                r.put(space, key, value);
                            }
                            case 1 -> {
                                m.delete(space, key);
                                r.delete(space, key);
                            }
                            default -> compareReads(m, r, space, key, key(random), context + " round=" + round);
                        }
                    }
                    if (commit) {
                        m.commit();
                        r.commit();
                    }
                }
                try (Batch m = memory.batch(); Batch r = rocks.batch()) {
                    for (Space space : SPACES) {
                        compareReads(m, r, space, key(random), key(random), context + " after round=" + round);
                        assertEquals(all(m, space), all(r, space), context + " whole " + space + " after round=" + round);
                    }
                }
            }
            // Once a build has landed, the filters answer absent keys and only those.
            rocks.absence().awaitBuild();
            long answeredBefore = rocks.absence().answered();
            try (Batch m = memory.batch(); Batch r = rocks.batch()) {
                for (Space space : new Space[] {Space.OBJECTS, Space.REQUESTS}) {
                    for (int i = 0; i < 200; i++) {
                        byte[] key = {(byte) 7, (byte) i, (byte) (i >> 8)}; // outside key()'s alphabet: never written
                        assertNull(r.get(space, key), context + " never-written key");
                        byte[] live = key(random);
                        compareReads(m, r, space, live, key(random), context + " after the filters landed");
                    }
                }
            }
            assertTrue(rocks.absence().answered() - answeredBefore >= 300,
                    "the filters answered " + (rocks.absence().answered() - answeredBefore) + " of 400 never-written keys");
        } finally {
            rocks.close();
        }
    }

    /** Keys of 1-3 bytes over a small alphabet, so prefixes, overwrites and deletes of live keys are common. */
    private static byte[] key(Random random) {
        byte[] key = new byte[1 + random.nextInt(3)];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (random.nextInt(4) * 85);
        }
        return key;
    }

    private static void compareReads(ReadView m, ReadView r, Space space, byte[] a, byte[] b, String context) {
        byte[] expected = m.get(space, a);
        byte[] actual = r.get(space, a);
        if (expected == null) {
            assertNull(actual, context + " get");
        } else {
            assertArrayEquals(expected, actual, context + " get");
        }
        byte[] from = java.util.Arrays.compareUnsigned(a, b) <= 0 ? a : b;
        byte[] to = from == a ? b : a;
        assertEquals(text(m.first(space, from, to)), text(r.first(space, from, to)), context + " first");
        assertEquals(text(m.last(space, from, to)), text(r.last(space, from, to)), context + " last");
        assertEquals(text(m.first(space, null, to)), text(r.first(space, null, to)), context + " first from start");
        assertEquals(text(m.last(space, from, null)), text(r.last(space, from, null)), context + " last to end");
    }

    /** Every row of a space, as hex "key=value" (also RocksStoreTest's). */
    static List<String> all(ReadView view, Space space) {
        List<String> out = new ArrayList<>();
        try (Cursor cursor = view.scan(space, null, null)) {
            for (Entry entry = cursor.next(); entry != null; entry = cursor.next()) {
                out.add(text(entry));
            }
        }
        return out;
    }

    private static String text(Entry entry) {
        return entry == null ? "none" : java.util.HexFormat.of().formatHex(entry.key()) + "="
                + java.util.HexFormat.of().formatHex(entry.value());
    }
}
