package dev.ipam.store.rocks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ipam.core.store.Batch;
import dev.ipam.core.store.Space;
import dev.ipam.core.store.Store;
import dev.ipam.core.store.StoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RocksStoreTest extends StoreContract {
    @Override
    protected Store newStore(Path dir) {
        return RocksStore.open(dir);
    }

    @Test
    void viewIsPinnedToOneState() {
        try (RocksStore store = RocksStore.open(temp.resolve("pinned"))) {
            try (Batch batch = store.batch()) {
                batch.put(Space.OBJECTS, new byte[] {1}, new byte[] {1});
                batch.commit();
            }
            try (RocksStore.View view = store.view()) {
                try (Batch batch = store.batch()) {
                    batch.put(Space.OBJECTS, new byte[] {1}, new byte[] {2});
                    batch.put(Space.OBJECTS, new byte[] {2}, new byte[] {2});
                    batch.commit();
                }
                assertArrayEquals(new byte[] {1}, view.get(Space.OBJECTS, new byte[] {1}));
                assertNull(view.get(Space.OBJECTS, new byte[] {2}));
            }
            assertArrayEquals(new byte[] {2}, store.get(Space.OBJECTS, new byte[] {1}));
        }
    }

    /**
     * Snappy (RocksDB's default) cost compaction and flush half again the CPU of LZ4, and compacting
     * level 0 at 4 files (the default) rewrote the next level twice as often as at 8; see RocksStore.
     */
    @Test
    void everyColumnFamilyCompressesWithLz4AndCompactsLevel0AtEightFiles() throws Exception {
        String written = optionsWritten(temp.resolve("compression"));
        long families = written.lines().filter(line -> line.startsWith("[CFOptions ")).count();
        long lz4 = written.lines().filter(line -> line.trim().equals("compression=kLZ4Compression")).count();
        assertEquals(1 + Space.values().length, families, "default family plus one per space");
        assertEquals(families, lz4, "every family's compression");
        long trigger = written.lines().filter(line -> line.trim().equals("level0_file_num_compaction_trigger=8")).count();
        assertEquals(families, trigger, "every family's level-0 compaction trigger");
    }

    /**
     * A Bloom filter answers only for absent keys, and building one hashes every key at each flush and
     * compaction: only the families where apply looks up keys that may be absent (new names, new
     * request ids) have them.
     */
    @Test
    void onlyTheFamiliesReadForAbsentKeysHaveBloomFilters() throws Exception {
        String written = optionsWritten(temp.resolve("filters"));
        java.util.Map<String, String> policies = new java.util.HashMap<>();
        String family = null;
        for (String line : written.lines().toList()) {
            if (line.startsWith("[TableOptions/BlockBasedTable \"")) {
                family = line.substring(line.indexOf('"') + 1, line.lastIndexOf('"'));
            } else if (line.startsWith("[")) {
                family = null;
            } else if (family != null && line.trim().startsWith("filter_policy=")) {
                policies.put(family, line.trim().substring("filter_policy=".length()));
            }
        }
        assertEquals(1 + Space.values().length, policies.size(), "a filter setting per family: " + policies);
        for (Space space : Space.values()) {
            boolean filtered = space == Space.OBJECTS || space == Space.REQUESTS;
            assertEquals(filtered ? "bloomfilter:10:false" : "nullptr", policies.get(space.familyName()), space.name());
        }
        assertEquals("nullptr", policies.get("default"));
    }

    /** Opens (creating) and closes a store in {@code dir}; the options RocksDB wrote for it last. */
    private static String optionsWritten(Path dir) throws java.io.IOException {
        try (RocksStore store = RocksStore.open(dir)) {
            assertEquals(dir, store.directory());
        }
        java.util.List<Path> options;
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
            options = files.filter(f -> f.getFileName().toString().startsWith("OPTIONS-")).sorted().toList();
        }
        return java.nio.file.Files.readString(options.get(options.size() - 1));
    }

    @Test
    void prepareCheckpointFlushesInTheBackground() throws Exception {
        Path dir = temp.resolve("preflush");
        try (RocksStore store = RocksStore.open(dir)) {
            try (Batch batch = store.batch()) {
                for (int i = 0; i < 1000; i++) {
                    batch.put(Space.OBJECTS, ("k" + i).getBytes(), new byte[100]);
                }
                batch.commit();
            }
            assertEquals(0, sstFiles(dir), "a fresh database keeps its writes in the memtable");
            store.prepareCheckpoint();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> sstFiles(dir) > 0);
            assertArrayEquals(new byte[100], store.get(Space.OBJECTS, "k999".getBytes()));
        }
    }

    private static long sstFiles(Path dir) throws java.io.IOException {
        try (var files = java.nio.file.Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".sst")).count();
        }
    }

    @Test
    void onlyOneBatchAtATime() {
        try (RocksStore store = RocksStore.open(temp.resolve("single"))) {
            try (Batch first = store.batch()) {
                assertThrows(IllegalStateException.class, store::batch);
            }
            store.batch().close();
        }
    }

    /**
     * A database written by a build of layout 1 (before session 15) has the audit trail's project and
     * block rows in HISTORY; opening it moves them to their own families, in batches, values intact,
     * and a second open finds nothing to move. Without the write-ahead log, as ipamd opens it.
     */
    @Test
    void openingALayout1DatabaseMovesTheAuditTrailRowsToTheirOwnFamilies() {
        Path dir = temp.resolve("layout1");
        int projectRows = 2 * RocksStore.LAYOUT_MOVE_BATCH_ROWS + 17;
        try (RocksStore store = RocksStore.open(dir, RocksStore.Durability.REPLAYED_BY_CALLER)) {
            try (Batch batch = store.batch()) {
                batch.put(Space.HISTORY, new byte[] {'E', 1}, new byte[] {10});
                batch.put(Space.HISTORY, new byte[] {'E', 2}, new byte[] {11});
                for (int i = 0; i < projectRows; i++) {
                    batch.put(Space.HISTORY, java.nio.ByteBuffer.allocate(6).put((byte) 'P').put((byte) 'p').putInt(i).array(),
                            new byte[0]);
                }
                batch.put(Space.HISTORY, new byte[] {'A', 4, 7}, new byte[] {1, 2, 3});
                batch.put(Space.HISTORY, new byte[] {'A', 6, 9}, new byte[] {4});
                batch.put(Space.OBJECTS, new byte[] {'P', 1}, new byte[] {5});
                batch.commit();
            }
        }
        for (int open = 1; open <= 2; open++) {
            try (RocksStore store = RocksStore.open(dir, RocksStore.Durability.REPLAYED_BY_CALLER)) {
                // rows as hex key=value: 'E' 45, 'A' 41, 'P' 50, 'p' 70
                assertEquals("2 rows: 4501=0a .. 4502=0b", summary(RocksMatchesMemoryTest.all(store, Space.HISTORY)),
                        "open " + open);
                assertEquals("2 rows: 410407=010203 .. 410609=04",
                        summary(RocksMatchesMemoryTest.all(store, Space.HISTORY_BY_BLOCK)), "open " + open);
                assertEquals(projectRows + " rows: 507000000000= .. 507000004e30=",
                        summary(RocksMatchesMemoryTest.all(store, Space.HISTORY_BY_PROJECT)), "open " + open);
                assertEquals("1 rows: 5001=05 .. 5001=05", summary(RocksMatchesMemoryTest.all(store, Space.OBJECTS)),
                        "other spaces untouched");
            }
        }
    }

    /**
     * A database written by a build of layout 2 (sessions 15-18) has the request-id index rows ('i')
     * in REQUESTS with the request records ('r'); opening it moves the index rows to
     * REQUESTS_BY_INDEX, in batches, values intact, and leaves the records. A second open finds
     * nothing to move. Without the write-ahead log, as ipamd opens it.
     */
    @Test
    void openingALayout2DatabaseMovesTheRequestIndexRowsToTheirOwnFamily() {
        Path dir = temp.resolve("layout2");
        int indexRows = RocksStore.LAYOUT_MOVE_BATCH_ROWS + 5;
        try (RocksStore store = RocksStore.open(dir, RocksStore.Durability.REPLAYED_BY_CALLER)) {
            try (Batch batch = store.batch()) {
                for (int i = 0; i < indexRows; i++) {
                    batch.put(Space.REQUESTS, java.nio.ByteBuffer.allocate(13).put((byte) 'i').putLong(i).putInt(0).array(),
                            new byte[] {'q', (byte) i});
                }
                batch.put(Space.REQUESTS, new byte[] {'r', 'q', 0}, new byte[] {7});
                batch.put(Space.REQUESTS, new byte[] {'r', 'q', 1}, new byte[] {8});
                batch.commit();
            }
        }
        for (int open = 1; open <= 2; open++) {
            try (RocksStore store = RocksStore.open(dir, RocksStore.Durability.REPLAYED_BY_CALLER)) {
                // rows as hex key=value: 'r' 72, 'q' 71, 'i' 69
                assertEquals("2 rows: 727100=07 .. 727101=08", summary(RocksMatchesMemoryTest.all(store, Space.REQUESTS)),
                        "open " + open);
                assertEquals(indexRows + " rows: 69000000000000000000000000=7100 .. 69000000000000271400000000=7114",
                        summary(RocksMatchesMemoryTest.all(store, Space.REQUESTS_BY_INDEX)), "open " + open);
            }
        }
    }

    private static String summary(java.util.List<String> rows) {
        return rows.isEmpty() ? "no rows" : rows.size() + " rows: " + rows.get(0) + " .. " + rows.get(rows.size() - 1);
    }
}
