package dev.ipam.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The primitive layer of the binary codec: varints, length-prefixed strings, presence bytes. The
 * writer is public for other byte formats built from the same pieces (RocksStore's write batches).
 */
public final class Wire {
    private Wire() {
    }

    /** A growable output buffer. */
    public static final class Writer {
        private byte[] bytes;
        private int size;

        public Writer(int initialBytes) {
            bytes = new byte[initialBytes];
        }

        byte[] toByteArray() {
            return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
        }

        /** A copy of what was written (for a reused scratch writer, whose array must not escape). */
        public byte[] copy() {
            return Arrays.copyOf(bytes, size);
        }

        /** Empties the writer for reuse; drops an array grown past {@code keepBytesMax}. */
        public void reset(int keepBytesMax) {
            size = 0;
            if (bytes.length > keepBytesMax) {
                bytes = new byte[keepBytesMax];
            }
        }

        int size() {
            return size;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }

        public void u8(int value) {
            ensure(1);
            bytes[size++] = (byte) value;
        }

        void bool(boolean value) {
            u8(value ? 1 : 0);
        }

        /** Unsigned varint (LEB128) of a non-negative long. */
        public void uvarint(long value) {
            ensure(10);
            while ((value & ~0x7FL) != 0) {
                bytes[size++] = (byte) ((value & 0x7F) | 0x80);
                value >>>= 7;
            }
            bytes[size++] = (byte) value;
        }

        /** Zigzag varint of any long. */
        void varlong(long value) {
            uvarint((value << 1) ^ (value >> 63));
        }

        public void raw(byte[] value) {
            ensure(value.length);
            System.arraycopy(value, 0, bytes, size, value.length);
            size += value.length;
        }

        void raw(byte[] value, int offset, int length) {
            ensure(length);
            System.arraycopy(value, offset, bytes, size, length);
            size += length;
        }

        public void blob(byte[] value) {
            uvarint(value.length);
            raw(value);
        }

        /** A nullable string: length + 1 (0 = null), then UTF-8. */
        void string(String value) {
            if (value == null) {
                u8(0);
                return;
            }
            // String.getBytes checks a Latin-1 string for non-ASCII in one vectorised pass and copies it.
            // A charAt loop writing in place saved the array but paid the string's coder check on every
            // character: ClaimBenchmark (quick, two 3-round alternations) did 7-8% more /24 pairs per
            // CPU-second without it, IPv6 -2% and +5%.
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            uvarint(utf8.length + 1L);
            raw(utf8);
        }

        /** A nullable Integer or Long: presence byte then zigzag. */
        void optionalLong(Long value) {
            if (value == null) {
                u8(0);
            } else {
                u8(1);
                varlong(value);
            }
        }

        void optionalInt(Integer value) {
            optionalLong(value == null ? null : value.longValue());
        }

        /** A nullable enum: ordinal + 1 (0 = null). Ordinals are part of the format: only append constants. */
        void enumValue(Enum<?> value) {
            u8(value == null ? 0 : value.ordinal() + 1);
        }
    }

    /** Reads what {@link Writer} wrote; every malformed input ends in {@link Codec.Malformed}. */
    static final class Reader {
        private final byte[] bytes;
        private int position;
        private final int end;

        Reader(byte[] bytes) {
            this.bytes = bytes;
            this.end = bytes.length;
        }

        boolean atEnd() {
            return position == end;
        }

        private void need(int count) {
            if (count < 0 || end - position < count) {
                throw new Codec.Malformed("truncated at byte " + position);
            }
        }

        int u8() {
            need(1);
            return bytes[position++] & 0xFF;
        }

        boolean bool() {
            int value = u8();
            if (value > 1) {
                throw new Codec.Malformed("bad boolean " + value + " at byte " + (position - 1));
            }
            return value == 1;
        }

        long uvarint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = u8();
                result |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
            }
            throw new Codec.Malformed("varint too long at byte " + position);
        }

        long varlong() {
            long raw = uvarint();
            return (raw >>> 1) ^ -(raw & 1);
        }

        int length(long limit) {
            long length = uvarint();
            if (length > limit || length > end - position) {
                throw new Codec.Malformed("length " + length + " out of range at byte " + position);
            }
            return (int) length;
        }

        int count(int limit) {
            long count = uvarint();
            if (count > limit) {
                throw new Codec.Malformed("count " + count + " over " + limit + " at byte " + position);
            }
            return (int) count;
        }

        int intValue() {
            long value = varlong();
            if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
                throw new Codec.Malformed("int out of range: " + value);
            }
            return (int) value;
        }

        byte[] raw(int length) {
            need(length);
            byte[] out = Arrays.copyOfRange(bytes, position, position + length);
            position += length;
            return out;
        }

        byte[] blob() {
            return raw(length(Integer.MAX_VALUE));
        }

        /** Where the next read starts. */
        int position() {
            return position;
        }

        /** Steps over a {@link Writer#string} without decoding it. */
        void skipString() {
            long lengthPlusOne = uvarint();
            if (lengthPlusOne != 0) {
                long length = lengthPlusOne - 1;
                if (length < 0 || length > end - position) {
                    throw new Codec.Malformed("string length " + length + " past the end at byte " + position);
                }
                position += (int) length;
            }
        }

        String string() {
            long lengthPlusOne = uvarint();
            if (lengthPlusOne == 0) {
                return null;
            }
            long length = lengthPlusOne - 1;
            if (length > end - position) {
                throw new Codec.Malformed("string length " + length + " past the end at byte " + position);
            }
            int start = position;
            position += (int) length;
            return new String(bytes, start, (int) length, StandardCharsets.UTF_8);
        }

        Long optionalLong() {
            return bool() ? varlong() : null;
        }

        Integer optionalInt() {
            Long value = optionalLong();
            if (value == null) {
                return null;
            }
            if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
                throw new Codec.Malformed("int out of range: " + value);
            }
            return value.intValue();
        }

        <E extends Enum<E>> E enumValue(E[] values) {
            int raw = u8();
            if (raw == 0) {
                return null;
            }
            if (raw > values.length) {
                throw new Codec.Malformed("enum ordinal " + (raw - 1) + " unknown at byte " + (position - 1));
            }
            return values[raw - 1];
        }
    }
}
