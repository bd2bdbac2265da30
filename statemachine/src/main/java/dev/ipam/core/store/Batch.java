package dev.ipam.core.store;

/**
 * A set of writes applied atomically by {@link #commit()}. Reads through a batch see its own
 * writes over the store's committed state (read-your-writes), which is what lets later commands of
 * one Raft entry see the effects of earlier ones. Closing without commit discards everything.
 */
public interface Batch extends ReadView, AutoCloseable {
    /**
     * Sets key to value. Stores may keep both arrays as they are, and hand the same arrays back to
     * reads: neither may change once given here, nor may an array a read returned ({@link Decoded}
     * relies on it).
     */
    void put(Space space, byte[] key, byte[] value);

    void delete(Space space, byte[] key);

    /** Writes everything atomically and durably enough for the store's contract; the batch is then closed. */
    void commit();

    @Override
    void close();
}
