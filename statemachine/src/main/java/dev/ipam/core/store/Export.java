package dev.ipam.core.store;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * The portable export format of a whole state, readable by any {@link Store} implementation:
 *
 * <pre>
 *   header   "IPAMEXPT" (8 bytes), format version (u16, big-endian)
 *   entries  space id (u8, never 0), key length (u32), key, value length (u32), value
 *            in Space order, then ascending key order
 *   end      a 0 byte
 *   trailer  entry count (u64), then SHA-256 of every byte before the digest (32 bytes)
 * </pre>
 *
 * {@link #restore} verifies the whole stream into an uncommitted batch and commits only when the
 * trailer checks out: a corrupt or truncated export writes nothing.
 */
public final class Export {
    /**
     * The version is the layout of the spaces ({@link Space#moved}): version 3 has REQUESTS_BY_INDEX,
     * version 2 the audit trail's own spaces. A build that reads only older versions refuses a newer
     * one by its version rather than by an unknown space. Versions 1 and 2 are still read: their rows
     * are restored into the spaces they belong in now ({@link Space#current}).
     */
    public static final int VERSION = 3;
    static final int VERSION_OLDEST = 1;
    static final byte[] MAGIC = "IPAMEXPT".getBytes(StandardCharsets.US_ASCII);
    public static final int KEY_BYTES_MAX = 64 * 1024;
    public static final int VALUE_BYTES_MAX = 64 * 1024 * 1024;

    private Export() {
    }

    /** The stream is not a complete, intact export. */
    public static final class Corrupt extends IOException {
        public Corrupt(String message) {
            super(message);
        }
    }

    /** Writes every entry of every space of {@code view}; returns the number of entries. */
    public static long write(ReadView view, OutputStream target) throws IOException {
        MessageDigest digest = sha256();
        DataOutputStream out = new DataOutputStream(new DigestOutputStream(nonClosing(target), digest));
        out.write(MAGIC);
        out.writeShort(VERSION);
        long count = 0;
        for (Space space : Space.values()) {
            try (Cursor cursor = view.scan(space, null, null)) {
                for (Entry entry = cursor.next(); entry != null; entry = cursor.next()) {
                    out.writeByte(space.id);
                    out.writeInt(entry.key().length);
                    out.write(entry.key());
                    out.writeInt(entry.value().length);
                    out.write(entry.value());
                    count++;
                }
            }
        }
        out.writeByte(0);
        out.writeLong(count);
        out.flush();
        target.write(digest.digest());
        target.flush();
        return count;
    }

    /**
     * Loads an export into an empty store. Throws {@link Corrupt} (and writes nothing) when the stream
     * is truncated, altered or of an unknown version; refuses a store that already holds data.
     */
    public static long restore(InputStream source, Store store) throws IOException {
        return restore(source, store, Long.MAX_VALUE, loadedBytes -> { }).entries();
    }

    /** What a sliced restore loaded: entries, and the batches they were committed in. */
    public record Loaded(long entries, long batches) {
    }

    /**
     * As {@link #restore(InputStream, Store)}, but commits a batch whenever {@code sliceBytesMax} bytes
     * of keys and values are pending, telling {@code progress} the bytes loaded so far: memory stays
     * bounded for any size of export. A stream found bad after the first slice leaves those slices in
     * the store, so load only into a scratch store that is thrown away on {@link Corrupt}.
     */
    public static Loaded restore(InputStream source, Store store, long sliceBytesMax, LongConsumer progress)
            throws IOException {
        for (Space space : Space.values()) {
            if (store.first(space, null, null) != null) {
                throw new IllegalStateException("restore needs an empty store; space " + space + " holds data");
            }
        }
        MessageDigest digest = sha256();
        DataInputStream in = new DataInputStream(new DigestInputStream(source, digest));
        Batch batch = store.batch();
        try {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new Corrupt("not an IPAM export (bad magic)");
            }
            int version = in.readUnsignedShort();
            if (version < VERSION_OLDEST || version > VERSION) {
                throw new Corrupt("export format version " + version + " unknown (this build reads "
                        + VERSION_OLDEST + " to " + VERSION + ")");
            }
            long count = 0;
            long batches = 0;
            long pendingBytes = 0;
            long loadedBytes = 0;
            int previousSpace = 0;
            byte[] previousKey = null;
            while (true) {
                int spaceId = in.readUnsignedByte();
                if (spaceId == 0) {
                    break;
                }
                Space space = space(spaceId);
                byte[] key = bytes(in, KEY_BYTES_MAX, "key");
                byte[] value = bytes(in, VALUE_BYTES_MAX, "value");
                if (spaceId < previousSpace || (spaceId == previousSpace
                        && Arrays.compareUnsigned(previousKey, key) >= 0)) {
                    throw new Corrupt("entries out of order at entry " + count);
                }
                previousSpace = spaceId;
                previousKey = key;
                batch.put(Space.current(space, key), key, value);
                count++;
                pendingBytes += key.length + value.length;
                if (pendingBytes >= sliceBytesMax) {
                    batch.commit();
                    batch.close();
                    batches++;
                    loadedBytes += pendingBytes;
                    pendingBytes = 0;
                    progress.accept(loadedBytes);
                    batch = store.batch();
                }
            }
            long declared = in.readLong();
            byte[] expected = digest.digest();
            byte[] actual = new byte[expected.length];
            new DataInputStream(source).readFully(actual);
            if (declared != count) {
                throw new Corrupt("export declares " + declared + " entries, holds " + count);
            }
            if (!MessageDigest.isEqual(expected, actual)) {
                throw new Corrupt("export checksum mismatch");
            }
            if (source.read() != -1) {
                throw new Corrupt("bytes after the export trailer");
            }
            batch.commit();
            progress.accept(loadedBytes + pendingBytes);
            return new Loaded(count, batches + 1);
        } catch (EOFException e) {
            throw new Corrupt("export truncated");
        } finally {
            batch.close();
        }
    }

    private static Space space(int id) throws Corrupt {
        for (Space space : Space.values()) {
            if (space.id == id) {
                return space;
            }
        }
        throw new Corrupt("unknown space id " + id);
    }

    private static byte[] bytes(DataInputStream in, int max, String what) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > max) {
            throw new Corrupt(what + " length " + length + " out of range (max " + max + ")");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JVM", e);
        }
    }

    private static OutputStream nonClosing(OutputStream target) {
        return new java.io.FilterOutputStream(target) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }
}
