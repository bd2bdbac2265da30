package dev.ipam.store.rocks;

import dev.ipam.core.Wire;

/**
 * A RocksDB write batch in its serialized form, built in Java and handed to RocksDB in one JNI call
 * ({@code new WriteBatch(byte[])}). Filling a {@code WriteBatch} row by row costs a JNI transition and
 * two array copies per put or delete, about 30 per claim+release pair: 8% of the RocksStore
 * benchmark's thread (async-profiler), against one copy of the whole batch here.
 *
 * <p>The format is RocksDB's {@code WriteBatch::rep_} (db/write_batch.cc), stable across releases
 * because write-ahead logs hold it: a fixed64 sequence (0: the database assigns it), a fixed32 record
 * count, both little-endian, then each record as a type byte, the column family id as a varint32
 * (the default family, id 0, uses the types without one), and varint32-prefixed key and value. The
 * varints are the codec's LEB128 ({@link Wire.Writer#uvarint}). BatchRepTest compares the result byte
 * for byte with what {@code WriteBatch.put/delete} build. Not thread-safe: one per batch thread, reused.
 */
final class BatchRep {
    private static final byte[] HEADER = new byte[12];
    private static final int COUNT_AT = 8;
    private static final byte DELETION = 0x0;
    private static final byte VALUE = 0x1;
    private static final byte COLUMN_FAMILY_DELETION = 0x4;
    private static final byte COLUMN_FAMILY_VALUE = 0x5;
    /** A buffer grown past this for one large batch is dropped after it, not kept. */
    private static final int KEPT_BYTES_MAX = 1 << 20;

    private final Wire.Writer out = new Wire.Writer(16 * 1024);
    private int count;

    BatchRep() {
        clear();
    }

    /** Empties the batch (also what an earlier, failed batch left). */
    void clear() {
        out.reset(KEPT_BYTES_MAX);
        out.raw(HEADER);
        count = 0;
    }

    void put(int family, byte[] key, byte[] value) {
        record(family, family == 0 ? VALUE : COLUMN_FAMILY_VALUE, key);
        out.blob(value);
    }

    void delete(int family, byte[] key) {
        record(family, family == 0 ? DELETION : COLUMN_FAMILY_DELETION, key);
    }

    int count() {
        return count;
    }

    /** The serialized batch, and this builder emptied for the next. */
    byte[] take() {
        byte[] rep = out.copy();
        for (int i = 0; i < 4; i++) {
            rep[COUNT_AT + i] = (byte) (count >>> (8 * i));
        }
        clear();
        return rep;
    }

    private void record(int family, byte type, byte[] key) {
        out.u8(type);
        if (family != 0) {
            out.uvarint(family);
        }
        out.blob(key);
        count++;
    }
}
