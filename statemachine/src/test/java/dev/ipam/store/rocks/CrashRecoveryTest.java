package dev.ipam.store.rocks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.core.store.Batch;
import dev.ipam.core.store.Space;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RocksStore.Durability#REPLAYED_BY_CALLER}: without RocksDB's write-ahead log, a process that
 * dies keeps exactly a prefix of its committed batches, the applied index of that prefix included,
 * so that replaying the caller's log above that index rebuilds the rest with nothing applied twice.
 *
 * <p>A child JVM commits numbered batches with memtables of {@link #WRITE_BUFFER_BYTES}, so flushes
 * happen every few dozen batches, then halts without closing (as after SIGKILL). Each batch writes a
 * large value in {@link Space#OBJECTS} (whose memtable fills first), a small one in {@link
 * Space#HISTORY}, and its number as the applied index in {@link Space#META} (rewritten in place, so
 * that memtable alone would never fill). If a flush could take one column family without the others,
 * the objects of batches above the surviving applied index would be on disk after the crash.
 */
class CrashRecoveryTest {
    private static final long WRITE_BUFFER_BYTES = 64 * 1024;
    private static final int BATCHES = 3000;
    private static final byte[] APPLIED = "applied".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path temp;

    /**
     * The child JVM: commits args[1] batches to a store in args[0], then halts. RocksDB's library is
     * loaded from args[2] (RocksDB's own loader would leave a copy in java.io.tmpdir after a halt).
     */
    public static void main(String[] args) {
        NativeLibrary.loadFrom(Path.of(args[2])).ifPresent(reason -> {
            throw new IllegalStateException(reason);
        });
        int batches = Integer.parseInt(args[1]);
        RocksStore store = RocksStore.open(Path.of(args[0]), RocksStore.Durability.REPLAYED_BY_CALLER, WRITE_BUFFER_BYTES);
        for (int i = 1; i <= batches; i++) {
            commit(store, i);
        }
        System.out.println("committed " + batches);
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    private static void commit(RocksStore store, int i) {
        try (Batch batch = store.batch()) {
            batch.put(Space.OBJECTS, key(i), value(i, 1000));
            batch.put(Space.HISTORY, key(i), value(i, 20));
            batch.put(Space.META, APPLIED, key(i));
            batch.commit();
        }
    }

    @Test
    @Timeout(120)
    void aKilledProcessKeepsAWholePrefixOfItsBatches() throws Exception {
        Path db = temp.resolve("db");
        String out = child(db, BATCHES);
        assertTrue(out.contains("committed " + BATCHES), "child: " + out);

        try (RocksStore store = RocksStore.open(db, RocksStore.Durability.REPLAYED_BY_CALLER)) {
            byte[] appliedBytes = store.get(Space.META, APPLIED);
            assertNotNull(appliedBytes, "some flush happened: the applied index is on disk");
            int applied = ByteBuffer.wrap(appliedBytes).getInt();
            // The batches after the last flush were only in memory: the caller's log replays them.
            assertTrue(applied > 0 && applied < BATCHES, "a prefix survived and the tail was lost: applied " + applied);
            for (int i = 1; i <= BATCHES; i++) {
                byte[] object = store.get(Space.OBJECTS, key(i));
                byte[] history = store.get(Space.HISTORY, key(i));
                if (i <= applied) {
                    assertArrayEquals(value(i, 1000), object, "batch " + i + " is at or below applied " + applied);
                    assertArrayEquals(value(i, 20), history, "batch " + i + " is at or below applied " + applied);
                } else {
                    assertTrue(object == null, "batch " + i + " is above applied " + applied + " but its object survived");
                    assertTrue(history == null, "batch " + i + " is above applied " + applied + " but its history survived");
                }
            }
            // The replay: the caller applies its log above the applied index again.
            for (int i = applied + 1; i <= BATCHES; i++) {
                commit(store, i);
            }
        }
        try (RocksStore store = RocksStore.open(db, RocksStore.Durability.REPLAYED_BY_CALLER)) {
            assertEquals(BATCHES, ByteBuffer.wrap(store.get(Space.META, APPLIED)).getInt(), "a clean close flushed the replay");
            assertArrayEquals(value(BATCHES, 1000), store.get(Space.OBJECTS, key(BATCHES)));
        }
    }

    @Test
    void aCleanCloseLosesNothingWithoutAWriteAheadLog() {
        Path db = temp.resolve("closed");
        try (RocksStore store = RocksStore.open(db, RocksStore.Durability.REPLAYED_BY_CALLER)) {
            for (int i = 1; i <= 10; i++) {
                commit(store, i);
            }
        }
        try (RocksStore store = RocksStore.open(db, RocksStore.Durability.REPLAYED_BY_CALLER)) {
            assertEquals(10, ByteBuffer.wrap(store.get(Space.META, APPLIED)).getInt());
            for (int i = 1; i <= 10; i++) {
                assertArrayEquals(value(i, 1000), store.get(Space.OBJECTS, key(i)), "batch " + i);
            }
        }
    }

    private static byte[] key(int i) {
        return ByteBuffer.allocate(4).putInt(i).array();
    }

    /** {@code length} bytes that differ from batch to batch (compression cannot fold them away). */
    private static byte[] value(int i, int length) {
        byte[] value = new byte[length];
        long x = i * 0x9E3779B97F4A7C15L;
        for (int k = 0; k < length; k++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            value[k] = (byte) x;
        }
        return value;
    }

    private static String child(Path db, int batches) throws Exception {
        return ChildJvm.run(CrashRecoveryTest.class, List.of("-Xmx256m"), db.toString(), Integer.toString(batches),
                db.resolveSibling(NativeLibrary.DIRECTORY).toString());
    }
}
