package dev.ipam.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.core.store.Batch;
import dev.ipam.core.store.Cursor;
import dev.ipam.core.store.Entry;
import dev.ipam.core.store.MemoryStore;
import dev.ipam.core.store.Space;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where the audit trail's entries go: seq within an index, pruning behind the retention window, old states. */
class AuditTrailTest {
    private final MemoryStore store = new MemoryStore();
    private final Ipam ipam = new Ipam();

    /** Applies the commands as one entry at {@code index} (one batch, like a Raft entry of several commands). */
    private void entry(long index, Command... commands) {
        try (Batch batch = store.batch()) {
            for (Command command : commands) {
                Result result = Codec.decodeResult(ipam.apply(batch, index, index * 1000, Codec.encodeCommand(command)));
                assertTrue(result.ok(), result.message());
            }
            batch.commit();
        }
    }

    /** (index, seq) of every entry row, in key order. */
    private List<String> entries() {
        List<String> out = new ArrayList<>();
        try (Cursor cursor = store.scan(Space.HISTORY, new byte[] {'E'}, new byte[] {'F'})) {
            for (Entry e = cursor.next(); e != null; e = cursor.next()) {
                Audit.Record r = Audit.decode(e.key(), e.value());
                out.add(r.index() + "/" + r.seq());
            }
        }
        return out;
    }

    @Test
    void seqCountsCommandsWithinOneIndexAndRestartsAtTheNext() {
        entry(1, Harness.project("a"), Harness.project("b"), Harness.project("c"));
        entry(2, Harness.project("d"));
        entry(5, Harness.project("e"), Harness.project("f"));
        assertEquals(List.of("1/0", "1/1", "1/2", "2/0", "5/0", "5/1"), entries());
        assertEquals(List.of("c"), Audit.list(store, "c", 10, -1, 0).stream().map(Audit.Record::name).toList());
    }

    @Test
    void prunesBehindTheWindowAFewPerChangeUntilNoneAreLeft() {
        for (int i = 1; i <= 20; i++) {
            entry(i, Harness.project("p" + i));
        }
        long base = Audit.RETAINED_INDEXES;
        entry(base + 11, Harness.project("q1"));
        List<String> left = entries();
        assertEquals(20 + 1 - Audit.PRUNED_PER_APPLY_MAX, left.size(), "one change prunes at most the maximum: " + left);
        assertEquals("9/0", left.get(0), "the oldest go first");
        entry(base + 12, Harness.project("q2"));
        assertEquals("12/0", entries().get(0), "the cutoff is index - retention: below index 12 goes");
        assertTrue(Audit.list(store, "p3", 10, -1, 0).isEmpty(), "a pruned entry leaves no project row");
        entry(base + 30, Harness.project("q3"), Harness.project("q4"), Harness.project("q5"));
        entry(base + 31, Harness.project("q6"));
        List<String> after = entries();
        assertEquals(List.of("1000011/0", "1000012/0", "1000030/0", "1000030/1", "1000030/2", "1000031/0"), after);
    }

    /**
     * A claim's entry carries the block it bound and a release's the block it freed, the block rows
     * answer address lookups, and pruning an entry removes its block rows (found through the entry).
     */
    @Test
    void entriesCarryTheirBlockEventsAndPruningRemovesTheBlockRows() {
        entry(1, Harness.project("p"), Harness.pool("p", "web", "10.0.0.0/16"));
        entry(2, Harness.claim("p", "c1", dev.ipam.core.model.IPFamily.IPv4, 24, "web"));
        entry(3, Harness.deleteClaim("p", "c1"));
        List<String> events = new ArrayList<>();
        for (Audit.Record r : Audit.list(store, "p", 10, -1, 0)) {
            for (Audit.Block b : r.blocks()) {
                events.add(r.command() + " " + b.cidr() + " " + (b.held() ? "held" : "released") + " at " + b.index()
                        + " by " + b.claim());
            }
        }
        assertEquals(List.of("CreateClaim 10.0.0.0/24 held at 2 by c1", "DeleteClaim 10.0.0.0/24 released at 3 by c1"),
                events);
        assertEquals(List.of(true, false),
                Audit.addressHistory(store, "10.0.0.9").stream().map(Audit.Block::held).toList());
        entry(Audit.RETAINED_INDEXES + 10, Harness.project("later"));
        assertTrue(Audit.addressHistory(store, "10.0.0.9").isEmpty(), "pruned entries leave no block rows");
        assertEquals(null, store.first(Space.HISTORY_BY_BLOCK, null, null));
    }

    @Test
    void aStateWrittenBeforeTheMetaRowContinuesItsSeqAndPrunesFromTheStart() {
        entry(1, Harness.project("a"), Harness.project("b"));
        entry(7, Harness.project("c"));
        try (Batch batch = store.batch()) {
            assertNotNull(batch.get(Space.META, Keys.META_AUDIT));
            batch.delete(Space.META, Keys.META_AUDIT); // what an older version left behind
            batch.commit();
        }
        entry(7, Harness.project("d")); // a second batch at index 7 (only possible here, not in Raft)
        assertEquals(List.of("1/0", "1/1", "7/0", "7/1"), entries(), "the seq continues from HISTORY itself");
        entry(Audit.RETAINED_INDEXES + 2, Harness.project("e"));
        assertEquals(List.of("7/0", "7/1", "1000002/0"), entries(), "pruning starts from the beginning");
    }
}
