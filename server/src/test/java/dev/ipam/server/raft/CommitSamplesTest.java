package dev.ipam.server.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The readiness target from timed samples of the commit index a node learned. */
class CommitSamplesTest {
    private final CommitSamples samples = new CommitSamples();

    /** Samples every period from {@code fromMs} to {@code toMs}, the commit index growing by 10 per period. */
    private long run(long fromMs, long toMs, long firstIndex) {
        long index = firstIndex;
        for (long t = fromMs; t <= toMs; t += CommitSamples.PERIOD_MS) {
            samples.add(t, index);
            index += 10;
        }
        return index - 10;
    }

    private void assertProblem(long nowMs, String expected) {
        CommitSamples.Target target = samples.target(nowMs);
        assertTrue(target.problem() != null && target.problem().contains(expected), "at " + nowMs + ": " + target);
    }

    @Test
    void steadyTheTargetIsWhatWasLearnedALagAgo() {
        run(0, 1_000, 100);
        CommitSamples.Target target = samples.target(1_010);
        assertNull(target.problem());
        // The newest sample at least 200 ms old (1,010 - 200 = 810): the one at 800, index 100 + 16 * 10.
        assertEquals(260, target.index());
    }

    @Test
    void aFreshNodeIsJudgedOnceItHasSampledForTheSettleTimeAndTheLag() {
        assertProblem(0, "no commit index sampled yet");
        run(0, 150, 5);
        assertProblem(160, "sampling the commit index for 160 ms since start");
        run(200, 350, 25);
        assertProblem(350, "judged after 400 ms");
        samples.add(400, 45);
        CommitSamples.Target target = samples.target(400);
        assertNull(target.problem());
        assertEquals(25, target.index(), "the sample at 200 ms, the first one settled, 200 ms old");
    }

    /** The SIGSTOP case: samples from before the pause, or from the moment it ended, must not judge the node. */
    @Test
    void afterAPauseTheSamplesBeforeItAndJustAfterItAreNoTargets() {
        run(0, 1_000, 100);
        assertProblem(9_000, "no commit index sampled for 8000 ms");
        // Resumed at 9,000. The first samples still show what it knew before the pause (300); by
        // 9,200 it has heard from the leader, which has committed up to 5,000.
        samples.add(9_000, 300);
        samples.add(9_050, 300);
        assertProblem(9_100, "for 100 ms after 8000 ms without");
        samples.add(9_100, 4_990);
        samples.add(9_150, 5_000);
        samples.add(9_200, 5_000);
        samples.add(9_250, 5_010);
        samples.add(9_300, 5_020);
        assertProblem(9_300, "judged after 400 ms");
        samples.add(9_350, 5_030);
        samples.add(9_400, 5_040);
        CommitSamples.Target target = samples.target(9_400);
        assertNull(target.problem());
        assertEquals(5_000, target.index(), "judged by what it learned once it had been running for a while");
    }

    @Test
    void aSampleThatLearnedNothingLeavesTheCurrentCommitIndexAsTarget() {
        run(0, 150, 40);
        samples.add(200, Long.MAX_VALUE);
        samples.add(250, 70);
        CommitSamples.Target target = samples.target(400);
        assertNull(target.problem());
        assertEquals(Long.MAX_VALUE, target.index());
    }

    @Test
    void aLongRunFillsTheRingAndKeepsOnlyTheNewestSamples() {
        long last = run(0, 60_000, 0);
        CommitSamples.Target target = samples.target(60_000);
        assertNull(target.problem());
        assertEquals(last - 40, target.index());
    }
}
