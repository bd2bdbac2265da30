package dev.ipam.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The overlay reads its own writes over the base exactly like a plain sorted map would. */
class OverlayTest {
    static byte[] key(int value) {
        return new byte[] {(byte) (value >> 8), (byte) value};
    }

    @Test
    void readsMatchAMergedSortedMap() {
        long seed = Long.getLong("seed", 7);
        Random random = new Random(seed);
        for (int round = 0; round < 50; round++) {
            MemoryStore base = new MemoryStore();
            TreeMap<Integer, Integer> model = new TreeMap<>();
            try (Batch batch = base.batch()) {
                for (int i = 0; i < 40; i++) {
                    int k = random.nextInt(300);
                    batch.put(Space.FREE, key(k), new byte[] {(byte) i});
                    model.put(k, i);
                }
                batch.commit();
            }
            Overlay overlay = new Overlay(base);
            for (int i = 0; i < 60; i++) {
                int k = random.nextInt(300);
                if (random.nextBoolean()) {
                    overlay.put(Space.FREE, key(k), new byte[] {(byte) (100 + i)});
                    model.put(k, 100 + i);
                } else {
                    overlay.delete(Space.FREE, key(k));
                    model.remove(k);
                }
            }
            for (int q = 0; q < 100; q++) {
                int from = random.nextInt(320);
                int to = from + random.nextInt(100);
                var range = model.subMap(from, true, to, false);
                Entry first = overlay.first(Space.FREE, key(from), key(to));
                Entry last = overlay.last(Space.FREE, key(from), key(to));
                String context = "seed=" + seed + " round=" + round + " [" + from + "," + to + ")";
                if (range.isEmpty()) {
                    assertNull(first, context);
                    assertNull(last, context);
                } else {
                    assertArrayEquals(key(range.firstKey()), first.key(), context);
                    assertArrayEquals(key(range.lastKey()), last.key(), context);
                    assertEquals((byte) (int) range.get(range.firstKey()), first.value()[0], context);
                }
                List<Integer> scanned = new ArrayList<>();
                try (Cursor cursor = overlay.scan(Space.FREE, key(from), key(to))) {
                    for (Entry e = cursor.next(); e != null; e = cursor.next()) {
                        scanned.add(((e.key()[0] & 0xFF) << 8) | (e.key()[1] & 0xFF));
                    }
                }
                assertEquals(new ArrayList<>(range.keySet()), scanned, context);
                int k = random.nextInt(300);
                byte[] value = overlay.get(Space.FREE, key(k));
                assertEquals(model.containsKey(k), value != null, context + " get " + k);
            }
            assertThrows(UnsupportedOperationException.class, overlay::commit);
        }
    }

    @Test
    void memoryStoreReadsRunWhileAnotherThreadCommits() throws Exception {
        MemoryStore store = new MemoryStore();
        int commits = 3000;
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                for (int i = 1; i <= commits; i++) {
                    try (Batch batch = store.batch()) {
                        // Both keys always hold the same value within one commit.
                        batch.put(Space.OBJECTS, key(1), key(i));
                        batch.put(Space.OBJECTS, key(2), key(i));
                        batch.put(Space.FREE, key(i), new byte[0]);
                        if (i > 10) {
                            batch.delete(Space.FREE, key(i - 10));
                        }
                        batch.commit();
                    }
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        writer.start();
        long deadline = System.nanoTime() + 20_000_000_000L;
        int previous = 0;
        int reads = 0;
        while (writer.isAlive() && System.nanoTime() < deadline && reads < 10_000_000) {
            byte[] value = store.get(Space.OBJECTS, key(1));
            int seen = value == null ? 0 : ((value[0] & 0xFF) << 8) | (value[1] & 0xFF);
            assertEquals(true, seen >= previous, "values go backwards: " + seen + " after " + previous);
            previous = seen;
            int scanned = 0;
            byte[] last = null;
            try (Cursor cursor = store.scan(Space.FREE, null, null)) {
                for (Entry e = cursor.next(); e != null && scanned < 100; e = cursor.next()) {
                    assertEquals(true, last == null || Arrays.compareUnsigned(last, e.key()) < 0, "scan order");
                    last = e.key();
                    scanned++;
                }
            }
            reads++;
        }
        writer.join(20_000);
        assertNull(failure.get());
        assertEquals(false, writer.isAlive());
        assertArrayEquals(key(commits), store.get(Space.OBJECTS, key(2)));
    }

    @Test
    void memoryBatchCommitsOrDiscards() {
        MemoryStore store = new MemoryStore();
        try (Batch batch = store.batch()) {
            batch.put(Space.META, key(1), new byte[] {1});
            assertNull(store.get(Space.META, key(1)), "uncommitted writes are invisible to store reads");
            assertThrows(IllegalStateException.class, store::batch);
        }
        assertNull(store.get(Space.META, key(1)));
        try (Batch batch = store.batch()) {
            batch.put(Space.META, key(1), new byte[] {1});
            batch.commit();
        }
        assertArrayEquals(new byte[] {1}, store.get(Space.META, key(1)));
    }
}
