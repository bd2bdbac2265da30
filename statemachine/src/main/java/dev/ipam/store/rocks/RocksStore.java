package dev.ipam.store.rocks;

import dev.ipam.core.store.Batch;
import dev.ipam.core.store.Cursor;
import dev.ipam.core.store.Entry;
import dev.ipam.core.store.ReadView;
import dev.ipam.core.store.Space;
import dev.ipam.core.store.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Checkpoint;
import org.rocksdb.LRUCache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatchWithIndex;
import org.rocksdb.WriteOptions;

/**
 * The daemon's {@link Store}: one RocksDB database, one column family per {@link Space}. RocksDB's
 * default comparator orders keys as unsigned bytes, which is the order {@link ReadView} promises.
 *
 * <p>A batch is a {@link WriteBatchWithIndex}: reads through it see its own writes over the
 * database (read-your-writes), and {@link Batch#commit()} writes it atomically. Reads of the store
 * itself see committed state only and may run on any thread while a batch is open; {@link #view()}
 * pins one consistent state for a sequence of reads.
 *
 * <p>Durability: the write-ahead log is on but not synced per write. The Raft log is the durable
 * record; after a crash the state machine replays every entry above the applied index that was
 * persisted in the same batch as the state it describes, so losing the unsynced tail is harmless.
 *
 * <p>Storage failures surface as {@link StorageException}: they mean the replica cannot continue.
 */
public final class RocksStore implements Store {
    /** Block cache shared by every column family of one database. */
    private static final long BLOCK_CACHE_BYTES = 64L * 1024 * 1024;

    static {
        RocksDB.loadLibrary();
    }

    private final Path directory;
    private final RocksDB db;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions familyOptions;
    private final LRUCache blockCache = new LRUCache(BLOCK_CACHE_BYTES);
    private final BlockBasedTableConfig tableConfig;
    private final List<ColumnFamilyHandle> handles;
    private final Map<Space, ColumnFamilyHandle> families = new EnumMap<>(Space.class);
    private final WriteOptions writeOptions = new WriteOptions();
    private final ReadOptions readOptions = new ReadOptions();
    private boolean batchOpen;

    private RocksStore(Path directory) {
        this.directory = directory;
        dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(2).setKeepLogFileNum(4);
        // Bloom filters: most request-id lookups during apply are misses (new ids), answered without reading blocks.
        tableConfig = new BlockBasedTableConfig().setFilterPolicy(new BloomFilter(10, false))
                .setBlockCache(blockCache);
        familyOptions = new ColumnFamilyOptions().setTableFormatConfig(tableConfig);
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions));
        for (Space space : Space.values()) {
            descriptors.add(new ColumnFamilyDescriptor(space.familyName().getBytes(java.nio.charset.StandardCharsets.UTF_8), familyOptions));
        }
        handles = new ArrayList<>();
        try {
            Files.createDirectories(directory);
            db = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
        } catch (RocksDBException | IOException e) {
            throw new StorageException("cannot open RocksDB at " + directory, e);
        }
        Space[] spaces = Space.values();
        for (int i = 0; i < spaces.length; i++) {
            families.put(spaces[i], handles.get(i + 1));
        }
    }

    /** Opens the database in {@code directory}, creating it (and its column families) when missing. */
    public static RocksStore open(Path directory) {
        return new RocksStore(directory);
    }

    public Path directory() {
        return directory;
    }

    @Override
    public byte[] get(Space space, byte[] key) {
        return get(readOptions, space, key);
    }

    @Override
    public Entry first(Space space, byte[] fromInclusive, byte[] toExclusive) {
        return first(readOptions, space, fromInclusive, toExclusive);
    }

    @Override
    public Entry last(Space space, byte[] fromInclusive, byte[] toExclusive) {
        return last(readOptions, space, fromInclusive, toExclusive);
    }

    @Override
    public Cursor scan(Space space, byte[] fromInclusive, byte[] toExclusive) {
        return scan(readOptions, space, fromInclusive, toExclusive);
    }

    // The reads of the store and of its pinned views differ only in their ReadOptions (snapshot or none).

    private byte[] get(ReadOptions options, Space space, byte[] key) {
        try {
            return db.get(families.get(space), options, key);
        } catch (RocksDBException e) {
            throw new StorageException("get failed in " + space, e);
        }
    }

    private Entry first(ReadOptions options, Space space, byte[] fromInclusive, byte[] toExclusive) {
        try (RocksIterator it = db.newIterator(families.get(space), options)) {
            return Ranges.first(it, fromInclusive, toExclusive);
        }
    }

    private Entry last(ReadOptions options, Space space, byte[] fromInclusive, byte[] toExclusive) {
        try (RocksIterator it = db.newIterator(families.get(space), options)) {
            return Ranges.last(it, fromInclusive, toExclusive);
        }
    }

    private Cursor scan(ReadOptions options, Space space, byte[] fromInclusive, byte[] toExclusive) {
        return Ranges.cursor(db.newIterator(families.get(space), options), null, fromInclusive, toExclusive);
    }

    @Override
    public synchronized Batch batch() {
        if (batchOpen) {
            throw new IllegalStateException("a batch is already open on " + directory);
        }
        batchOpen = true;
        return new RocksBatch();
    }

    /** A consistent read-only view of the committed state at this instant; close it when done. */
    public View view() {
        return new View(db.getSnapshot());
    }

    @Override
    public void checkpoint(Path target) {
        if (Files.exists(target)) {
            throw new IllegalArgumentException("checkpoint directory exists: " + target);
        }
        try (Checkpoint checkpoint = Checkpoint.create(db)) {
            checkpoint.createCheckpoint(target.toString());
        } catch (RocksDBException e) {
            throw new StorageException("checkpoint to " + target + " failed", e);
        }
    }

    @Override
    public void close() {
        for (ColumnFamilyHandle handle : handles) {
            handle.close();
        }
        try {
            db.syncWal();
        } catch (RocksDBException e) {
            // Closing anyway: the Raft log replays whatever the unsynced tail held.
        }
        db.close();
        writeOptions.close();
        readOptions.close();
        familyOptions.close();
        dbOptions.close();
        blockCache.close();
    }

    private synchronized void batchClosed() {
        batchOpen = false;
    }

    /** A storage failure: the replica cannot go on (the state machine halts the process). */
    public static final class StorageException extends RuntimeException {
        public StorageException(String message, Throwable cause) {
            super(message + ": " + cause.getMessage(), cause);
        }
    }

    /** Reads pinned to one RocksDB snapshot. */
    public final class View implements ReadView, AutoCloseable {
        private final Snapshot snapshot;
        private final ReadOptions options;

        private View(Snapshot snapshot) {
            this.snapshot = snapshot;
            this.options = new ReadOptions().setSnapshot(snapshot);
        }

        @Override
        public byte[] get(Space space, byte[] key) {
            return RocksStore.this.get(options, space, key);
        }

        @Override
        public Entry first(Space space, byte[] fromInclusive, byte[] toExclusive) {
            return RocksStore.this.first(options, space, fromInclusive, toExclusive);
        }

        @Override
        public Entry last(Space space, byte[] fromInclusive, byte[] toExclusive) {
            return RocksStore.this.last(options, space, fromInclusive, toExclusive);
        }

        @Override
        public Cursor scan(Space space, byte[] fromInclusive, byte[] toExclusive) {
            return RocksStore.this.scan(options, space, fromInclusive, toExclusive);
        }

        @Override
        public void close() {
            options.close();
            db.releaseSnapshot(snapshot);
        }
    }

    private final class RocksBatch implements Batch {
        private final WriteBatchWithIndex writes = new WriteBatchWithIndex(true);
        private boolean closed;

        @Override
        public byte[] get(Space space, byte[] key) {
            checkOpen();
            try {
                return writes.getFromBatchAndDB(db, families.get(space), readOptions, key);
            } catch (RocksDBException e) {
                throw new StorageException("get failed in " + space, e);
            }
        }

        @Override
        public Entry first(Space space, byte[] fromInclusive, byte[] toExclusive) {
            checkOpen();
            try (RocksIterator base = db.newIterator(families.get(space), readOptions);
                 RocksIterator it = writes.newIteratorWithBase(families.get(space), base)) {
                return Ranges.first(it, fromInclusive, toExclusive);
            }
        }

        @Override
        public Entry last(Space space, byte[] fromInclusive, byte[] toExclusive) {
            checkOpen();
            try (RocksIterator base = db.newIterator(families.get(space), readOptions);
                 RocksIterator it = writes.newIteratorWithBase(families.get(space), base)) {
                return Ranges.last(it, fromInclusive, toExclusive);
            }
        }

        @Override
        public Cursor scan(Space space, byte[] fromInclusive, byte[] toExclusive) {
            checkOpen();
            RocksIterator base = db.newIterator(families.get(space), readOptions);
            return Ranges.cursor(writes.newIteratorWithBase(families.get(space), base), base, fromInclusive, toExclusive);
        }

        @Override
        public void put(Space space, byte[] key, byte[] value) {
            checkOpen();
            try {
                writes.put(families.get(space), key, value);
            } catch (RocksDBException e) {
                throw new StorageException("put failed in " + space, e);
            }
        }

        @Override
        public void delete(Space space, byte[] key) {
            checkOpen();
            try {
                writes.delete(families.get(space), key);
            } catch (RocksDBException e) {
                throw new StorageException("delete failed in " + space, e);
            }
        }

        @Override
        public void commit() {
            checkOpen();
            try {
                db.write(writeOptions, writes);
            } catch (RocksDBException e) {
                throw new StorageException("commit failed in " + directory, e);
            } finally {
                close();
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                writes.close();
                batchClosed();
            }
        }

        private void checkOpen() {
            if (closed) {
                throw new IllegalStateException("batch is closed");
            }
        }
    }

    /** Half-open range iteration over a RocksDB iterator (keys compared as unsigned bytes). */
    private static final class Ranges {
        static Entry first(RocksIterator it, byte[] from, byte[] to) {
            if (from == null) {
                it.seekToFirst();
            } else {
                it.seek(from);
            }
            if (!it.isValid() || !below(it.key(), to)) {
                check(it);
                return null;
            }
            return new Entry(it.key(), it.value());
        }

        static Entry last(RocksIterator it, byte[] from, byte[] to) {
            if (to == null) {
                it.seekToLast();
            } else {
                it.seekForPrev(to);
                if (it.isValid() && Arrays.compareUnsigned(it.key(), to) >= 0) {
                    it.prev();
                }
            }
            if (!it.isValid() || (from != null && Arrays.compareUnsigned(it.key(), from) < 0)) {
                check(it);
                return null;
            }
            return new Entry(it.key(), it.value());
        }

        static Cursor cursor(RocksIterator it, RocksIterator base, byte[] from, byte[] to) {
            if (from == null) {
                it.seekToFirst();
            } else {
                it.seek(from);
            }
            return new Cursor() {
                private boolean closed;

                @Override
                public Entry next() {
                    if (closed || !it.isValid()) {
                        if (!closed) {
                            check(it);
                        }
                        return null;
                    }
                    byte[] key = it.key();
                    if (!below(key, to)) {
                        return null;
                    }
                    Entry entry = new Entry(key, it.value());
                    it.next();
                    return entry;
                }

                @Override
                public void close() {
                    if (!closed) {
                        closed = true;
                        it.close();
                        if (base != null) {
                            base.close();
                        }
                    }
                }
            };
        }

        private static boolean below(byte[] key, byte[] to) {
            return to == null || Arrays.compareUnsigned(key, to) < 0;
        }

        private static void check(RocksIterator it) {
            try {
                it.status();
            } catch (RocksDBException e) {
                throw new StorageException("iteration failed", e);
            }
        }
    }

    /** Deletes a directory tree (a checkpoint or a replaced database). */
    public static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
