package dev.ipam.server.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;

/** Ratis settings whose wrong value shows only under faults, so a test pins them with the reason. */
class RaftPropertiesTest {
    private final Peer self = new Peer("n1", "127.0.0.1:9870", "127.0.0.1:8080");
    private final RaftProperties properties = RaftNode.serverProperties(
            RaftSettings.defaults(self, List.of(self), Path.of("/nonexistent/ipam-test")));

    @Test
    void followersAreNeverSentAppendsWithoutAPause() {
        long waitMs = RaftServerConfigKeys.Log.Appender.waitTimeMin(properties).toLong(TimeUnit.MILLISECONDS);
        assertTrue(waitMs >= 1, "a zero appender wait floods a recovering follower with rejected appends"
                + " (RATIS-1674); was " + waitMs + " ms");
        assertTrue(waitMs < 10, "the Ratis default of 10 ms caps each follower near 100 appends/s; was " + waitMs);
    }

    @Test
    void leadersUseTheAppenderThatResendsFromTheLastMatch() {
        assertEquals(CatchUpAppender.Rpc.class, RaftConfigKeys.Rpc.type(properties, s -> { }).getClass(),
                "Ratis' own appender steps back one entry per refused append (CatchUpAppender)");
    }

    @Test
    void aRefusedAppendIsRetriedWithinASecondHoweverManyErrorsCame() {
        RetryPolicy policy = RetryPolicy.parse(RaftServerConfigKeys.Log.Appender.retryPolicy(properties));
        for (int errors : new int[] {1, 10, 11, 31, 500, 1_000}) {
            RetryPolicy.Action action = policy.handleAttemptFailure(() -> errors);
            long sleepMs = action.getSleepTime().toLong(TimeUnit.MILLISECONDS);
            assertTrue(sleepMs <= 1_500, "after " + errors + " errors the appender sleeps " + sleepMs
                    + " ms; Ratis' default sleeps 5 s from the 31st, each round trip of a healed follower's catch-up");
            assertTrue(errors <= 10 || sleepMs >= 500, "a follower that keeps failing is tried about once a second, not "
                    + sleepMs + " ms after " + errors + " errors");
        }
    }

    @Test
    void theLogIsPurgedOnlyBehindSnapshots() {
        assertTrue(RaftServerConfigKeys.Log.purgeUptoSnapshotIndex(properties),
                "a log purged past the snapshot leaves a restarted node nothing to replay from");
        assertEquals(RaftServerConfigKeys.Read.Option.LINEARIZABLE, RaftServerConfigKeys.Read.option(properties),
                "reads must go through ReadIndex");
    }

    @Test
    void aLeaderConfirmsEachReadWithAMajorityNotALease() {
        assertEquals(false, RaftServerConfigKeys.Read.leaderLeaseEnabled(properties),
                "a lease trusts the clocks of a cluster whose clocks the Jepsen suite skews");
        assertTrue(RaftServerConfigKeys.Read.leaderHeartbeatCheckEnabled(properties),
                "without the heartbeat round a cut-off leader answers reads alone");
        assertEquals(RaftServerConfigKeys.Read.ReadIndex.Type.COMMIT_INDEX, RaftServerConfigKeys.Read.ReadIndex.type(properties),
                "the read index is the commit index, as Raft's ReadIndex defines it");
    }

    @Test
    void repliesAreKeptForResendsOnlyNotForAMinute() {
        long expiryMs = RaftServerConfigKeys.RetryCache.expiryTime(properties).toLong(TimeUnit.MILLISECONDS);
        long requestTimeoutMs = RaftServerConfigKeys.Rpc.requestTimeout(properties).toLong(TimeUnit.MILLISECONDS);
        assertTrue(expiryMs > requestTimeoutMs, "a client resends after a request timeout; the reply must still be"
                + " there: expiry " + expiryMs + " ms, request timeout " + requestTimeoutMs + " ms");
        assertTrue(expiryMs < RaftServerConfigKeys.RetryCache.EXPIRY_TIME_DEFAULT.toLong(TimeUnit.MILLISECONDS),
                "Ratis' 60 s of replies filled 400 MB of a 1 GiB heap at 17,000 claims/s; was " + expiryMs + " ms");
    }
}
