package dev.ipam.core.store;

import java.util.Arrays;

/**
 * A stored key as the in-memory maps hold it: the bytes plus their first 16 bytes read as two
 * big-endian longs (zero-padded), so that most comparisons in a tree walk are two long compares
 * instead of a byte-array mismatch. Orders exactly as {@link Arrays#compareUnsigned(byte[], byte[])}.
 * The array is shared, not copied.
 */
final class Key implements Comparable<Key> {
    final byte[] bytes;
    private final long p0;
    private final long p1;

    Key(byte[] bytes) {
        this.bytes = bytes;
        this.p0 = word(bytes, 0);
        this.p1 = word(bytes, 8);
    }

    private static long word(byte[] bytes, int from) {
        long value = 0;
        int end = Math.min(bytes.length, from + 8);
        for (int i = from; i < end; i++) {
            value |= (bytes[i] & 0xFFL) << (56 - 8 * (i - from));
        }
        return value;
    }

    @Override
    public int compareTo(Key other) {
        if (p0 != other.p0) {
            return Long.compareUnsigned(p0, other.p0);
        }
        if (p1 != other.p1) {
            return Long.compareUnsigned(p1, other.p1);
        }
        byte[] a = bytes;
        byte[] b = other.bytes;
        if (a.length <= 16 || b.length <= 16) {
            // equal padded prefixes and one key ends within them: it is a prefix of the other
            return Integer.compare(a.length, b.length);
        }
        return Arrays.compareUnsigned(a, 16, a.length, b, 16, b.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Key k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }
}
