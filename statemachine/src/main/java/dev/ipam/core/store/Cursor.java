package dev.ipam.core.store;

/** Ascending iteration over a key range. Not thread-safe; close it to release native resources. */
public interface Cursor extends AutoCloseable {
    /** The next entry, or null at the end of the range. */
    Entry next();

    @Override
    void close();
}
