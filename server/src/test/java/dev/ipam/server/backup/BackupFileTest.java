package dev.ipam.server.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.core.store.Batch;
import dev.ipam.core.store.Export;
import dev.ipam.core.store.MemoryStore;
import dev.ipam.core.store.Space;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup file format on its own: written as frames (never more than one frame held), read back
 * whole, and refused with a clear reason when damaged, truncated or of an unknown version. The
 * in-memory format 1 of earlier builds still reads.
 */
class BackupFileTest {
    /** Entries of 1 KiB: the export is many frames long. */
    private static final int ENTRIES = 1000;

    @TempDir
    Path temp;

    private static MemoryStore state() {
        MemoryStore store = new MemoryStore();
        try (Batch batch = store.batch()) {
            for (int i = 0; i < ENTRIES; i++) {
                byte[] value = new byte[1024];
                Arrays.fill(value, (byte) i);
                batch.put(Space.values()[1 + i % (Space.values().length - 1)], ByteBuffer.allocate(4).putInt(i).array(), value);
            }
            batch.commit();
        }
        return store;
    }

    private static byte[] exportOf(MemoryStore store) throws IOException {
        ByteArrayOutputStream export = new ByteArrayOutputStream();
        Export.write(store, export);
        return export.toByteArray();
    }

    /** Records the largest single write: what the writer held at once. */
    private static final class Recording extends OutputStream {
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        int largestWrite;

        @Override
        public void write(int b) {
            all.write(b);
            largestWrite = Math.max(largestWrite, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            all.write(b, off, len);
            largestWrite = Math.max(largestWrite, len);
        }
    }

    @Test
    void writtenInFramesAndReadBackWhole() throws IOException {
        MemoryStore store = state();
        Recording out = new Recording();
        BackupFile.Header written = BackupFile.write(store, 42, 7, out);
        byte[] bytes = out.all.toByteArray();
        assertTrue(bytes.length > 10 * BackupFile.FRAME_BYTES, "a backup of many frames: " + bytes.length);
        assertTrue(out.largestWrite <= BackupFile.FRAME_BYTES, "largest write " + out.largestWrite);
        Path file = temp.resolve("b.ipambackup");
        Files.write(file, bytes);

        BackupFile.Header read = BackupFile.verify(file);
        assertEquals(written, read);
        assertEquals(BackupFile.VERSION, read.version());
        assertEquals(42, read.logIndex());
        try (InputStream export = BackupFile.openExport(file, read)) {
            assertArrayEquals(exportOf(store), export.readAllBytes());
        }
    }

    @Test
    void damagedTruncatedAndUnknownVersionsAreRefused() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BackupFile.write(state(), 42, 7, out);
        byte[] good = out.toByteArray();

        byte[] newer = good.clone();
        newer[9] = 3; // version u16 after the 8-byte magic
        assertRefused(newer, "format version 3; this build reads versions 1 and 2");
        byte[] notBackup = good.clone();
        notBackup[0] = 'X';
        assertRefused(notBackup, "not an IPAM backup");
        byte[] flipped = good.clone();
        flipped[good.length / 3] ^= 0x10;
        assertRefused(flipped, "corrupt");
        byte[] hugeFrame = good.clone();
        hugeFrame[BackupFile.HEADER_BYTES] = 0x7f; // the first frame's length
        assertRefused(hugeFrame, "corrupt: frame 0 announces");
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertRefused(trailing, "unexpected bytes after its checksum");
        for (int cut : new int[] {0, 5, BackupFile.HEADER_BYTES + 2, good.length / 2, good.length - 40, good.length - 1}) {
            assertRefused(Arrays.copyOf(good, cut), "truncated");
        }
    }

    @Test
    void format1OfEarlierBuildsStillReads() throws Exception {
        MemoryStore store = state();
        byte[] export = exportOf(store);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(file);
        out.write(BackupFile.MAGIC);
        out.writeShort(1);
        out.writeLong(9);
        out.writeLong(1234);
        out.writeLong(export.length);
        out.write(export);
        out.write(MessageDigest.getInstance("SHA-256").digest(file.toByteArray()));
        Path path = temp.resolve("v1.ipambackup");
        Files.write(path, file.toByteArray());

        BackupFile.Header header = BackupFile.verify(path);
        assertEquals(1, header.version());
        assertEquals(9, header.logIndex());
        assertEquals(export.length, header.exportBytes());
        try (InputStream in = BackupFile.openExport(path, header)) {
            assertArrayEquals(export, in.readAllBytes());
        }
        byte[] cut = Arrays.copyOf(file.toByteArray(), file.size() - 10);
        assertRefused(cut, "truncated");
    }

    private void assertRefused(byte[] bytes, String reason) throws IOException {
        Path file = Files.createTempFile(temp, "bad", ".ipambackup");
        Files.write(file, bytes);
        BackupFile.Invalid refused = assertThrows(BackupFile.Invalid.class, () -> BackupFile.verify(file));
        assertTrue(refused.getMessage().contains(reason), "expected \"" + reason + "\" in: " + refused.getMessage());
    }
}
