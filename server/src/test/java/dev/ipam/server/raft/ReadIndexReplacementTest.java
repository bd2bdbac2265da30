package dev.ipam.server.raft;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReadIndexReplacementTest {
    /** Fails when a Ratis upgrade or a class path in another order would bring back stale reads. */
    @Test
    void theReplacementIsInUseWithTheRatisItWasWrittenFor() {
        assertNull(ReadIndexReplacement.problem());
    }

    @Test
    void anotherRatisVersionOrRatisOwnClassIsRefusedWithTheFix() {
        String upgraded = ReadIndexReplacement.problem("3.4.0", "org.apache.ratis.server.impl.ReadIndexHeartbeats");
        assertTrue(upgraded != null && upgraded.contains("Apache Ratis 3.4.0") && upgraded.contains("change ReadIndexReplacement.RATIS_VERSION"),
                upgraded);
        String unknown = ReadIndexReplacement.problem(null, "org.apache.ratis.server.impl.ReadIndexHeartbeats");
        assertTrue(unknown != null && unknown.contains("unknown version"), unknown);
        // A class without the marker stands for Ratis' own ReadIndexHeartbeats loaded first.
        String ratisFirst = ReadIndexReplacement.problem(ReadIndexReplacement.RATIS_VERSION, "org.apache.ratis.server.impl.LeaderStateImpl");
        assertTrue(ratisFirst != null && ratisFirst.contains("before the Ratis jars on the class path"), ratisFirst);
    }
}
