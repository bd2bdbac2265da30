package dev.ipam.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The audit trail's stored bytes are a format: the fast encoders must write what the stream-based ones wrote. */
class AuditFormatTest {
    private static final Audit.Block V4 = new Audit.Block("10.1.2.0/24", "pool-owner", "big", "p", "default", "c1",
            "default.c1-0123", true, 42, 42_000);
    private static final Audit.Block V6 = new Audit.Block("2001:db8:0:1::/64", "p", "v6", "p", "ns", "c\u00e9\u4e2d",
            "ns.c-99", false, 7, 7_000);

    @Test
    void blockEventBytesEqualDataOutputStreamOnes() throws IOException {
        assertArrayEquals(reference(V4), Audit.encodeBlock(V4));
        assertArrayEquals(reference(V6), Audit.encodeBlock(V6));
        assertEquals(V6, Audit.decodeBlock(Audit.encodeBlock(V6)));
    }

    @Test
    void entryBytesEqualDataOutputStreamOnesAndDecodeBack() throws IOException {
        Audit.Record record = new Audit.Record(9, 3, 9_000, "alice", "127.0.0.1", "CreateClaim", "CLAIM", "p\u00fc",
                "default", "c1", 201, List.of(V4, V6));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(Audit.VERSION);
        out.writeLong(record.timestampMs());
        for (String s : List.of(record.user(), record.address(), record.command(), record.kind(), record.project(),
                record.namespace(), record.name())) {
            out.writeUTF(s);
        }
        out.writeInt(record.code());
        out.writeInt(2);
        out.write(reference(V4));
        out.write(reference(V6));
        byte[] encoded = Audit.encode(record);
        assertArrayEquals(bytes.toByteArray(), encoded);
        assertEquals(record, Audit.decode(Audit.entryKey(9, 3), encoded));
    }

    /** Every kind of string the entry's fields may hold is written as DataOutputStream.writeUTF writes it. */
    @Test
    void stringsOfEveryKindAreWrittenAsModifiedUtf8() throws IOException {
        for (String s : List.of("", "alice", "a\u0000b", "?", "a?b", "a\ud800b", "\udc00?", "p\u00fc", "\u65e5\u672c",
                "x\ud83d\ude00y", "\u007f\u0080\u07ff\u0800", "n".repeat(65535))) {
            Audit.Record record = new Audit.Record(1, 0, 2, s, "", "CreateClaim", "CLAIM", "p", "", "c", 201, List.of());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(Audit.VERSION);
            out.writeLong(record.timestampMs());
            for (String field : List.of(record.user(), record.address(), record.command(), record.kind(),
                    record.project(), record.namespace(), record.name())) {
                out.writeUTF(field);
            }
            out.writeInt(record.code());
            out.writeInt(0);
            assertArrayEquals(bytes.toByteArray(), Audit.encode(record), "user " + s.length() + " chars: "
                    + s.substring(0, Math.min(8, s.length())));
        }
        Audit.Record tooLong = new Audit.Record(1, 0, 2, "n".repeat(65536), "", "CreateClaim", "CLAIM", "p", "", "c",
                201, List.of());
        org.junit.jupiter.api.Assertions.assertThrows(java.io.UncheckedIOException.class, () -> Audit.encode(tooLong));
    }

    @Test
    void blockKeysAreFamilyPaddedAddressPrefixIndexSeq() {
        byte[] v4 = Audit.blockKey("10.1.2.0/24", 5, 1);
        byte[] expected4 = ByteBuffer.allocate(31).put((byte) 'A').put((byte) 4)
                .put(Arrays.copyOf(new byte[] {10, 1, 2, 0}, 16)).put((byte) 24).putLong(5).putInt(1).array();
        assertArrayEquals(expected4, v4);
        byte[] v6 = Audit.blockKey("2001:db8:0:1::/64", 6, 2);
        byte[] expected6 = ByteBuffer.allocate(31).put((byte) 'A').put((byte) 6)
                .put(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}).put((byte) 64)
                .putLong(6).putInt(2).array();
        assertArrayEquals(expected6, v6);
        // address lookups scan by blockPrefix: it must be the head of every block key
        assertArrayEquals(Arrays.copyOf(expected4, 19), Audit.blockPrefix(new byte[] {10, 1, 2, 0}, 24));
        assertArrayEquals(Arrays.copyOf(expected6, 19), Audit.blockPrefix(
                new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, 64));
    }

    @Test
    void projectKeysArePNameNulIndexSeq() {
        byte[] expected = ByteBuffer.allocate(20).put((byte) 'P').put("team-a".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .put((byte) 0).putLong(5).putInt(2).array();
        assertArrayEquals(expected, Audit.projectKey("team-a", 5, 2));
        byte[] last = Audit.projectKey("b", Long.MAX_VALUE, -1);
        assertArrayEquals(ByteBuffer.allocate(15).put((byte) 'P').put((byte) 'b').put((byte) 0).putLong(Long.MAX_VALUE)
                .putInt(-1).array(), last);
    }

    private static byte[] reference(Audit.Block b) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(Audit.VERSION);
        for (String s : List.of(b.cidr(), b.poolProject(), b.pool(), b.holderProject(), b.namespace(), b.claim(),
                b.allocation())) {
            out.writeUTF(s);
        }
        out.writeBoolean(b.held());
        out.writeLong(b.index());
        out.writeLong(b.timestampMs());
        return bytes.toByteArray();
    }
}
