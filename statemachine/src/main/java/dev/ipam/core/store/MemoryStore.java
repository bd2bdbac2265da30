package dev.ipam.core.store;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The in-memory store: one sorted map per {@link Space}. Batches are {@link Overlay}s applied to the
 * maps on commit. Reads may run on other threads while a commit is in progress; they see each key
 * either before or after (a commit is not atomic to concurrent readers, which is enough for tests and
 * benchmarks). Arrays handed in or out are shared, not copied: callers must not modify them.
 */
public final class MemoryStore implements Store {
    /** The file a checkpoint directory holds (the portable {@link Export} format). */
    public static final String CHECKPOINT_FILE = "state.ipamexport";

    @SuppressWarnings("unchecked")
    private final ConcurrentSkipListMap<byte[], byte[]>[] maps = new ConcurrentSkipListMap[Space.values().length];
    private Overlay openBatch;

    public MemoryStore() {
        for (Space space : Space.values()) {
            maps[space.ordinal()] = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
        }
    }

    /** Restores a store from a directory written by {@link #checkpoint}. */
    public static MemoryStore open(Path directory) {
        MemoryStore store = new MemoryStore();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(directory.resolve(CHECKPOINT_FILE)))) {
            Export.restore(in, store);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore " + directory, e);
        }
        return store;
    }

    @Override
    public synchronized Batch batch() {
        if (openBatch != null) {
            throw new IllegalStateException("a batch is already open (apply is single-threaded)");
        }
        openBatch = new Overlay(this, this::write);
        return new Batch() {
            private final Overlay overlay = openBatch;

            @Override
            public void put(Space space, byte[] key, byte[] value) {
                overlay.put(space, key, value);
            }

            @Override
            public void delete(Space space, byte[] key) {
                overlay.delete(space, key);
            }

            @Override
            public void commit() {
                try {
                    overlay.commit();
                } finally {
                    release(overlay);
                }
            }

            @Override
            public void close() {
                overlay.close();
                release(overlay);
            }

            @Override
            public byte[] get(Space space, byte[] key) {
                return overlay.get(space, key);
            }

            @Override
            public Entry first(Space space, byte[] fromInclusive, byte[] toExclusive) {
                return overlay.first(space, fromInclusive, toExclusive);
            }

            @Override
            public Entry last(Space space, byte[] fromInclusive, byte[] toExclusive) {
                return overlay.last(space, fromInclusive, toExclusive);
            }

            @Override
            public Cursor scan(Space space, byte[] fromInclusive, byte[] toExclusive) {
                return overlay.scan(space, fromInclusive, toExclusive);
            }
        };
    }

    private synchronized void release(Overlay overlay) {
        if (openBatch == overlay) {
            openBatch = null;
        }
    }

    private void write(Overlay overlay) {
        overlay.forEachWrite((space, key, value) -> {
            if (value == null) {
                maps[space.ordinal()].remove(key);
            } else {
                maps[space.ordinal()].put(key, value);
            }
        });
    }

    /** Number of keys in a space (tests and diagnostics). */
    public int size(Space space) {
        return maps[space.ordinal()].size();
    }

    @Override
    public byte[] get(Space space, byte[] key) {
        return maps[space.ordinal()].get(key);
    }

    private ConcurrentNavigableMap<byte[], byte[]> range(Space space, byte[] from, byte[] to) {
        ConcurrentSkipListMap<byte[], byte[]> map = maps[space.ordinal()];
        if (from == null && to == null) {
            return map;
        }
        if (from == null) {
            return map.headMap(to, false);
        }
        if (to == null) {
            return map.tailMap(from, true);
        }
        if (Arrays.compareUnsigned(from, to) >= 0) {
            return new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
        }
        return map.subMap(from, true, to, false);
    }

    @Override
    public Entry first(Space space, byte[] fromInclusive, byte[] toExclusive) {
        ConcurrentSkipListMap<byte[], byte[]> map = maps[space.ordinal()];
        Map.Entry<byte[], byte[]> entry = fromInclusive == null ? map.firstEntry() : map.ceilingEntry(fromInclusive);
        if (entry == null || (toExclusive != null && Arrays.compareUnsigned(entry.getKey(), toExclusive) >= 0)) {
            return null;
        }
        return new Entry(entry.getKey(), entry.getValue());
    }

    @Override
    public Entry last(Space space, byte[] fromInclusive, byte[] toExclusive) {
        ConcurrentSkipListMap<byte[], byte[]> map = maps[space.ordinal()];
        Map.Entry<byte[], byte[]> entry = toExclusive == null ? map.lastEntry() : map.lowerEntry(toExclusive);
        if (entry == null || (fromInclusive != null && Arrays.compareUnsigned(entry.getKey(), fromInclusive) < 0)) {
            return null;
        }
        return new Entry(entry.getKey(), entry.getValue());
    }

    @Override
    public Cursor scan(Space space, byte[] fromInclusive, byte[] toExclusive) {
        Iterator<Map.Entry<byte[], byte[]>> iterator = range(space, fromInclusive, toExclusive).entrySet().iterator();
        return new Cursor() {
            @Override
            public Entry next() {
                if (!iterator.hasNext()) {
                    return null;
                }
                Map.Entry<byte[], byte[]> entry = iterator.next();
                return new Entry(entry.getKey(), entry.getValue());
            }

            @Override
            public void close() {
            }
        };
    }

    /** Writes the committed state in the portable {@link Export} format to {@code directory/state.ipamexport}. */
    @Override
    public void checkpoint(Path directory) {
        try {
            if (Files.exists(directory)) {
                throw new IllegalArgumentException("checkpoint directory exists: " + directory);
            }
            Files.createDirectories(directory);
            Path file = directory.resolve(CHECKPOINT_FILE);
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
                Export.write(this, out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint to " + directory + " failed", e);
        }
    }

    @Override
    public void close() {
    }
}
