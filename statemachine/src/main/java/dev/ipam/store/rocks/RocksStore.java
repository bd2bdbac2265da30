package dev.ipam.store.rocks;

import dev.ipam.core.store.Batch;
import dev.ipam.core.store.Cursor;
import dev.ipam.core.store.Entry;
import dev.ipam.core.store.Overlay;
import dev.ipam.core.store.SortedMaps;
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
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Checkpoint;
import org.rocksdb.LRUCache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The daemon's {@link Store}: one RocksDB database, one column family per {@link Space}. RocksDB's
 * default comparator orders keys as unsigned bytes, which is the order {@link ReadView} promises.
 *
 * <p>A batch holds its writes in memory ({@link Overlay}): reads through it see its own writes over
 * the committed state (read-your-writes), and {@link Batch#commit()} writes them atomically as one
 * {@link WriteBatch}. The batch reads the allocator's spaces from an in-memory copy, pools and
 * projects through a bounded cache, and learns that a new claim's name or a new request id does not
 * exist from a key filter instead of the database (see {@link Hot} and {@link Absence}). Reads of the store
 * itself see committed state only and may run on any thread while a batch is open; {@link #view()}
 * pins one consistent state for a sequence of reads.
 *
 * <p>Durability: see {@link Durability}. ipamd opens its live state with {@link
 * Durability#REPLAYED_BY_CALLER}: the Raft log is the durable record, and after a crash the state
 * machine replays every entry above the applied index that was persisted in the same batch as the
 * state it describes.
 *
 * <p>Storage failures surface as {@link StorageException}: they mean the replica cannot continue.
 */
public final class RocksStore implements Store {
    /** What brings committed batches back when the process dies without closing the store. */
    public enum Durability {
        /**
         * RocksDB's write-ahead log, written (not synced) with every batch: a process that dies loses
         * nothing committed; a machine that loses power may lose the unsynced tail.
         */
        WRITE_AHEAD_LOG,
        /**
         * The caller's own log, replayed above the applied index that each batch stores (ipamd: the
         * Raft log, in {@link Space#META}). No RocksDB write-ahead log: a process that dies loses the
         * batches since the last flush of the memtables, which the caller applies again. Every flush
         * takes all column families at once (atomic flush), so the files always hold a whole prefix of
         * the batches, the applied index included; flushing one family alone could leave a claim on
         * disk without the applied index that covers it, and the replay would apply it twice. Closing
         * the store flushes. With the write-ahead log, a replica's apply thread spent about 10% of its
         * time writing it (async-profiler, one node at c=64).
         */
        REPLAYED_BY_CALLER
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RocksStore.class);
    /** Block cache shared by every column family of one database. */
    private static final long BLOCK_CACHE_BYTES = 64L * 1024 * 1024;
    /** The spaces apply reads from memory in full (see {@link Hot}). */
    static final Set<Space> MIRRORED = EnumSet.of(Space.FREE, Space.USAGE, Space.META);
    /** Bounds of the write-through cache of {@link Space#OBJECTS} point reads. */
    static final int OBJECT_CACHE_ENTRIES = 16_384;
    static final long OBJECT_CACHE_BYTES = 16L * 1024 * 1024;
    /**
     * The spaces whose point reads in a batch ask {@link Absence} first: apply mostly looks up new keys
     * there. They are also the only ones whose files carry Bloom filters, the only spaces where a read
     * of an absent key reaches RocksDB; the others are scanned, read from memory ({@link #MIRRORED}) or
     * read only at keys that exist (an audit page's entries).
     */
    static final Set<Space> FILTERED = EnumSet.of(Space.OBJECTS, Space.REQUESTS);
    /** Rows per write batch when {@link #moveOlderLayoutRows} moves an older database's rows to their families. */
    static final int LAYOUT_MOVE_BATCH_ROWS = 10_000;
    /** Level-0 files that start a compaction (RocksDB's default is 4; writes slow down at 20). */
    static final int LEVEL0_COMPACTION_TRIGGER = 8;

    static {
        RocksDB.loadLibrary();
    }

    private final Path directory;
    private final RocksDB db;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions familyOptions;
    private final ColumnFamilyOptions unfilteredFamilyOptions;
    private final LRUCache blockCache = new LRUCache(BLOCK_CACHE_BYTES);
    private final List<ColumnFamilyHandle> handles;
    private final Map<Space, ColumnFamilyHandle> families = new EnumMap<>(Space.class);
    private final WriteOptions writeOptions;
    private final Durability durability;
    private final ReadOptions readOptions = new ReadOptions();
    private final Hot hot;
    private final Absence absence;
    private boolean batchOpen;
    /** Builds each commit's batch; one batch is open at a time ({@link #batch}). */
    private final BatchRep rep = new BatchRep();
    /**
     * The writes of the batch being committed, listed by the walk that builds {@link #rep}, for the
     * in-memory copies once RocksDB has taken them: a second walk of the overlay's sorted maps was
     * 1.8% of ipamd's apply thread. Reused across commits; emptied after each, so it holds no values.
     */
    private final Written written = new Written();
    /** RocksDB's column family id of each space, by ordinal (ColumnFamilyHandle.getID is a JNI call). */
    private final int[] familyIds = new int[Space.values().length];

    private RocksStore(Path directory, Durability durability, int cacheEntries, long cacheBytes, long filterMinKeys,
                       long writeBufferBytes) {
        this.directory = directory;
        this.durability = durability;
        this.hot = new Hot(new ObjectCache(cacheEntries, cacheBytes));
        boolean ownLog = durability == Durability.WRITE_AHEAD_LOG;
        writeOptions = new WriteOptions().setDisableWAL(!ownLog);
        dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(2).setKeepLogFileNum(4).setAtomicFlush(!ownLog);
        // Bloom filters: most request-id lookups during apply are misses (new ids), answered without reading blocks.
        BlockBasedTableConfig tableConfig = new BlockBasedTableConfig().setFilterPolicy(new BloomFilter(10, false))
                .setBlockCache(blockCache);
        // LZ4, not the default Snappy: with Snappy, compaction and flush took 36-38% of a core at
        // ~8k claims/s on one node; with LZ4 22-23%, the same as no compression, at a third of the
        // uncompressed size (ops/bench-node.sh 64 20 after 90 s of warm-up, 2026-11-22).
        // Compaction starts at 8 files in level 0, not RocksDB's 4. Claims, allocations and request ids
        // have keys in no order, so each compaction out of level 0 rewrites the whole of the level it
        // merges into; twice the input per compaction halves how often that happens. 3-node clusters
        // under sustained c=256 load (ops/bench-cluster.sh, alternating): RocksDB's threads spent a
        // median 31.5 us per claim against 49 with 4; throughput and total CPU per claim did not move
        // beyond the noise (ops/README.md). Point reads rarely reach the files (ObjectCache, Absence);
        // a scan may merge 4 more level-0 files than before.
        familyOptions = new ColumnFamilyOptions().setTableFormatConfig(tableConfig)
                .setCompressionType(org.rocksdb.CompressionType.LZ4_COMPRESSION)
                .setLevel0FileNumCompactionTrigger(LEVEL0_COMPACTION_TRIGGER);
        if (writeBufferBytes > 0) {
            familyOptions.setWriteBufferSize(writeBufferBytes);
        }
        // The same without Bloom filters, for the families whose files only scans and reads of present
        // keys reach: building a filter hashes every key at each flush and compaction, and a filter
        // answers only for absent keys.
        unfilteredFamilyOptions = new ColumnFamilyOptions(familyOptions)
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(blockCache));
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, unfilteredFamilyOptions));
        for (Space space : Space.values()) {
            descriptors.add(new ColumnFamilyDescriptor(space.familyName().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    FILTERED.contains(space) ? familyOptions : unfilteredFamilyOptions));
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
            familyIds[spaces[i].ordinal()] = handles.get(i + 1).getID();
        }
        moveOlderLayoutRows();
        hot.load();
        absence = new Absence(FILTERED, this::keySnapshot, filterMinKeys, e -> LOG.warn(
                "key filters of {} not rebuilt; reads of new keys go to RocksDB until the next try", directory, e));
    }

    /**
     * Opens the database in {@code directory}, creating it (and its column families) when missing,
     * with RocksDB's write-ahead log ({@link Durability#WRITE_AHEAD_LOG}).
     */
    public static RocksStore open(Path directory) {
        return open(directory, Durability.WRITE_AHEAD_LOG);
    }

    /** Opens the database in {@code directory}, creating it when missing; see {@link Durability}. */
    public static RocksStore open(Path directory, Durability durability) {
        return new RocksStore(directory, durability, OBJECT_CACHE_ENTRIES, OBJECT_CACHE_BYTES, Absence.MIN_CAPACITY, 0);
    }

    /** Opens with memtables of {@code writeBufferBytes} each (tests: flushes happen every few batches). */
    static RocksStore open(Path directory, Durability durability, long writeBufferBytes) {
        return new RocksStore(directory, durability, OBJECT_CACHE_ENTRIES, OBJECT_CACHE_BYTES, Absence.MIN_CAPACITY,
                writeBufferBytes);
    }

    /** Opens with other bounds for the object cache (tests run it tiny, so eviction is constant). */
    static RocksStore open(Path directory, int cacheEntries, long cacheBytes) {
        return new RocksStore(directory, Durability.WRITE_AHEAD_LOG, cacheEntries, cacheBytes, Absence.MIN_CAPACITY, 0);
    }

    /** Opens with a tiny object cache and key filters sized for {@code filterMinKeys} keys (tests: rebuilt often). */
    static RocksStore open(Path directory, int cacheEntries, long cacheBytes, long filterMinKeys) {
        return new RocksStore(directory, Durability.WRITE_AHEAD_LOG, cacheEntries, cacheBytes, filterMinKeys, 0);
    }

    /**
     * Moves the rows an older database (layout 1 or 2) kept in another space to the spaces they belong
     * in now ({@link Space#moved}): each write batch puts up to {@link #LAYOUT_MOVE_BATCH_ROWS} rows in
     * their new family and deletes them from the old one, so a row is in exactly one place at every
     * instant; then every family is flushed, so the move is on disk before anything is applied on top
     * of it. A crash part way leaves the rest to the next open (without a write-ahead log, batches not
     * yet flushed are simply done again). A database of this layout has nothing to move and pays one
     * seek per kind of row.
     */
    private void moveOlderLayoutRows() {
        long movedInAll = 0;
        for (Space.Moved kind : Space.moved()) {
            ColumnFamilyHandle source = families.get(kind.from());
            ColumnFamilyHandle target = families.get(kind.to());
            byte marker = kind.marker();
            byte[] from = {marker};
            long moved = 0;
            while (from != null) {
                int rows = 0;
                byte[] last = null;
                try (WriteBatch batch = new WriteBatch(); RocksIterator it = db.newIterator(source)) {
                    for (it.seek(from); it.isValid() && rows < LAYOUT_MOVE_BATCH_ROWS; it.next()) {
                        byte[] key = it.key();
                        if (key.length == 0 || key[0] != marker) {
                            break;
                        }
                        batch.put(target, key, it.value());
                        batch.delete(source, key);
                        last = key;
                        rows++;
                    }
                    it.status();
                    if (rows > 0) {
                        db.write(writeOptions, batch);
                    }
                } catch (RocksDBException e) {
                    throw new StorageException("moving the " + kind.from().familyName() + " rows of " + directory
                            + " to " + kind.to().familyName() + " failed", e);
                }
                moved += rows;
                from = rows == LAYOUT_MOVE_BATCH_ROWS ? Arrays.copyOf(last, last.length + 1) : null;
                if (rows > 0) {
                    LOG.info("{}: moved {} rows from the {} family to {} (layout {})", directory, moved,
                            kind.from().familyName(), kind.to().familyName(), kind.layout());
                }
            }
            movedInAll += moved;
        }
        if (movedInAll > 0) {
            try (FlushOptions options = new FlushOptions().setWaitForFlush(true)) {
                db.flush(options, new ArrayList<>(families.values()));
            } catch (RocksDBException e) {
                throw new StorageException("flushing " + directory + " after moving rows to their own families failed", e);
            }
        }
    }

    /** The filters answering absent keys (tests). */
    Absence absence() {
        return absence;
    }

    /** A pinned state for building key filters, on the builder's thread. */
    private Absence.Snapshot keySnapshot() {
        Snapshot snapshot = db.getSnapshot();
        ReadOptions options = new ReadOptions().setSnapshot(snapshot).setFillCache(false);
        return new Absence.Snapshot() {
            @Override
            public long estimatedKeys(Space space) {
                try {
                    return db.getLongProperty(families.get(space), "rocksdb.estimate-num-keys");
                } catch (RocksDBException e) {
                    return 0;
                }
            }

            @Override
            public void forEachKey(Space space, Absence.KeyVisitor keys) {
                try (RocksIterator it = db.newIterator(families.get(space), options)) {
                    for (it.seekToFirst(); it.isValid(); it.next()) {
                        if (!keys.visit(it.key())) {
                            return;
                        }
                    }
                    it.status();
                } catch (RocksDBException e) {
                    throw new StorageException("reading the keys of " + space + " failed", e);
                }
            }

            @Override
            public void close() {
                options.close();
                db.releaseSnapshot(snapshot);
            }
        };
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
        return Ranges.cursor(db.newIterator(families.get(space), options), fromInclusive, toExclusive);
    }

    @Override
    public synchronized Batch batch() {
        if (batchOpen) {
            throw new IllegalStateException("a batch is already open on " + directory);
        }
        batchOpen = true;
        // Reads see the batch's own writes, then the in-memory copies, then the database.
        return new Overlay(hot, this::write, this::batchClosed);
    }

    /** A consistent read-only view of the committed state at this instant; close it when done. */
    public View view() {
        return new View(db.getSnapshot());
    }

    /**
     * Starts flushing every column family's memtable in the background and returns at once: a
     * {@link #checkpoint} coming later then has less to flush itself (it flushes on the caller's
     * thread, which for snapshots is the apply thread). A failure here is left to that checkpoint,
     * which flushes again and reports it.
     */
    public void prepareCheckpoint() {
        try (FlushOptions options = new FlushOptions().setWaitForFlush(false)) {
            db.flush(options, new ArrayList<>(families.values()));
        } catch (RocksDBException e) {
            // The checkpoint flushes and fails loudly if the storage is broken.
        }
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
        absence.close();
        for (ColumnFamilyHandle handle : handles) {
            handle.close();
        }
        if (durability == Durability.WRITE_AHEAD_LOG) {
            try {
                db.syncWal();
            } catch (RocksDBException e) {
                // Closing anyway: the Raft log replays whatever the unsynced tail held.
            }
        }
        // Without a write-ahead log, RocksDB's close writes the memtables out (its
        // avoid_flush_during_shutdown is false): a store closed cleanly reopens with nothing to replay.
        db.close();
        writeOptions.close();
        readOptions.close();
        familyOptions.close();
        unfilteredFamilyOptions.close();
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

    /**
     * Commits a batch: one {@link WriteBatch}, serialized in Java ({@link BatchRep}), then, once RocksDB
     * has taken it, the in-memory copies (a failed write leaves them describing the database).
     */
    private void write(Overlay overlay) {
        rep.clear();
        try {
            overlay.forEachWrite((space, key, value) -> {
                if (value == null) {
                    rep.delete(familyIds[space.ordinal()], key);
                } else {
                    rep.put(familyIds[space.ordinal()], key, value);
                }
                written.add(space, key, value);
            });
            try (WriteBatch batch = new WriteBatch(rep.take())) {
                db.write(writeOptions, batch);
            } catch (RocksDBException e) {
                throw new StorageException("commit failed in " + directory, e);
            }
            for (int i = 0; i < written.size; i++) {
                hot.committed(written.spaces[i], written.keys[i], written.values[i]);
            }
        } finally {
            written.clear();
        }
    }

    /** The writes of one commit, in the overlay's order (see {@link #written}). */
    private static final class Written {
        Space[] spaces = new Space[256];
        byte[][] keys = new byte[256][];
        byte[][] values = new byte[256][];
        int size;

        void add(Space space, byte[] key, byte[] value) {
            if (size == keys.length) {
                spaces = Arrays.copyOf(spaces, size * 2);
                keys = Arrays.copyOf(keys, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            spaces[size] = space;
            keys[size] = key;
            values[size] = value;
            size++;
        }

        /** Empties it; arrays grown past 4,096 rows by a large batch (a restore) are dropped. */
        void clear() {
            if (keys.length > 4096) {
                spaces = new Space[256];
                keys = new byte[256][];
                values = new byte[256][];
            } else {
                Arrays.fill(keys, 0, size, null);
                Arrays.fill(values, 0, size, null);
            }
            size = 0;
        }
    }

    /**
     * What apply reads, kept in memory so that a command costs no JNI round trip per read: the
     * allocator's spaces ({@link #MIRRORED}: free blocks, usage counters, meta) in full, loaded at
     * open and O(live blocks) in size, and a bounded write-through cache of point reads of
     * {@link Space#OBJECTS} (pools and projects are read by every claim). A point read of a
     * {@link #FILTERED} space that {@link Absence} knows to miss returns null without the database.
     * Everything else is read from the database. Used by the (single) batch thread only; committed writes reach it after
     * RocksDB has taken them, so it always equals the committed state.
     */
    private final class Hot implements ReadView {
        private final Map<Space, TreeMap<byte[], byte[]>> mirrors = new EnumMap<>(Space.class);
        private final ObjectCache objects;

        Hot(ObjectCache objects) {
            this.objects = objects;
        }

        void load() {
            for (Space space : MIRRORED) {
                TreeMap<byte[], byte[]> map = SortedMaps.newMap();
                try (Cursor cursor = RocksStore.this.scan(readOptions, space, null, null)) {
                    for (Entry entry = cursor.next(); entry != null; entry = cursor.next()) {
                        map.put(entry.key(), entry.value());
                    }
                }
                mirrors.put(space, map);
            }
        }

        void committed(Space space, byte[] key, byte[] value) {
            TreeMap<byte[], byte[]> mirror = mirrors.get(space);
            if (mirror != null) {
                if (value == null) {
                    mirror.remove(key);
                } else {
                    mirror.put(key, value);
                }
            } else if (space == Space.OBJECTS) {
                objects.put(key, value);
            }
            if (value != null) {
                absence.put(space, key);
            }
        }

        @Override
        public byte[] get(Space space, byte[] key) {
            TreeMap<byte[], byte[]> mirror = mirrors.get(space);
            if (mirror != null) {
                return mirror.get(key);
            }
            if (absence.absent(space, key)) {
                return null;
            }
            if (space != Space.OBJECTS) {
                return RocksStore.this.get(readOptions, space, key);
            }
            ObjectCache.Hit hit = objects.get(key);
            if (hit != null) {
                return hit.value();
            }
            byte[] value = RocksStore.this.get(readOptions, space, key);
            objects.put(key, value);
            return value;
        }

        @Override
        public Entry first(Space space, byte[] fromInclusive, byte[] toExclusive) {
            TreeMap<byte[], byte[]> mirror = mirrors.get(space);
            return mirror == null ? RocksStore.this.first(readOptions, space, fromInclusive, toExclusive)
                    : SortedMaps.first(mirror, fromInclusive, toExclusive);
        }

        @Override
        public Entry last(Space space, byte[] fromInclusive, byte[] toExclusive) {
            TreeMap<byte[], byte[]> mirror = mirrors.get(space);
            return mirror == null ? RocksStore.this.last(readOptions, space, fromInclusive, toExclusive)
                    : SortedMaps.last(mirror, fromInclusive, toExclusive);
        }

        @Override
        public Cursor scan(Space space, byte[] fromInclusive, byte[] toExclusive) {
            TreeMap<byte[], byte[]> mirror = mirrors.get(space);
            return mirror == null ? RocksStore.this.scan(readOptions, space, fromInclusive, toExclusive)
                    : SortedMaps.scan(mirror, fromInclusive, toExclusive);
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

        static Cursor cursor(RocksIterator it, byte[] from, byte[] to) {
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
