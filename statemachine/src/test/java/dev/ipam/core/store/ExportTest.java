package dev.ipam.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.core.Harness;
import dev.ipam.core.model.IPFamily;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The portable export: round trip, and refusal of anything damaged before a single write. */
class ExportTest {
    static Harness populated() {
        Harness h = new Harness(new MemoryStore());
        h.ok(Harness.project("p"));
        h.ok(Harness.pool("p", "web", "10.0.0.0/16"));
        h.ok(Harness.pool("p", "v6", "2001:db8::/48", dev.ipam.core.model.Strategy.LeastUtilized));
        for (int i = 0; i < 20; i++) {
            h.ok(Harness.claim("p", "c" + i, IPFamily.IPv4, 24 + i % 8, "web"));
            h.ok(Harness.claim("p", "d" + i, IPFamily.IPv6, 64, "v6"));
        }
        h.ok(Harness.deleteClaim("p", "c3"));
        return h;
    }

    static byte[] export(ReadView view) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Export.write(view, out);
        return out.toByteArray();
    }

    static boolean empty(Store store) {
        for (Space space : Space.values()) {
            if (store.first(space, null, null) != null) {
                return false;
            }
        }
        return true;
    }

    @Test
    void aSlicedRestoreCommitsInSlicesAndLoadsTheSameState() throws Exception {
        Harness h = populated();
        byte[] bytes = export(h.store);
        MemoryStore restored = new MemoryStore();
        java.util.List<Long> progress = new java.util.ArrayList<>();
        Export.Loaded loaded = Export.restore(new ByteArrayInputStream(bytes), restored, 256, progress::add);
        assertArrayEquals(bytes, export(restored));
        assertTrue(loaded.batches() > 2, "256-byte slices: " + loaded);
        assertEquals(loaded.batches(), progress.size(), "progress after every slice: " + progress);
        for (int i = 1; i < progress.size(); i++) {
            assertTrue(progress.get(i) > progress.get(i - 1), "progress grows: " + progress);
        }
    }

    @Test
    void roundTripsEverySpace() throws Exception {
        Harness h = populated();
        byte[] bytes = export(h.store);
        MemoryStore restored = new MemoryStore();
        long count = Export.restore(new ByteArrayInputStream(bytes), restored);
        assertArrayEquals(bytes, export(restored));
        long expected = 0;
        for (Space space : Space.values()) {
            expected += ((MemoryStore) h.store).size(space);
            assertEquals(((MemoryStore) h.store).size(space), restored.size(space), space.name());
        }
        assertEquals(expected, count);
        // The restored state keeps working: the next claim is the same on both.
        Harness copy = new Harness(restored);
        for (long i = 0; i < h.index(); i++) {
            copy.run(Harness.project("skip" + i)); // advance the index
        }
        assertEquals(h.run(Harness.claim("p", "next", IPFamily.IPv4, 24, "web")).object().toString()
                        .replaceAll("uid=[^,]*", "").replaceAll("resourceVersion=\\d+", "").replaceAll("Timestamp\\w*=\\d+", ""),
                copy.run(Harness.claim("p", "next", IPFamily.IPv4, 24, "web")).object().toString()
                        .replaceAll("uid=[^,]*", "").replaceAll("resourceVersion=\\d+", "").replaceAll("Timestamp\\w*=\\d+", ""));
    }

    @Test
    void refusesEveryTruncationAndAnyFlippedByte() throws Exception {
        byte[] bytes = export(populated().store);
        for (int cut = 0; cut < bytes.length; cut += Math.max(1, bytes.length / 97)) {
            MemoryStore target = new MemoryStore();
            byte[] truncated = Arrays.copyOf(bytes, cut);
            assertThrows(Export.Corrupt.class, () -> Export.restore(new ByteArrayInputStream(truncated), target),
                    "cut at " + cut);
            assertEquals(true, empty(target), "a refused restore wrote something (cut " + cut + ")");
        }
        for (int at = 0; at < bytes.length; at += Math.max(1, bytes.length / 89)) {
            MemoryStore target = new MemoryStore();
            byte[] flipped = bytes.clone();
            flipped[at] ^= 0x10;
            assertThrows(Export.Corrupt.class, () -> Export.restore(new ByteArrayInputStream(flipped), target),
                    "flip at " + at);
            assertEquals(true, empty(target), "a refused restore wrote something (flip " + at + ")");
        }
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThrows(Export.Corrupt.class, () -> Export.restore(new ByteArrayInputStream(longer), new MemoryStore()));
    }

    @Test
    void refusesANonEmptyTarget() throws Exception {
        Harness h = populated();
        byte[] bytes = export(h.store);
        assertThrows(IllegalStateException.class, () -> Export.restore(new ByteArrayInputStream(bytes), h.store));
    }

    @Test
    void memoryCheckpointRestores(@TempDir Path dir) throws Exception {
        Harness h = populated();
        Path checkpoint = dir.resolve("cp");
        h.store.checkpoint(checkpoint);
        assertEquals(true, Files.exists(checkpoint.resolve(MemoryStore.CHECKPOINT_FILE)));
        MemoryStore restored = MemoryStore.open(checkpoint);
        assertArrayEquals(export(h.store), export(restored));
        assertThrows(IllegalArgumentException.class, () -> h.store.checkpoint(checkpoint));
        assertNull(restored.get(Space.OBJECTS, new byte[] {9}));
    }

    /**
     * An export of an older layout (Export version 1 or 2), as an older build wrote it, from a current
     * state: every row a later layout moved ({@link Space#moved}) is in the space it had then. Layout 1
     * kept the audit trail's per-project and per-block rows in HISTORY (before session 15); layouts 1
     * and 2 kept the request-id index rows in REQUESTS (before session 19).
     */
    static byte[] olderExport(ReadView view, int version) throws Exception {
        java.util.TreeMap<Integer, java.util.TreeMap<byte[], byte[]>> rows = new java.util.TreeMap<>();
        for (Space space : Space.values()) {
            Space then = space;
            for (Space.Moved moved : Space.moved()) {
                if (moved.to() == space && moved.layout() > version) {
                    then = moved.from();
                }
            }
            java.util.TreeMap<byte[], byte[]> into = rows.computeIfAbsent(then.id, id -> SortedMaps.newMap());
            try (Cursor cursor = view.scan(space, null, null)) {
                for (Entry e = cursor.next(); e != null; e = cursor.next()) {
                    into.put(e.key(), e.value());
                }
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(body);
        out.write(Export.MAGIC);
        out.writeShort(version);
        long count = 0;
        for (var space : rows.entrySet()) {
            for (var e : space.getValue().entrySet()) {
                count += entry(out, space.getKey(), e.getKey(), e.getValue());
            }
        }
        out.writeByte(0);
        out.writeLong(count);
        out.flush();
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(body.toByteArray());
        body.write(digest);
        return body.toByteArray();
    }

    private static int entry(java.io.DataOutputStream out, int space, byte[] key, byte[] value) throws Exception {
        out.writeByte(space);
        out.writeInt(key.length);
        out.write(key);
        out.writeInt(value.length);
        out.write(value);
        return 1;
    }

    @Test
    void aLayout1ExportRestoresTheAuditTrailIntoTheSpacesItHasNow() throws Exception {
        Harness h = populated();
        MemoryStore original = (MemoryStore) h.store;
        assertTrue(original.size(Space.HISTORY_BY_PROJECT) > 40 && original.size(Space.HISTORY_BY_BLOCK) > 40,
                "the audit trail's project and block rows are in their own spaces");
        byte[] old = olderExport(original, 1);
        MemoryStore restored = new MemoryStore();
        Export.restore(new ByteArrayInputStream(old), restored);
        assertArrayEquals(export(original), export(restored), "the same state as the one exported");
        try (Cursor cursor = restored.scan(Space.HISTORY, null, null)) {
            for (Entry e = cursor.next(); e != null; e = cursor.next()) {
                assertEquals('E', e.key()[0], "HISTORY holds the entries only");
            }
        }
        assertEquals(dev.ipam.core.Audit.list(original, "p", 1000, -1, 0), dev.ipam.core.Audit.list(restored, "p", 1000, -1, 0));
        assertEquals(dev.ipam.core.Audit.addressHistory(original, "10.0.0.1"),
                dev.ipam.core.Audit.addressHistory(restored, "10.0.0.1"));
        assertTrue(!dev.ipam.core.Audit.addressHistory(restored, "10.0.0.1").isEmpty(), "10.0.0.1 was claimed");
    }

    @Test
    void refusesAnExportOfAnUnknownVersionNamingTheVersionsItReads() throws Exception {
        byte[] bytes = export(populated().store);
        bytes[Export.MAGIC.length + 1] = 4;
        Export.Corrupt refused = assertThrows(Export.Corrupt.class,
                () -> Export.restore(new ByteArrayInputStream(bytes), new MemoryStore()));
        assertEquals("export format version 4 unknown (this build reads 1 to 3)", refused.getMessage());
    }

    /**
     * An export of layout 2 (Export version 2, sessions 15-18) kept the request-id index rows ('i')
     * in REQUESTS with the request records ('r'); they are restored into REQUESTS_BY_INDEX, the
     * records stay, and the rest of the state is the same.
     */
    @Test
    void aLayout2ExportRestoresTheRequestIndexIntoItsOwnSpace() throws Exception {
        MemoryStore original = (MemoryStore) populated().store;
        try (Batch batch = original.batch()) {
            for (int i = 0; i < 50; i++) {
                batch.put(Space.REQUESTS, ("r" + "request-" + (1000 + i)).getBytes(StandardCharsets.UTF_8), new byte[] {(byte) i});
                batch.put(Space.REQUESTS_BY_INDEX, java.nio.ByteBuffer.allocate(13).put((byte) 'i').putLong(100 + i).putInt(0)
                        .array(), ("request-" + (1000 + i)).getBytes(StandardCharsets.UTF_8));
            }
            batch.commit();
        }
        byte[] old = olderExport(original, 2);
        assertEquals(100, entriesOf(old, Space.REQUESTS.id), "the file has both kinds of rows in REQUESTS");
        assertEquals(0, entriesOf(old, Space.REQUESTS_BY_INDEX.id));
        MemoryStore restored = new MemoryStore();
        Export.restore(new ByteArrayInputStream(old), restored);
        assertArrayEquals(export(original), export(restored), "the same state as the one exported");
        assertEquals(50, count(restored, Space.REQUESTS));
        assertEquals(50, count(restored, Space.REQUESTS_BY_INDEX));
        try (Cursor cursor = restored.scan(Space.REQUESTS, null, null)) {
            for (Entry e = cursor.next(); e != null; e = cursor.next()) {
                assertEquals('r', e.key()[0], "REQUESTS holds the request records only");
            }
        }
    }

    /** The entries of an export that are in the space with this id. */
    private static int entriesOf(byte[] export, int spaceId) throws Exception {
        java.io.DataInputStream in = new java.io.DataInputStream(new ByteArrayInputStream(export));
        in.skipNBytes(Export.MAGIC.length + 2);
        int count = 0;
        for (int space = in.readUnsignedByte(); space != 0; space = in.readUnsignedByte()) {
            in.skipNBytes(in.readInt());
            in.skipNBytes(in.readInt());
            count += space == spaceId ? 1 : 0;
        }
        return count;
    }

    private static int count(ReadView view, Space space) {
        int count = 0;
        try (Cursor cursor = view.scan(space, null, null)) {
            for (Entry e = cursor.next(); e != null; e = cursor.next()) {
                count++;
            }
        }
        return count;
    }
}
