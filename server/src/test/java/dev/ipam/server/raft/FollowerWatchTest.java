package dev.ipam.server.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which followers the leader calls stuck: answering, behind, commit index standing still for the whole window. */
class FollowerWatchTest {
    private static final long STUCK_MS = 15_000;
    private static final long CONTACT_MS = FollowerWatch.CONTACT_MAX_MS;
    private final FollowerWatch.Tracker tracker = new FollowerWatch.Tracker(STUCK_MS, CONTACT_MS);

    private static FollowerWatch.Sample at(String id, long commit, long lastContactMs) {
        return new FollowerWatch.Sample(id, commit, lastContactMs);
    }

    @Test
    void aFollowerAnsweringButStandingStillBehindIsStuckOnceTheWindowIsOver() {
        assertEquals(List.of(), tracker.stuck(0, 5, 500, 1, List.of(at("n3", 446, 50), at("n1", 500, 40))));
        assertEquals(List.of(), tracker.stuck(14_999, 5, 620, 1, List.of(at("n3", 446, 60), at("n1", 620, 30))));
        assertEquals(List.of("n3"), tracker.stuck(15_000, 5, 640, 1, List.of(at("n3", 446, 70), at("n1", 640, 20))),
                "the partitions scenario's n3: reachable, commit 446 while the leader went from 500 to 640");
    }

    @Test
    void aFollowerAnsweredOnlyEveryFewSecondsIsStillInContact() {
        // Replies to an appender in error back-off: every 2.5 s, so most looks see 1-2.5 s since the last.
        for (long t = 0; t < 15_000; t += 1_000) {
            assertEquals(List.of(), tracker.stuck(t, 5, 2_000 + t, 1, List.of(at("n2", 1_153, t % 2_500 + 10))), "at " + t);
        }
        assertEquals(List.of("n2"), tracker.stuck(15_000, 5, 17_000, 1, List.of(at("n2", 1_153, 2_010))),
                "the five-nodes scenario's n2: answering INCONSISTENCY every 2.5 s, commit standing still");
    }

    @Test
    void aFollowerThatMovesEvenSlowlyIsNotStuck() {
        for (long t = 0; t <= 60_000; t += 1_000) {
            assertEquals(List.of(), tracker.stuck(t, 5, 10_000 + t, 1, List.of(at("n2", 100 + t / 5_000, 100))),
                    "one commit every 5 s at " + t);
        }
    }

    @Test
    void outOfContactCaughtUpOrNeedingASnapshotIsNotStuck() {
        for (long t = 0; t <= 40_000; t += 1_000) {
            assertEquals(List.of(), tracker.stuck(t, 5, 900, 300, List.of(
                    at("paused", 400, 5_000),       // no answer for 5 s: a pause or a partition, Raft's business
                    at("never", 400, -1),           // never answered
                    at("idle", 900, 10),            // caught up on an idle cluster
                    at("snapshot", 200, 10))),      // behind the log's start: a snapshot install may take long
                    "at " + t);
        }
    }

    @Test
    void contactLostOnceOrANewTermStartsTheWindowAgain() {
        tracker.stuck(0, 5, 500, 1, List.of(at("n3", 446, 50)));
        tracker.stuck(10_000, 5, 500, 1, List.of(at("n3", 446, 6_000)));
        assertEquals(List.of(), tracker.stuck(20_000, 5, 500, 1, List.of(at("n3", 446, 50))), "the window restarted at 10 s");
        assertEquals(List.of(), tracker.stuck(24_000, 6, 500, 1, List.of(at("n3", 446, 50))), "a new term forgets");
        assertEquals(List.of(), tracker.stuck(38_000, 6, 500, 1, List.of(at("n3", 446, 50))));
        assertEquals(List.of("n3"), tracker.stuck(39_000, 6, 500, 1, List.of(at("n3", 446, 50))));
        tracker.reset();
        assertEquals(List.of(), tracker.stuck(40_000, 6, 500, 1, List.of(at("n3", 446, 50))), "not leader any more: forgotten");
    }
}
