package dev.ipam.ratis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ipam.ratis.EntryFormat.Command;
import dev.ipam.ratis.EntryFormat.Outcome;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntryFormatTest {
    @Test
    void entryRoundTripsAndStampsTime() {
        byte[] bytes = EntryFormat.encodeEntry(0, List.of(new Command("a", new byte[] {1, 2}), new Command("b", new byte[0])));
        byte[] stamped = EntryFormat.stamp(bytes, 1234);
        EntryFormat.Entry entry = EntryFormat.decodeEntry(stamped);
        assertEquals(1234, entry.timestampMs());
        assertEquals(2, entry.commands().size());
        assertEquals("a", entry.commands().get(0).requestId());
        assertArrayEquals(new byte[] {1, 2}, entry.commands().get(0).command());
        assertEquals(0, EntryFormat.decodeEntry(bytes).timestampMs());
    }

    @Test
    void malformedEntriesAreRejected() {
        byte[] good = EntryFormat.encodeEntry(0, List.of(new Command("a", new byte[] {1, 2})));
        assertThrows(EntryFormat.MalformedException.class, () -> EntryFormat.decodeEntry(Arrays.copyOf(good, good.length - 1)));
        assertThrows(EntryFormat.MalformedException.class, () -> EntryFormat.decodeEntry(Arrays.copyOf(good, good.length + 1)));
        byte[] wrongVersion = good.clone();
        wrongVersion[0] = 9;
        assertThrows(EntryFormat.MalformedException.class, () -> EntryFormat.decodeEntry(wrongVersion));
        assertThrows(EntryFormat.MalformedException.class, () -> EntryFormat.decodeEntry(new byte[3]));
        byte[] empty = EntryFormat.encodeEntry(0, List.of());
        assertThrows(EntryFormat.MalformedException.class, () -> EntryFormat.decodeEntry(empty));
    }

    @Test
    void replyRoundTrips() {
        byte[] bytes = EntryFormat.encodeReply(List.of(new Outcome(7, new byte[] {9}), new Outcome(3, new byte[0])));
        List<Outcome> outcomes = EntryFormat.decodeReply(ByteBuffer.wrap(bytes));
        assertEquals(7, outcomes.get(0).index());
        assertArrayEquals(new byte[] {9}, outcomes.get(0).result());
        assertEquals(3, outcomes.get(1).index());
    }
}
