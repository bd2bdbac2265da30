package dev.ipam.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.core.model.ChangeType;
import dev.ipam.core.model.IPClaim;
import dev.ipam.core.model.IPFamily;
import dev.ipam.core.model.IPPool;
import dev.ipam.core.model.PoolPhase;
import dev.ipam.core.store.Batch;
import dev.ipam.core.store.MemoryStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What is stored against a request id and answered: the result without the changes watches need. */
class AnswerTest {
    private final MemoryStore store = new MemoryStore();
    private final Ipam ipam = new Ipam();
    private long index;

    private Core.Applied apply(Command command) {
        try (Batch batch = store.batch()) {
            Core.Applied applied = ipam.applyAnswered(batch, ++index, 1_000 * index, Codec.encodeCommand(command));
            batch.commit();
            return applied;
        }
    }

    @Test
    void aClaimsAnswerIsItsResultWithoutTheChanges() {
        apply(Harness.project("p"));
        apply(Harness.pool("p", "pool", "10.0.0.0/16"));
        Core.Applied applied = apply(Harness.claim("p", "c1", IPFamily.IPv4, 24, "pool"));
        Result result = Codec.decodeResult(applied.result());
        Result answer = Codec.decodeResult(applied.answer());
        assertEquals(4, result.changes().size(), "claim, allocation, pool and project changed: " + result.changes());
        assertEquals(new Result(result.code(), result.reason(), result.message(), result.causes(), result.object(),
                List.of()), answer);
        assertTrue(applied.answer().length * 2 < applied.result().length,
                "the answer is the smaller part: " + applied.answer().length + " of " + applied.result().length + " bytes");
    }

    @Test
    void aRejectionIsItsOwnAnswer() {
        Core.Applied applied = apply(Harness.claim("nobody", "c1", IPFamily.IPv4, 24, "pool"));
        assertArrayEquals(applied.result(), applied.answer());
        assertEquals(404, Codec.decodeResult(applied.answer()).code());
    }

    @Test
    void applyIsTheWholeResult() {
        apply(Harness.project("p"));
        apply(Harness.pool("p", "pool", "10.0.0.0/16"));
        MemoryStore other = new MemoryStore();
        Ipam second = new Ipam();
        byte[] command = Codec.encodeCommand(Harness.claim("p", "c1", IPFamily.IPv4, 24, "pool"));
        for (Command c : List.<Command>of(Harness.project("p"), Harness.pool("p", "pool", "10.0.0.0/16"))) {
            try (Batch batch = other.batch()) {
                second.apply(batch, c instanceof Command.CreateProject ? 1 : 2, c instanceof Command.CreateProject ? 1_000 : 2_000,
                        Codec.encodeCommand(c));
                batch.commit();
            }
        }
        byte[] viaApply;
        try (Batch batch = other.batch()) {
            viaApply = second.apply(batch, 3, 3_000, command);
        }
        try (Batch batch = store.batch()) {
            assertArrayEquals(ipam.applyAnswered(batch, 3, 3_000, command).result(), viaApply);
        }
    }

    /**
     * Watches with selectors need the object before a change that may move it into or out of their
     * selection: relabelling, a pool's new phase. Counter rewrites carry none (nothing a selector
     * sees changed), and the previous object survives the result's encoding.
     */
    @Test
    void changesThatMaySwapASelectorsAnswerCarryThePreviousObject() {
        apply(Harness.project("p"));
        apply(Harness.pool("p", "pool", "10.0.0.0/28"));
        Result first = Codec.decodeResult(apply(Harness.claim("p", "c1", IPFamily.IPv4, 29, "pool")).result());
        for (Result.Change change : first.changes()) {
            assertNull(change.previous(), "a counter rewrite or a creation: " + change);
        }
        Result full = Codec.decodeResult(apply(Harness.claim("p", "c2", IPFamily.IPv4, 29, "pool")).result());
        Result.Change pool = full.changes().stream().filter(c -> c.object() instanceof IPPool).findFirst().orElseThrow();
        assertEquals(PoolPhase.Exhausted, ((IPPool) pool.object()).status().phase());
        assertEquals(PoolPhase.Ready, ((IPPool) pool.previous()).status().phase());

        long version = ((IPClaim) full.object()).metadata().resourceVersion();
        Result relabelled = Codec.decodeResult(apply(new Command.UpdateClaim(Harness.ACTOR, "p", "default", "c2", version,
                Harness.labels("tier", "gold"), null, null)).result());
        assertEquals(1, relabelled.changes().size(), relabelled.changes().toString());
        Result.Change claim = relabelled.changes().get(0);
        assertEquals(ChangeType.MODIFIED, claim.type());
        assertEquals(Harness.labels("tier", "gold"), claim.object().metadata().labels());
        assertEquals(version, claim.previous().metadata().resourceVersion());
        assertTrue(claim.previous().metadata().labels() == null || claim.previous().metadata().labels().isEmpty(),
                "the claim before the relabel: " + claim.previous());
    }
}
