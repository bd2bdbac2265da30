package dev.ipam.core.store;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The in-memory store: one sorted map ({@link BytesMap}, a B+ tree) per {@link Space}. Batches are
 * {@link Overlay}s applied to the maps on commit under a write lock; reads through the store take a
 * read lock, so reads on other threads may run while apply works: a get, first or last sees a commit
 * whole; a scan re-seeks under the lock at every step (it never holds the lock between calls), so a
 * long scan may straddle commits. The batch itself reads the maps without locking: apply is
 * single-threaded and the maps only change in that same thread's commit. Arrays handed in or out are
 * shared, not copied: callers must not modify them.
 */
public final class MemoryStore implements Store {
    /** The file a checkpoint directory holds (the portable {@link Export} format). */
    public static final String CHECKPOINT_FILE = "state.ipamexport";

    private final BytesMap[] maps = new BytesMap[Space.values().length];
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** The maps without locking: what the (single) open batch reads. */
    private final ReadView unlocked = new Unlocked();
    private boolean batchOpen;

    public MemoryStore() {
        for (Space space : Space.values()) {
            maps[space.ordinal()] = new BytesMap();
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
        if (batchOpen) {
            throw new IllegalStateException("a batch is already open (apply is single-threaded)");
        }
        batchOpen = true;
        return new Overlay(unlocked, this::write, this::batchClosed);
    }

    private synchronized void batchClosed() {
        batchOpen = false;
    }

    private void write(Overlay overlay) {
        lock.writeLock().lock();
        try {
            overlay.forEachWrite((space, key, value) -> {
                if (value == null) {
                    maps[space.ordinal()].remove(key);
                } else {
                    maps[space.ordinal()].put(key, value);
                }
            });
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Number of keys in a space (tests and diagnostics). */
    public int size(Space space) {
        lock.readLock().lock();
        try {
            return maps[space.ordinal()].size();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public byte[] get(Space space, byte[] key) {
        lock.readLock().lock();
        try {
            return unlocked.get(space, key);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Entry first(Space space, byte[] fromInclusive, byte[] toExclusive) {
        lock.readLock().lock();
        try {
            return unlocked.first(space, fromInclusive, toExclusive);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Entry last(Space space, byte[] fromInclusive, byte[] toExclusive) {
        lock.readLock().lock();
        try {
            return unlocked.last(space, fromInclusive, toExclusive);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** A cursor that re-seeks past the last key under the read lock at each step. */
    @Override
    public Cursor scan(Space space, byte[] fromInclusive, byte[] toExclusive) {
        return new Cursor() {
            private byte[] last;
            private boolean done;

            @Override
            public Entry next() {
                if (done) {
                    return null;
                }
                lock.readLock().lock();
                try {
                    BytesMap map = maps[space.ordinal()];
                    Entry entry = last != null ? map.higher(last, toExclusive) : map.first(fromInclusive, toExclusive);
                    if (entry == null) {
                        done = true;
                        return null;
                    }
                    last = entry.key();
                    return entry;
                } finally {
                    lock.readLock().unlock();
                }
            }

            @Override
            public void close() {
                done = true;
            }
        };
    }

    /** Direct reads of the maps, for the batch of the (single) apply thread. */
    private final class Unlocked implements ReadView {
        @Override
        public byte[] get(Space space, byte[] key) {
            return maps[space.ordinal()].find(key); // the batch's thread is the maps' one writer
        }

        @Override
        public Entry first(Space space, byte[] fromInclusive, byte[] toExclusive) {
            return maps[space.ordinal()].first(fromInclusive, toExclusive);
        }

        @Override
        public Entry last(Space space, byte[] fromInclusive, byte[] toExclusive) {
            return maps[space.ordinal()].last(fromInclusive, toExclusive);
        }

        @Override
        public Cursor scan(Space space, byte[] fromInclusive, byte[] toExclusive) {
            return maps[space.ordinal()].scan(fromInclusive, toExclusive);
        }
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
