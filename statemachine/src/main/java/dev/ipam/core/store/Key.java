package dev.ipam.core.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A stored key as the in-memory maps hold it: the bytes plus their first 48 bytes read as six
 * big-endian longs (zero-padded), so that nearly every comparison in a tree walk is a few long
 * compares on the key object instead of a byte-array mismatch (the keys of this state share long
 * prefixes: kind, project, namespace). Orders exactly as {@link Arrays#compareUnsigned(byte[], byte[])};
 * equal exactly when the bytes are. The array is shared, not copied.
 */
final class Key implements Comparable<Key> {
    private static final int WORDS_BYTES = 48;
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    final byte[] bytes;
    private final long w0;
    private final long w1;
    private final long w2;
    private final long w3;
    private final long w4;
    private final long w5;

    Key(byte[] bytes) {
        this.bytes = bytes;
        this.w0 = word(bytes, 0);
        this.w1 = word(bytes, 8);
        this.w2 = word(bytes, 16);
        this.w3 = word(bytes, 24);
        this.w4 = word(bytes, 32);
        this.w5 = word(bytes, 40);
    }

    private static long word(byte[] bytes, int from) {
        if (bytes.length >= from + 8) {
            return (long) LONG_BE.get(bytes, from);
        }
        long value = 0;
        for (int i = from; i < bytes.length; i++) {
            value |= (bytes[i] & 0xFFL) << (56 - 8 * (i - from));
        }
        return value;
    }

    @Override
    public int compareTo(Key other) {
        if (w0 != other.w0) {
            return Long.compareUnsigned(w0, other.w0);
        }
        if (w1 != other.w1) {
            return Long.compareUnsigned(w1, other.w1);
        }
        if (w2 != other.w2) {
            return Long.compareUnsigned(w2, other.w2);
        }
        if (w3 != other.w3) {
            return Long.compareUnsigned(w3, other.w3);
        }
        if (w4 != other.w4) {
            return Long.compareUnsigned(w4, other.w4);
        }
        if (w5 != other.w5) {
            return Long.compareUnsigned(w5, other.w5);
        }
        byte[] a = bytes;
        byte[] b = other.bytes;
        if (a.length <= WORDS_BYTES || b.length <= WORDS_BYTES) {
            // equal zero-padded prefixes and one key ends within them: it is a prefix of the other
            return Integer.compare(a.length, b.length);
        }
        return Arrays.compareUnsigned(a, WORDS_BYTES, a.length, b, WORDS_BYTES, b.length);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Key k) || k.bytes.length != bytes.length || k.w0 != w0 || k.w1 != w1 || k.w2 != w2
                || k.w3 != w3 || k.w4 != w4 || k.w5 != w5) {
            return false;
        }
        return bytes.length <= WORDS_BYTES
                || Arrays.equals(bytes, WORDS_BYTES, bytes.length, k.bytes, WORDS_BYTES, k.bytes.length);
    }

    @Override
    public int hashCode() {
        long h = mix(w0 ^ mix(w1 ^ mix(w2 ^ mix(w3 ^ mix(w4 ^ mix(w5 ^ bytes.length))))));
        for (int i = WORDS_BYTES; i < bytes.length; i++) {
            h = h * 31 + bytes[i];
        }
        h = mix(h);
        return (int) (h ^ (h >>> 32));
    }

    /** SplitMix64's finaliser: every input bit reaches every output bit (keys vary in few, high bits). */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
