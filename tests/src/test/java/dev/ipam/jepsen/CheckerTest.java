package dev.ipam.jepsen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.jepsen.Linearizability.Verdict;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Hand-made histories: the good ones pass, each kind of bad one is caught by name. */
class CheckerTest {

    private static Set<String> kinds(Checker.Report report) {
        return report.anomalies().stream().map(Anomaly::kind).collect(Collectors.toSet());
    }

    private static void assertValid(Checker.Report report) {
        assertEquals(Verdict.VALID, report.verdict(), () -> "anomalies: " + report.anomalies());
        assertTrue(report.anomalies().isEmpty());
    }

    private static void assertCaught(Checker.Report report, String kind) {
        assertEquals(Verdict.INVALID, report.verdict());
        assertTrue(kinds(report).contains(kind), () -> "expected " + kind + " among " + report.anomalies());
        Anomaly anomaly = report.anomalies().stream().filter(a -> a.kind().equals(kind)).findFirst().orElseThrow();
        assertTrue(!anomaly.ops().isEmpty(), "an anomaly names the operations involved");
    }

    @Test
    void sequentialClaimReadReleaseIsValid() {
        assertValid(Histories.withPool()
                .claim(1, "a", 26, "10.0.0.0/26")
                .read(2, "a", "10.0.0.0/26")
                .claim(1, "b", 28, "10.0.0.64/28")
                .release(1, "a")
                .read(2, "b", "10.0.0.64/28")
                .finalRead("b", "10.0.0.64/28")
                .localRead("n1", "b", "10.0.0.64/28")
                .localRead("n2", "b", "10.0.0.64/28")
                .check());
    }

    @Test
    void concurrentReadMaySeeEitherOrder() {
        // Claims a and b run concurrently with a read that sees only b: b first is a legal order.
        assertValid(Histories.withPool()
                .claimInvoke(1, "a", 26)
                .claimInvoke(2, "b", 26)
                .readInvoke(3)
                .claimOk(2, "b", 26, "10.0.0.0/26")
                .readOk(3, "b", "10.0.0.0/26")
                .claimOk(1, "a", 26, "10.0.0.64/26")
                .finalRead("a", "10.0.0.64/26", "b", "10.0.0.0/26")
                .check());
    }

    @Test
    void anyLegalBlockChoiceIsAccepted() {
        // The model does not dictate FirstFit: a server picking the top of the pool is fine.
        assertValid(Histories.withPool()
                .claim(1, "a", 30, "10.0.0.252/30")
                .claim(1, "b", 25, "10.0.0.0/25")
                .finalRead("a", "10.0.0.252/30", "b", "10.0.0.0/25")
                .check());
    }

    @Test
    void overlappingAllocationsAreCaught() {
        Checker.Report report = Histories.withPool()
                .claim(1, "a", 26, "10.0.0.0/26")
                .claim(2, "b", 28, "10.0.0.16/28")
                .finalRead("a", "10.0.0.0/26", "b", "10.0.0.16/28")
                .check();
        assertCaught(report, Anomaly.OVERLAP);
        assertCaught(report, Anomaly.NONLINEARIZABLE);
    }

    @Test
    void overlapAfterReleaseIsNotAnOverlap() {
        assertValid(Histories.withPool()
                .claim(1, "a", 26, "10.0.0.0/26")
                .release(1, "a")
                .claim(2, "b", 28, "10.0.0.16/28")
                .finalRead("b", "10.0.0.16/28")
                .check());
    }

    @Test
    void lostAcknowledgedClaimIsCaught() {
        assertCaught(Histories.withPool()
                .claim(1, "a", 26, "10.0.0.0/26")
                .claim(1, "b", 26, "10.0.0.64/26")
                .finalRead("b", "10.0.0.64/26")
                .check(), Anomaly.LOST_CLAIM);
    }

    @Test
    void staleReadIsCaught() {
        // The claim completed before the read began, yet the read does not show it.
        Checker.Report report = Histories.withPool()
                .claim(1, "a", 26, "10.0.0.0/26")
                .read(2)
                .finalRead("a", "10.0.0.0/26")
                .check();
        assertCaught(report, Anomaly.NONLINEARIZABLE);
        Anomaly anomaly = report.anomalies().get(0);
        assertEquals(Op.READ, anomaly.ops().get(0).f(), "the read is the op that cannot be placed");
    }

    @Test
    void releasedBlockReappearingIsCaught() {
        Checker.Report report = Histories.withPool()
                .claim(1, "a", 26, "10.0.0.0/26")
                .release(1, "a")
                .read(2, "a", "10.0.0.0/26")
                .finalRead()
                .check();
        assertCaught(report, Anomaly.RESURRECTED);
        assertCaught(report, Anomaly.NONLINEARIZABLE);
    }

    @Test
    void failedReleaseLeavesTheClaimLive() {
        Checker.Report report = Histories.withPool()
                .claim(1, "a", 26, "10.0.0.0/26")
                .releaseInvoke(1, "a")
                .complete(1, Op.Type.FAIL, new OpValue.Release(Histories.POOL, "a", null))
                .claim(2, "b", 27, "10.0.0.32/27")
                .check();
        assertCaught(report, Anomaly.OVERLAP);
    }

    @Test
    void aNameClaimedAgainAfterItsReleaseIsNotAResurrection() {
        assertValid(Histories.withPool()
                .claim(1, "a", 26, "10.0.0.0/26")
                .release(1, "a")
                .claim(1, "a", 26, "10.0.0.64/26")
                .read(2, "a", "10.0.0.64/26")
                .finalRead("a", "10.0.0.64/26")
                .check());
    }

    @Test
    void readsThatDisagreeOnOrderAreCaught() {
        // a and b are concurrent with both reads; read 1 sees a without b, read 2 (after read 1)
        // sees b without a. Nothing is released, so no order explains both.
        assertCaught(Histories.withPool()
                .claimInvoke(1, "a", 26)
                .claimInvoke(2, "b", 26)
                .read(3, "a", "10.0.0.0/26")
                .read(4, "b", "10.0.0.64/26")
                .claimOk(1, "a", 26, "10.0.0.0/26")
                .claimOk(2, "b", 26, "10.0.0.64/26")
                .check(), Anomaly.NONLINEARIZABLE);
    }

    @Test
    void indeterminateClaimIsPlacedByTheReadThatShowsIt() {
        assertValid(Histories.withPool()
                .claimInvoke(1, "a", 26)
                .claimInfo(1, "a", 26)
                .read(2, "a", "10.0.0.0/26")
                .finalRead("a", "10.0.0.0/26")
                .check());
    }

    @Test
    void indeterminateClaimSeenOnceCannotVanish() {
        // Shown by a read, so it happened; a later read without it (and no release) is a violation.
        assertCaught(Histories.withPool()
                .claimInvoke(1, "a", 26)
                .claimInfo(1, "a", 26)
                .read(2, "a", "10.0.0.0/26")
                .read(2)
                .finalRead()
                .check(), Anomaly.NONLINEARIZABLE);
    }

    @Test
    void indeterminateClaimNeverSeenIsDropped() {
        assertValid(Histories.withPool()
                .claimInvoke(1, "a", 26)
                .claimInfo(1, "a", 26)
                .read(2)
                .finalRead()
                .check());
    }

    @Test
    void indeterminateReleaseIsPinnedByTheFirstReadWithoutTheName() {
        assertValid(Histories.withPool()
                .claim(1, "a", 26, "10.0.0.0/26")
                .releaseInvoke(1, "a")
                .releaseInfo(1, "a")
                .read(2, "a", "10.0.0.0/26")
                .read(2)
                .finalRead()
                .check());
        // Once a read shows it gone, it cannot come back.
        assertCaught(Histories.withPool()
                .claim(1, "a", 26, "10.0.0.0/26")
                .releaseInvoke(1, "a")
                .releaseInfo(1, "a")
                .read(2)
                .read(2, "a", "10.0.0.0/26")
                .check(), Anomaly.NONLINEARIZABLE);
    }

    @Test
    void releaseNotFoundOfALiveClaimIsCaught() {
        assertCaught(Histories.withPool()
                .claim(1, "a", 26, "10.0.0.0/26")
                .releaseInvoke(1, "a")
                .releaseOk(1, "a", false)
                .check(), Anomaly.NONLINEARIZABLE);
    }

    @Test
    void blockOutsideThePoolOrMisalignedIsCaught() {
        assertCaught(Histories.withPool().claim(1, "a", 26, "10.0.1.0/26").check(), Anomaly.BAD_BLOCK);
        assertCaught(Histories.withPool().claim(1, "a", 26, "10.0.0.32/26").check(), Anomaly.BAD_BLOCK);
        assertCaught(Histories.withPool().claim(1, "a", 26, "10.0.0.0/27").check(), Anomaly.BAD_BLOCK);
    }

    @Test
    void replicasThatDisagreeAfterHealingAreCaught() {
        Checker.Report report = Histories.withPool()
                .claim(1, "a", 26, "10.0.0.0/26")
                .finalRead("a", "10.0.0.0/26")
                .localRead("n1", "a", "10.0.0.0/26")
                .localRead("n2")
                .check();
        assertCaught(report, Anomaly.DIVERGENCE);
        assertTrue(report.anomalies().get(0).message().contains("node n2"));
    }

    @Test
    void failedOperationsDidNotHappen() {
        assertValid(Histories.withPool()
                .claimInvoke(1, "a", 26)
                .complete(1, Op.Type.FAIL, new OpValue.Claim(Histories.POOL, "a", 26, null))
                .read(2)
                .finalRead()
                .check());
    }

    @Test
    void phantomClaimIsCaught() {
        assertCaught(Histories.withPool()
                .read(2, "a", "10.0.0.0/26")
                .claimInvoke(1, "a", 26)
                .claimInfo(1, "a", 26)
                .check(), Anomaly.PHANTOM);
    }

    /** Many concurrent claims followed by an impossible read: the search must try every subset. */
    private static Histories hardInvalid(int claims) {
        Histories h = Histories.withPool();
        for (int i = 0; i < claims; i++) {
            h.claimInvoke(i + 1, "c" + i, 30);
        }
        for (int i = 0; i < claims; i++) {
            h.claimOk(i + 1, "c" + i, 30, "10.0.0." + (4 * i) + "/30");
        }
        return h.read(50, "nobody", "10.0.0.252/30");
    }

    @Test
    void exhaustedTimeBudgetAnswersUnknown() {
        List<Op> history = hardInvalid(12).ops();
        Checker.Report unknown = new Checker(new Checker.Settings(0, 2_000_000, 100)).check(history);
        assertEquals(Verdict.UNKNOWN, unknown.verdict());
        assertEquals("time budget exhausted", unknown.pools().get(0).reason());
        // Given the time, the same history is found invalid: UNKNOWN was not hiding a pass.
        Checker.Report decided = new Checker(Checker.Settings.defaults()).check(history);
        assertEquals(Verdict.INVALID, decided.verdict());
    }

    @Test
    void exhaustedCacheAnswersUnknown() {
        Checker.Report report = new Checker(new Checker.Settings(60_000, 10, 100)).check(hardInvalid(8).ops());
        assertEquals(Verdict.UNKNOWN, report.verdict());
        assertTrue(report.pools().get(0).reason().contains("cacheEntriesMax"));
    }

    @Test
    void faultsThatCouldNotBeAppliedAreReportedButDoNotDecideTheVerdict() {
        List<Op> ops = new java.util.ArrayList<>(Histories.withPool()
                .nemesis("start-membership", "membership")
                .finalRead()
                .ops());
        Op start = ops.get(3);
        ops.set(3, new Op(start.index(), start.type(), start.f(), start.value(), start.process(), start.node(),
                start.timeNs(), "DELETE /admin/cluster/peers/n1: http 500"));
        Checker.Report report = new Checker(Checker.Settings.defaults()).check(ops);
        assertEquals(Verdict.VALID, report.verdict());
        assertEquals(1, report.nemesisErrors().size());
        assertTrue(Edn.write(Results.edn(report, java.util.Map.of())).contains(":nemesis-errors [{:index 3"));
    }

    @Test
    void nemesisOpsAreIgnoredByTheChecker() {
        assertValid(Histories.withPool()
                .nemesis("start-partition", "partition")
                .claim(1, "a", 26, "10.0.0.0/26")
                .nemesis("stop-partition", "partition")
                .finalRead("a", "10.0.0.0/26")
                .check());
    }
}
