package dev.ipam.server.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.server.Admin.Readiness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link RaftAdmin#readiness(String, String, long, long, long, long, long, long)}: when /readyz says 200. */
class ReadinessRuleTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            # case                                                     | notAlive | leader | term | commitTerm | commit | leaderCommit | applied | previous | ready | reason contains
            steady: applied the commit index seen last time            | null     | n1     | 3    | 3          | 500    | 500          | 480     | 480      | true  | applied 480
            under load: the commit index moved on since the last check | null     | n1     | 3    | 3          | 900    | 900          | 600     | 600      | true  | leader n1
            behind the previous commit index                           | null     | n1     | 3    | 3          | 900    | 900          | 599     | 600      | false | applied 599 behind commit 600
            first check after start: the current commit index counts   | null     | n1     | 3    | 3          | 900    | 900          | 899     | 9223372036854775807 | false | behind commit 900
            restarted: recovered commit index of an older term         | null     | n1     | 2    | 1          | 40000  | 40000        | 40000   | 9223372036854775807 | false | waiting to learn a commit of term 2
            restarted: the term of the commit index is unknown         | null     | n1     | 2    | -1         | 40000  | 40000        | 40000   | 9223372036854775807 | false | term unknown
            restarted follower, same term, leader's commit not heard   | null     | n1     | 3    | 3          | 40000  | -1           | 40000   | 9223372036854775807 | false | no commit index heard from leader n1
            no leader                                                  | null     | null   | 2    | 2          | 10     | -1           | 10      | 10       | false | no leader known
            follower back from a pause: the leader committed far ahead | null     | n1     | 3    | 3          | 500    | 5000         | 500     | 5000     | false | applied 500 behind commit 5000
            follower: the leader's commit index seen last time, applied | null     | n1     | 3    | 3          | 4990   | 5200         | 5000    | 5000     | true  | applied 5000
            server not running                                         | CLOSED   | n1     | 2    | 2          | 10     | 10           | 10      | 10       | false | raft server is CLOSED
            """)
    void readiness(String name, String notAlive, String leader, long term, long commitTerm, long commit, long leaderCommit,
                   long applied, long previous, boolean ready, String reason) {
        Readiness readiness = RaftAdmin.readiness(notAlive, leader, term, commitTerm, commit, leaderCommit, applied,
                previous).readiness();
        assertEquals(ready, readiness.ready(), name + ": " + readiness.reason());
        assertTrue(readiness.reason().contains(reason), name + ": reason \"" + readiness.reason() + "\"");
    }

    /**
     * A restarted node's checks, in order: a commit index recovered from its snapshot must never become
     * the target, neither before its election (term 1, no leader) nor after it (term 2, old commit).
     */
    @org.junit.jupiter.api.Test
    void aRecoveredCommitIndexIsNeverATarget() {
        long target = Long.MAX_VALUE;
        // Recovered at its snapshot (commit 119 of term 1); no election yet.
        RaftAdmin.ReadinessCheck check = RaftAdmin.readiness(null, null, 1, 1, 119, 119, 119, target);
        assertEquals(false, check.readiness().ready(), check.readiness().reason());
        target = check.nextTarget();
        // Leader of term 2 elected; its first entry is not committed yet.
        check = RaftAdmin.readiness(null, "n1", 2, 1, 119, 119, 119, target);
        assertEquals(false, check.readiness().ready(), check.readiness().reason());
        target = check.nextTarget();
        // The term's first entry commits at 153; the node has replayed to 126 of its own log.
        check = RaftAdmin.readiness(null, "n1", 2, 2, 153, 153, 126, target);
        assertEquals(false, check.readiness().ready(), "ready 27 entries short of the commit index: "
                + check.readiness().reason());
        target = check.nextTarget();
        check = RaftAdmin.readiness(null, "n1", 2, 2, 160, 160, 153, target);
        assertEquals(true, check.readiness().ready(), check.readiness().reason());
    }

    /** As seen in KilledNodeRecoveryTest: no check fell between the election and the term's first commit. */
    @org.junit.jupiter.api.Test
    void aCheckBeforeTheElectionSetsNoTarget() {
        RaftAdmin.ReadinessCheck check = RaftAdmin.readiness(null, null, 1, 1, 119, 119, 119, Long.MAX_VALUE);
        assertEquals(false, check.readiness().ready(), check.readiness().reason());
        check = RaftAdmin.readiness(null, "n1", 2, 2, 153, 153, 126, check.nextTarget());
        assertEquals(false, check.readiness().ready(), "ready with 126 of 153 applied: " + check.readiness().reason());
        assertEquals(Long.MAX_VALUE, RaftAdmin.readiness("STARTING", null, 1, 1, 119, 119, 119, 119).nextTarget(),
                "a server not yet running set a target");
    }
}
