package dev.ipam.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.core.model.IPFamily;
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
}
