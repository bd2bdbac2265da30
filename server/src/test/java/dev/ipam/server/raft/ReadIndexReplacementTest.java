package dev.ipam.server.raft;

import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ReadIndexReplacementTest {
    /** Fails when a Ratis upgrade or a class path in another order would bring back stale reads. */
    @Test
    void theReplacementIsInUseWithTheRatisItWasWrittenFor() {
        assertNull(ReadIndexReplacement.problem());
    }
}
