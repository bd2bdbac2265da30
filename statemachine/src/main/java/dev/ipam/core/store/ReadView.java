package dev.ipam.core.store;

/**
 * Ordered key-value reads over the {@link Space}s. Keys compare as unsigned bytes.
 * Ranges are half-open: {@code [fromInclusive, toExclusive)}; a null bound means unbounded.
 */
public interface ReadView {
    /** The value at key, or null. */
    byte[] get(Space space, byte[] key);

    /** The entry with the smallest key in the range, or null. */
    Entry first(Space space, byte[] fromInclusive, byte[] toExclusive);

    /** The entry with the largest key in the range, or null. */
    Entry last(Space space, byte[] fromInclusive, byte[] toExclusive);

    /** Ascending iteration over the range; close it when done. */
    Cursor scan(Space space, byte[] fromInclusive, byte[] toExclusive);
}
