package dev.ipam.server.backup;

import dev.ipam.core.store.Export;
import dev.ipam.core.store.ReadView;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A cluster backup: the portable {@link Export} of one consistent state, wrapped with the log index
 * it reflects and a checksum over everything, so a file can be checked whole before anything is
 * restored from it.
 *
 * <pre>
 *   magic          "IPAMBKUP" (8 bytes)
 *   version        u16, big-endian (1)
 *   log index      u64: the applied index of the state (every write acknowledged before is in it)
 *   created at     u64: milliseconds since the epoch on the node that took it (information only)
 *   export bytes   u64: length of the export that follows
 *   export         the Export stream (its own magic, version, entry count and SHA-256)
 *   checksum       SHA-256 of every byte above (32 bytes); nothing may follow
 * </pre>
 */
public final class BackupFile {
    public static final int VERSION = 1;
    static final byte[] MAGIC = "IPAMBKUP".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER_BYTES = 8 + 2 + 8 + 8 + 8;
    static final int CHECKSUM_BYTES = 32;
    /** Largest backup a node builds in memory before answering (the state is held whole while sent). */
    public static final long BACKUP_BYTES_MAX = 512L * 1024 * 1024;

    private BackupFile() {
    }

    /** What the header says, once the whole file has been checked. */
    public record Header(int version, long logIndex, long createdAtMs, long exportBytes, String sha256) {
    }

    /** The file is not a complete, intact backup this build can read; nothing was changed. */
    public static final class Invalid extends IOException {
        public Invalid(String message) {
            super(message);
        }
    }

    /** Builds a backup of {@code view} (at {@code logIndex}) in memory; refuses one over BACKUP_BYTES_MAX. */
    public static byte[] build(ReadView view, long logIndex, long createdAtMs) throws IOException {
        ByteArrayOutputStream export = new BoundedBuffer(BACKUP_BYTES_MAX);
        Export.write(view, export);
        ByteArrayOutputStream file = new ByteArrayOutputStream(export.size() + HEADER_BYTES + CHECKSUM_BYTES);
        write(file, logIndex, createdAtMs, export.toByteArray());
        return file.toByteArray();
    }

    static void write(OutputStream target, long logIndex, long createdAtMs, byte[] export) throws IOException {
        MessageDigest digest = sha256();
        DataOutputStream out = new DataOutputStream(new DigestOutputStream(target, digest));
        out.write(MAGIC);
        out.writeShort(VERSION);
        out.writeLong(logIndex);
        out.writeLong(createdAtMs);
        out.writeLong(export.length);
        out.write(export);
        out.flush();
        target.write(digest.digest());
        target.flush();
    }

    /** Reads the whole file and checks header, length and checksum; throws {@link Invalid} on any fault. */
    public static Header verify(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new Invalid("backup " + file + " does not exist or is not a regular file");
        }
        long size = Files.size(file);
        MessageDigest digest = sha256();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            DataInputStream in = new DataInputStream(raw);
            byte[] headerBytes = new byte[HEADER_BYTES];
            readFully(in, headerBytes, file, size);
            digest.update(headerBytes);
            DataInputStream header = new DataInputStream(new java.io.ByteArrayInputStream(headerBytes));
            byte[] magic = new byte[MAGIC.length];
            header.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new Invalid("backup " + file + " is not an IPAM backup (bad magic; expected IPAMBKUP)");
            }
            int version = header.readUnsignedShort();
            if (version != VERSION) {
                throw new Invalid("backup " + file + " has format version " + version + "; this build reads version " + VERSION);
            }
            long logIndex = header.readLong();
            long createdAtMs = header.readLong();
            long exportBytes = header.readLong();
            long expectedSize = HEADER_BYTES + exportBytes + CHECKSUM_BYTES;
            if (exportBytes < 0 || size < expectedSize) {
                throw new Invalid("backup " + file + " is truncated: " + size + " bytes, the header announces " + expectedSize);
            }
            if (size > expectedSize) {
                throw new Invalid("backup " + file + " has " + (size - expectedSize) + " unexpected bytes after its checksum");
            }
            byte[] buffer = new byte[1 << 16];
            long left = exportBytes;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new Invalid("backup " + file + " is truncated inside the export");
                }
                digest.update(buffer, 0, n);
                left -= n;
            }
            byte[] stored = new byte[CHECKSUM_BYTES];
            readFully(in, stored, file, size);
            byte[] actual = digest.digest();
            if (!MessageDigest.isEqual(stored, actual)) {
                throw new Invalid("backup " + file + " is corrupt: SHA-256 " + HexFormat.of().formatHex(actual)
                        + " does not match the recorded " + HexFormat.of().formatHex(stored));
            }
            return new Header(version, logIndex, createdAtMs, exportBytes, HexFormat.of().formatHex(actual));
        }
    }

    /** The export inside a verified file (positioned at its first byte, limited to its length). */
    static InputStream openExport(Path file, Header header) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.skipNBytes(HEADER_BYTES);
        return new java.io.FilterInputStream(in) {
            private long left = header.exportBytes();

            @Override
            public int read() throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int b = super.read();
                if (b >= 0) {
                    left--;
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = super.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }
        };
    }

    private static void readFully(DataInputStream in, byte[] target, Path file, long size) throws IOException {
        try {
            in.readFully(target);
        } catch (EOFException e) {
            throw new Invalid("backup " + file + " is truncated (" + size + " bytes)");
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JVM", e);
        }
    }

    /** Refuses to grow past its limit instead of exhausting the heap. */
    private static final class BoundedBuffer extends ByteArrayOutputStream {
        private final long bytesMax;

        BoundedBuffer(long bytesMax) {
            super(1 << 16);
            this.bytesMax = bytesMax;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            check(len);
            super.write(b, off, len);
        }

        @Override
        public synchronized void write(int b) {
            check(1);
            super.write(b);
        }

        private void check(int more) {
            if ((long) count + more > bytesMax) {
                throw new IllegalStateException("the state exceeds the backup limit of " + bytesMax
                        + " bytes (BackupFile.BACKUP_BYTES_MAX); back up with a file copy of a snapshot instead");
            }
        }
    }
}
