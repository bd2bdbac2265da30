package dev.ipam.server.backup;

import dev.ipam.core.store.Export;
import dev.ipam.core.store.ReadView;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A cluster backup: the portable {@link Export} of one consistent state, wrapped with the log index
 * it reflects and a checksum over everything, so a file can be checked whole before anything is
 * restored from it. Written and read as a stream: neither side holds more than one frame.
 *
 * <pre>
 *   magic          "IPAMBKUP" (8 bytes)
 *   version        u16, big-endian (2)
 *   log index      u64: the applied index of the state (every write acknowledged before is in it)
 *   created at     u64: milliseconds since the epoch on the node that took it (information only)
 *   frames         the Export stream cut into frames: u32 length (1..FRAME_BYTES_MAX), then its bytes
 *   end            u32 0
 *   export bytes   u64: the sum of the frame lengths (a cross-check; the length is only known at the end)
 *   checksum       SHA-256 of every byte above (32 bytes); nothing may follow
 * </pre>
 *
 * Version 1 (written by nodes that built the backup in memory) had the export's length in the
 * header and the export unframed; this build still reads it. Any other version is refused.
 */
public final class BackupFile {
    public static final int VERSION = 2;
    /** The in-memory format that preceded streaming: read, never written. */
    static final int VERSION_UNFRAMED = 1;
    static final byte[] MAGIC = "IPAMBKUP".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER_BYTES = 8 + 2 + 8 + 8;
    static final int CHECKSUM_BYTES = 32;
    /** Frame size the writer uses: what a node holds of a backup at once. */
    public static final int FRAME_BYTES = 64 * 1024;
    /** Largest frame a reader accepts: a damaged length cannot make it allocate more. */
    static final int FRAME_BYTES_MAX = 1024 * 1024;

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

    /**
     * Streams a backup of {@code view} (the state at {@code logIndex}) into {@code target}, one frame
     * at a time; returns what was written. {@code target} is flushed, not closed.
     */
    public static Header write(ReadView view, long logIndex, long createdAtMs, OutputStream target) throws IOException {
        MessageDigest digest = sha256();
        OutputStream unclosed = new FilterOutputStream(target) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                target.write(b, off, len); // FilterOutputStream would write byte by byte
            }

            @Override
            public void close() {
                // the caller owns the target
            }
        };
        DataOutputStream out = new DataOutputStream(new DigestOutputStream(unclosed, digest));
        out.write(MAGIC);
        out.writeShort(VERSION);
        out.writeLong(logIndex);
        out.writeLong(createdAtMs);
        Frames frames = new Frames(out);
        Export.write(view, frames);
        frames.finish();
        out.writeLong(frames.total);
        out.flush();
        byte[] sha = digest.digest();
        target.write(sha);
        target.flush();
        return new Header(VERSION, logIndex, createdAtMs, frames.total, HexFormat.of().formatHex(sha));
    }

    /** Cuts what is written into frames of {@link #FRAME_BYTES}; {@link #finish} writes the last one and the end mark. */
    private static final class Frames extends OutputStream {
        private final DataOutputStream out;
        private final byte[] frame = new byte[FRAME_BYTES];
        private int used;
        long total;

        Frames(DataOutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            if (used == frame.length) {
                emit();
            }
            frame[used++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (used == frame.length) {
                    emit();
                }
                int n = Math.min(len, frame.length - used);
                System.arraycopy(b, off, frame, used, n);
                used += n;
                off += n;
                len -= n;
            }
        }

        @Override
        public void flush() {
            // frames are cut by size, not by the export's flushes
        }

        private void emit() throws IOException {
            if (used > 0) {
                out.writeInt(used);
                out.write(frame, 0, used);
                total += used;
                used = 0;
            }
        }

        void finish() throws IOException {
            emit();
            out.writeInt(0);
        }
    }

    /**
     * Reads the whole file, streaming, and checks header, framing, length and checksum; throws
     * {@link Invalid} on any fault (truncated, altered, unknown version, bytes after the end).
     */
    public static Header verify(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new Invalid("backup " + file + " does not exist or is not a regular file");
        }
        MessageDigest digest = sha256();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), FRAME_BYTES)) {
            DigestInputStream digesting = new DigestInputStream(raw, digest);
            DataInputStream in = new DataInputStream(digesting);
            try {
                byte[] magic = new byte[MAGIC.length];
                in.readFully(magic);
                if (!Arrays.equals(magic, MAGIC)) {
                    throw new Invalid("backup " + file + " is not an IPAM backup (bad magic; expected IPAMBKUP)");
                }
                int version = in.readUnsignedShort();
                if (version != VERSION && version != VERSION_UNFRAMED) {
                    throw new Invalid("backup " + file + " has format version " + version + "; this build reads versions "
                            + VERSION_UNFRAMED + " and " + VERSION + " (a newer ipamctl wrote it? use that version)");
                }
                long logIndex = in.readLong();
                long createdAtMs = in.readLong();
                long exportBytes = version == VERSION ? skipFrames(in, file) : skipUnframed(in, file, Files.size(file));
                long recordedBytes = version == VERSION ? in.readLong() : exportBytes;
                byte[] actual = digest.digest();
                byte[] stored = new byte[CHECKSUM_BYTES];
                new DataInputStream(raw).readFully(stored);
                if (!MessageDigest.isEqual(stored, actual)) {
                    throw new Invalid("backup " + file + " is corrupt: SHA-256 " + HexFormat.of().formatHex(actual)
                            + " does not match the recorded " + HexFormat.of().formatHex(stored));
                }
                if (raw.read() != -1) {
                    throw new Invalid("backup " + file + " is corrupt: unexpected bytes after its checksum");
                }
                if (recordedBytes != exportBytes) {
                    throw new Invalid("backup " + file + " is corrupt: its frames hold " + exportBytes
                            + " export bytes, its end records " + recordedBytes);
                }
                return new Header(version, logIndex, createdAtMs, exportBytes, HexFormat.of().formatHex(actual));
            } catch (EOFException e) {
                throw new Invalid("backup " + file + " is truncated (" + Files.size(file) + " bytes)");
            }
        }
    }

    /** Reads the frames up to the end mark through the digest; returns the sum of their lengths. */
    private static long skipFrames(DataInputStream in, Path file) throws IOException {
        byte[] buffer = new byte[FRAME_BYTES_MAX];
        long total = 0;
        for (int frame = 0; ; frame++) {
            int length = in.readInt();
            if (length == 0) {
                break;
            }
            if (length < 0 || length > FRAME_BYTES_MAX) {
                throw new Invalid("backup " + file + " is corrupt: frame " + frame + " announces " + (length & 0xffffffffL)
                        + " bytes (at most " + FRAME_BYTES_MAX + ")");
            }
            in.readFully(buffer, 0, length);
            total += length;
        }
        return total;
    }

    /** Version 1: the export's length, then the export; reads it through the digest. */
    private static long skipUnframed(DataInputStream in, Path file, long size) throws IOException {
        long exportBytes = in.readLong();
        long expectedSize = HEADER_BYTES + 8 + exportBytes + CHECKSUM_BYTES;
        if (exportBytes < 0 || size < expectedSize) {
            throw new Invalid("backup " + file + " is truncated: " + size + " bytes, the header announces " + expectedSize);
        }
        if (size > expectedSize) {
            throw new Invalid("backup " + file + " is corrupt: " + (size - expectedSize) + " unexpected bytes after its checksum");
        }
        byte[] buffer = new byte[FRAME_BYTES];
        for (long left = exportBytes; left > 0; ) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left)); // read, not skip: through the digest
            if (n < 0) {
                throw new EOFException();
            }
            left -= n;
        }
        return exportBytes;
    }

    /** The export inside a verified file: its bytes in order, then end of stream. */
    static InputStream openExport(Path file, Header header) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), FRAME_BYTES));
        in.skipNBytes(HEADER_BYTES);
        if (header.version() == VERSION_UNFRAMED) {
            in.skipNBytes(8);
            return new Limited(in, header.exportBytes());
        }
        return new Unframed(in);
    }

    /** The first {@code left} bytes of a stream. */
    private static final class Limited extends java.io.FilterInputStream {
        private long left;

        Limited(InputStream in, long left) {
            super(in);
            this.left = left;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
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
    }

    /** The frames' payload as one stream, ending at the end mark. */
    private static final class Unframed extends InputStream {
        private final DataInputStream in;
        private int left;
        private boolean ended;

        Unframed(DataInputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (left == 0) {
                if (ended) {
                    return -1;
                }
                int length = in.readInt();
                if (length < 0 || length > FRAME_BYTES_MAX) {
                    throw new Invalid("frame length " + length + " out of range");
                }
                ended = length == 0;
                left = length;
            }
            int n = in.read(b, off, Math.min(len, left));
            if (n < 0) {
                throw new EOFException("backup ends inside a frame");
            }
            left -= n;
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JVM", e);
        }
    }
}
