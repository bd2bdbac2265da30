package dev.ipam.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
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
