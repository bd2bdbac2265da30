package dev.ipam.core.store;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A batch of writes held in memory over any {@link ReadView}: reads see the batch's own writes over
 * the base (read-your-writes). Without a sink, {@link #commit()} is refused: that is a dry run,
 * whose writes are simply dropped. With a sink (how {@link MemoryStore} and RocksStore use it),
 * commit hands the writes to the sink, and closing (commit closes too, even when the sink throws)
 * tells the store the batch is over. Not thread-safe. The arrays given to put are kept, not copied.
 */
public final class Overlay implements Batch {
    /** Marks a deleted key (compared by identity). */
    private static final byte[] TOMBSTONE = new byte[0];
    /** Space.values() clones its array on every call; every command's overlay needs it twice. */
    private static final Space[] SPACES = Space.values();

    private final ReadView base;
    private final Consumer<Overlay> sink;
    private final Runnable onClose;
    @SuppressWarnings("unchecked")
    private final TreeMap<byte[], byte[]>[] writes = new TreeMap[SPACES.length];
    private boolean closed;

    /** A dry-run overlay: commit() throws UnsupportedOperationException. */
    public Overlay(ReadView base) {
        this(base, null, () -> { });
    }

    /** A store's batch: commit hands the writes to {@code sink}; {@code onClose} runs once, when it ends. */
    public Overlay(ReadView base, Consumer<Overlay> sink, Runnable onClose) {
        this.base = base;
        this.sink = sink;
        this.onClose = onClose;
    }

    /** Receives the writes of an overlay in space order, then key order; value null = delete. */
    public interface WriteVisitor {
        void write(Space space, byte[] key, byte[] value);
    }

    public void forEachWrite(WriteVisitor visitor) {
        for (Space space : SPACES) {
            TreeMap<byte[], byte[]> map = writes[space.ordinal()];
            if (map == null) {
                continue;
            }
            for (Map.Entry<byte[], byte[]> entry : map.entrySet()) {
                visitor.write(space, entry.getKey(), entry.getValue() == TOMBSTONE ? null : entry.getValue());
            }
        }
    }

    /** Number of keys written (puts and deletes). */
    public int size() {
        int size = 0;
        for (TreeMap<byte[], byte[]> map : writes) {
            size += map == null ? 0 : map.size();
        }
        return size;
    }

    private TreeMap<byte[], byte[]> map(Space space) {
        TreeMap<byte[], byte[]> map = writes[space.ordinal()];
        if (map == null) {
            map = SortedMaps.newMap();
            writes[space.ordinal()] = map;
        }
        return map;
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("batch is closed");
        }
    }

    @Override
    public void put(Space space, byte[] key, byte[] value) {
        open();
        if (value == null) {
            throw new IllegalArgumentException("null value; use delete");
        }
        map(space).put(key, value);
    }

    @Override
    public void delete(Space space, byte[] key) {
        open();
        map(space).put(key, TOMBSTONE);
    }

    @Override
    public byte[] get(Space space, byte[] key) {
        TreeMap<byte[], byte[]> map = writes[space.ordinal()];
        if (map != null) {
            byte[] value = map.get(key);
            if (value != null) {
                return value == TOMBSTONE ? null : value;
            }
        }
        return base.get(space, key);
    }

    @Override
    public Entry first(Space space, byte[] fromInclusive, byte[] toExclusive) {
        TreeMap<byte[], byte[]> map = writes[space.ordinal()];
        if (map == null || map.isEmpty()) {
            return base.first(space, fromInclusive, toExclusive);
        }
        NavigableMap<byte[], byte[]> range = SortedMaps.range(map, fromInclusive, toExclusive);
        Entry fromBase = null;
        byte[] from = fromInclusive;
        while (true) {
            Entry candidate = base.first(space, from, toExclusive);
            if (candidate == null || !range.containsKey(candidate.key())) {
                fromBase = candidate;
                break;
            }
            from = Arrays.copyOf(candidate.key(), candidate.key().length + 1);
        }
        Entry fromWrites = null;
        for (Map.Entry<byte[], byte[]> entry : range.entrySet()) {
            if (entry.getValue() != TOMBSTONE) {
                fromWrites = new Entry(entry.getKey(), entry.getValue());
                break;
            }
        }
        if (fromBase == null) {
            return fromWrites;
        }
        if (fromWrites == null) {
            return fromBase;
        }
        return Arrays.compareUnsigned(fromBase.key(), fromWrites.key()) < 0 ? fromBase : fromWrites;
    }

    @Override
    public Entry last(Space space, byte[] fromInclusive, byte[] toExclusive) {
        TreeMap<byte[], byte[]> map = writes[space.ordinal()];
        if (map == null || map.isEmpty()) {
            return base.last(space, fromInclusive, toExclusive);
        }
        NavigableMap<byte[], byte[]> range = SortedMaps.range(map, fromInclusive, toExclusive);
        Entry fromBase;
        byte[] to = toExclusive;
        while (true) {
            Entry candidate = base.last(space, fromInclusive, to);
            if (candidate == null || !range.containsKey(candidate.key())) {
                fromBase = candidate;
                break;
            }
            to = candidate.key();
        }
        Entry fromWrites = null;
        for (Map.Entry<byte[], byte[]> entry : range.descendingMap().entrySet()) {
            if (entry.getValue() != TOMBSTONE) {
                fromWrites = new Entry(entry.getKey(), entry.getValue());
                break;
            }
        }
        if (fromBase == null) {
            return fromWrites;
        }
        if (fromWrites == null) {
            return fromBase;
        }
        return Arrays.compareUnsigned(fromBase.key(), fromWrites.key()) > 0 ? fromBase : fromWrites;
    }

    @Override
    public Cursor scan(Space space, byte[] fromInclusive, byte[] toExclusive) {
        TreeMap<byte[], byte[]> map = writes[space.ordinal()];
        Cursor baseCursor = base.scan(space, fromInclusive, toExclusive);
        if (map == null || map.isEmpty()) {
            return baseCursor;
        }
        return new Merged(baseCursor, SortedMaps.range(map, fromInclusive, toExclusive).entrySet().iterator());
    }

    /** Merges the base cursor with the overlay's writes; the overlay wins on equal keys. */
    private static final class Merged implements Cursor {
        private final Cursor base;
        private final Iterator<Map.Entry<byte[], byte[]>> writes;
        private Entry nextBase;
        private Map.Entry<byte[], byte[]> nextWrite;

        Merged(Cursor base, Iterator<Map.Entry<byte[], byte[]>> writes) {
            this.base = base;
            this.writes = writes;
            this.nextBase = base.next();
            this.nextWrite = writes.hasNext() ? writes.next() : null;
        }

        @Override
        public Entry next() {
            while (true) {
                if (nextBase == null && nextWrite == null) {
                    return null;
                }
                int order = nextBase == null ? 1 : nextWrite == null ? -1
                        : Arrays.compareUnsigned(nextBase.key(), nextWrite.getKey());
                if (order < 0) {
                    Entry out = nextBase;
                    nextBase = base.next();
                    return out;
                }
                Map.Entry<byte[], byte[]> write = nextWrite;
                nextWrite = writes.hasNext() ? writes.next() : null;
                if (order == 0) {
                    nextBase = base.next();
                }
                if (write.getValue() != TOMBSTONE) {
                    return new Entry(write.getKey(), write.getValue());
                }
            }
        }

        @Override
        public void close() {
            base.close();
        }
    }

    @Override
    public void commit() {
        open();
        if (sink == null) {
            throw new UnsupportedOperationException("a dry-run overlay cannot commit");
        }
        try {
            sink.accept(this);
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            onClose.run();
        }
    }
}
