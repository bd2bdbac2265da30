package dev.ipam.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link Store} must do. Subclass it with the implementation under test: {@link #newStore}
 * opens (or reopens) a store in a directory; in-memory stores may ignore the directory but must
 * honour {@link Store#checkpoint} by restoring the same state from {@code newStore(checkpointDir)}.
 */
public abstract class StoreContract {
    @TempDir
    protected Path temp;

    private Store store;

    /** Opens a store backed by {@code dir}; an existing store's state there must be restored. */
    protected abstract Store newStore(Path dir);

    /** Whether a store closed and opened again on the same directory keeps its committed state. */
    protected boolean durable() {
        return true;
    }

    @BeforeEach
    void open() {
        store = newStore(temp.resolve("store"));
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] u(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    private void commit(Space space, String... keyValues) {
        try (Batch batch = store.batch()) {
            for (int i = 0; i < keyValues.length; i += 2) {
                batch.put(space, b(keyValues[i]), b(keyValues[i + 1]));
            }
            batch.commit();
        }
    }

    private static List<String> keys(Cursor cursor) {
        List<String> keys = new ArrayList<>();
        try (cursor) {
            for (Entry e = cursor.next(); e != null; e = cursor.next()) {
                keys.add(new String(e.key(), StandardCharsets.UTF_8));
            }
        }
        return keys;
    }

    @Test
    void getReturnsCommittedValueOrNull() {
        commit(Space.OBJECTS, "a", "1");
        assertArrayEquals(b("1"), store.get(Space.OBJECTS, b("a")));
        assertNull(store.get(Space.OBJECTS, b("b")));
    }

    @Test
    void spacesAreSeparate() {
        commit(Space.OBJECTS, "a", "1");
        assertNull(store.get(Space.FREE, b("a")));
        assertNull(store.first(Space.INDEX, null, null));
    }

    @Test
    void firstAndLastRespectHalfOpenRanges() {
        commit(Space.FREE, "b", "1", "c", "2", "d", "3");
        assertEquals("b", new String(store.first(Space.FREE, null, null).key(), StandardCharsets.UTF_8));
        assertEquals("c", new String(store.first(Space.FREE, b("bb"), null).key(), StandardCharsets.UTF_8));
        assertNull(store.first(Space.FREE, b("b"), b("b")));
        assertNull(store.first(Space.FREE, b("e"), null));
        assertEquals("d", new String(store.last(Space.FREE, null, null).key(), StandardCharsets.UTF_8));
        assertEquals("c", new String(store.last(Space.FREE, null, b("d")).key(), StandardCharsets.UTF_8));
        assertEquals("c", new String(store.last(Space.FREE, b("c"), b("cc")).key(), StandardCharsets.UTF_8));
        assertNull(store.last(Space.FREE, b("c"), b("c")));
        assertNull(store.last(Space.FREE, null, b("b")));
        assertNull(store.last(Space.FREE, b("e"), null));
    }

    @Test
    void scanIsAscendingAndHalfOpen() {
        commit(Space.INDEX, "a", "", "b", "", "c", "", "d", "");
        assertEquals(List.of("b", "c"), keys(store.scan(Space.INDEX, b("b"), b("d"))));
        assertEquals(List.of("a", "b", "c", "d"), keys(store.scan(Space.INDEX, null, null)));
        assertEquals(List.of(), keys(store.scan(Space.INDEX, b("x"), null)));
    }

    @Test
    void keysCompareAsUnsignedBytes() {
        try (Batch batch = store.batch()) {
            batch.put(Space.FREE, u(0xff), b("high"));
            batch.put(Space.FREE, u(0x01), b("low"));
            batch.put(Space.FREE, u(0x80, 0x00), b("mid"));
            batch.commit();
        }
        List<byte[]> keys = new ArrayList<>();
        try (Cursor cursor = store.scan(Space.FREE, null, null)) {
            for (Entry e = cursor.next(); e != null; e = cursor.next()) {
                keys.add(e.key());
            }
        }
        assertEquals(3, keys.size());
        assertArrayEquals(u(0x01), keys.get(0));
        assertArrayEquals(u(0x80, 0x00), keys.get(1));
        assertArrayEquals(u(0xff), keys.get(2));
        assertArrayEquals(u(0xff), store.last(Space.FREE, null, null).key());
        assertArrayEquals(u(0x80, 0x00), store.first(Space.FREE, u(0x7f), null).key());
    }

    @Test
    void batchReadsItsOwnWritesOverCommittedState() {
        commit(Space.OBJECTS, "a", "1", "c", "3", "e", "5");
        try (Batch batch = store.batch()) {
            batch.put(Space.OBJECTS, b("b"), b("2"));
            batch.put(Space.OBJECTS, b("c"), b("33"));
            batch.delete(Space.OBJECTS, b("e"));
            assertArrayEquals(b("2"), batch.get(Space.OBJECTS, b("b")));
            assertArrayEquals(b("33"), batch.get(Space.OBJECTS, b("c")));
            assertNull(batch.get(Space.OBJECTS, b("e")));
            assertArrayEquals(b("1"), batch.get(Space.OBJECTS, b("a")));
            assertEquals(List.of("a", "b", "c"), keys(batch.scan(Space.OBJECTS, null, null)));
            assertEquals("c", new String(batch.last(Space.OBJECTS, null, null).key(), StandardCharsets.UTF_8));
            assertEquals("b", new String(batch.first(Space.OBJECTS, b("aa"), null).key(), StandardCharsets.UTF_8));
            Entry c = batch.last(Space.OBJECTS, b("b"), b("d"));
            assertArrayEquals(b("33"), c.value());
            // The store itself still sees only committed state.
            assertNull(store.get(Space.OBJECTS, b("b")));
            assertArrayEquals(b("5"), store.get(Space.OBJECTS, b("e")));
            batch.commit();
        }
        assertArrayEquals(b("2"), store.get(Space.OBJECTS, b("b")));
        assertArrayEquals(b("33"), store.get(Space.OBJECTS, b("c")));
        assertNull(store.get(Space.OBJECTS, b("e")));
    }

    @Test
    void closeWithoutCommitDiscards() {
        try (Batch batch = store.batch()) {
            batch.put(Space.OBJECTS, b("a"), b("1"));
        }
        assertNull(store.get(Space.OBJECTS, b("a")));
        commit(Space.OBJECTS, "b", "2");
        assertArrayEquals(b("2"), store.get(Space.OBJECTS, b("b")));
    }

    @Test
    void commitWritesEverySpaceAtOnce() {
        try (Batch batch = store.batch()) {
            batch.put(Space.OBJECTS, b("k"), b("v"));
            batch.put(Space.META, b("applied"), b("7"));
            batch.put(Space.REQUESTS, b("r1"), b("result"));
            assertNull(store.get(Space.META, b("applied")));
            batch.commit();
        }
        assertArrayEquals(b("v"), store.get(Space.OBJECTS, b("k")));
        assertArrayEquals(b("7"), store.get(Space.META, b("applied")));
        assertArrayEquals(b("result"), store.get(Space.REQUESTS, b("r1")));
    }

    @Test
    void checkpointRestoresTheSameState() {
        commit(Space.OBJECTS, "a", "1", "b", "2");
        commit(Space.FREE, "f", "x");
        Path copy = temp.resolve("checkpoint");
        store.checkpoint(copy);
        commit(Space.OBJECTS, "c", "after");
        try (Store restored = newStore(copy)) {
            assertArrayEquals(b("1"), restored.get(Space.OBJECTS, b("a")));
            assertArrayEquals(b("x"), restored.get(Space.FREE, b("f")));
            assertNull(restored.get(Space.OBJECTS, b("c")));
            assertEquals(List.of("a", "b"), keys(restored.scan(Space.OBJECTS, null, null)));
        }
    }

    @Test
    void reopenSeesCommittedState() {
        org.junit.jupiter.api.Assumptions.assumeTrue(durable(), "this store keeps nothing across close");
        commit(Space.OBJECTS, "a", "1");
        store.close();
        store = newStore(temp.resolve("store"));
        assertArrayEquals(b("1"), store.get(Space.OBJECTS, b("a")));
    }

    @Test
    void scanOfManyKeysStaysOrdered() {
        try (Batch batch = store.batch()) {
            for (int i = 999; i >= 0; i--) {
                batch.put(Space.HISTORY, new byte[] {(byte) (i >> 8), (byte) i}, new byte[0]);
            }
            batch.commit();
        }
        int count = 0;
        byte[] previous = null;
        try (Cursor cursor = store.scan(Space.HISTORY, null, null)) {
            for (Entry e = cursor.next(); e != null; e = cursor.next()) {
                if (previous != null) {
                    assertEquals(-1, Integer.signum(java.util.Arrays.compareUnsigned(previous, e.key())));
                }
                previous = e.key();
                count++;
            }
        }
        assertEquals(1000, count);
        assertNotNull(previous);
    }
}
