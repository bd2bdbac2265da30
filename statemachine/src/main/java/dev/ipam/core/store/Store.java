package dev.ipam.core.store;

import java.nio.file.Path;

/**
 * The narrow storage interface the core runs on. Two implementations: an in-memory one for tests
 * and benchmarks, a RocksDB one for the daemon. Reads of the store itself see committed state only.
 * At most one batch is open at a time (apply is single-threaded); reads may run concurrently with it.
 */
public interface Store extends ReadView, AutoCloseable {
    /** Opens the (single) write batch. */
    Batch batch();

    /**
     * Writes a consistent, self-contained copy of the committed state into {@code directory}
     * (which must not exist), such that {@code open(directory)} of the same implementation restores it.
     */
    void checkpoint(Path directory);

    @Override
    void close();
}
