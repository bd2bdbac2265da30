package dev.ipam.store.rocks;

import java.util.Arrays;

/**
 * A RocksDB write batch in its serialized form, built in Java and handed to RocksDB in one JNI call
 * ({@code new WriteBatch(byte[])}). Filling a {@code WriteBatch} row by row costs a JNI transition and
 * two array copies per put or delete, about 30 per claim+release pair: 8% of the RocksStore
 * benchmark's thread (async-profiler), against one copy of the whole batch here.
 *
 * <p>The format is RocksDB's {@code WriteBatch::rep_} (db/write_batch.cc), stable across releases
 * because write-ahead logs hold it: a fixed64 sequence (0: the database assigns it), a fixed32 record
 * count, both little-endian, then each record as a type byte, the column family id as a varint32
 * (the default family, id 0, uses the types without one), and varint32-prefixed key and value.
 * RocksStoreTest compares it byte for byte with what {@code WriteBatch.put/delete} build.
 * Not thread-safe: one per batch thread, reused.
 */
final class BatchRep {
    private static final int HEADER_BYTES = 12;
    private static final byte DELETION = 0x0;
    private static final byte VALUE = 0x1;
    private static final byte COLUMN_FAMILY_DELETION = 0x4;
    private static final byte COLUMN_FAMILY_VALUE = 0x5;
    private static final int INITIAL_BYTES = 16 * 1024;
    /** A buffer grown past this for one large batch is dropped after it, not kept. */
    private static final int KEPT_BYTES_MAX = 1 << 20;

    private byte[] bytes = new byte[INITIAL_BYTES];
    private int size = HEADER_BYTES;
    private int count;

    /** Drops whatever an earlier, failed batch left. */
    void clear() {
        size = HEADER_BYTES;
        count = 0;
    }

    void put(int family, byte[] key, byte[] value) {
        ensure(1 + 5 + 5 + key.length + 5 + value.length);
        record(family, family == 0 ? VALUE : COLUMN_FAMILY_VALUE, key);
        varstring(value);
    }

    void delete(int family, byte[] key) {
        ensure(1 + 5 + 5 + key.length);
        record(family, family == 0 ? DELETION : COLUMN_FAMILY_DELETION, key);
    }

    int count() {
        return count;
    }

    /** The serialized batch, and this builder emptied for the next. */
    byte[] take() {
        for (int i = 0; i < HEADER_BYTES; i++) {
            bytes[i] = 0;
        }
        bytes[8] = (byte) count;
        bytes[9] = (byte) (count >>> 8);
        bytes[10] = (byte) (count >>> 16);
        bytes[11] = (byte) (count >>> 24);
        byte[] out = Arrays.copyOf(bytes, size);
        clear();
        if (bytes.length > KEPT_BYTES_MAX) {
            bytes = new byte[INITIAL_BYTES];
        }
        return out;
    }

    private void record(int family, byte type, byte[] key) {
        bytes[size++] = type;
        if (family != 0) {
            varint32(family);
        }
        varstring(key);
        count++;
    }

    private void varstring(byte[] data) {
        varint32(data.length);
        System.arraycopy(data, 0, bytes, size, data.length);
        size += data.length;
    }

    private void varint32(int value) {
        while ((value & ~0x7F) != 0) {
            bytes[size++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[size++] = (byte) value;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
