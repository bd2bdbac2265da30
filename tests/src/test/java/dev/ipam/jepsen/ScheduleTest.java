package dev.ipam.jepsen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The fault plan is a pure function of its settings; grudges have the shapes their names promise. */
class ScheduleTest {
    private static List<Schedule.Step> plan(long seed, Set<Schedule.Kind> kinds, int nodes) {
        return Schedule.plan(Schedule.Settings.standard(seed, 600_000, kinds, nodes));
    }

    @Test
    void sameSeedSamePlanOtherSeedOtherPlan() {
        Set<Schedule.Kind> all = Schedule.Kind.parse("all");
        assertEquals(plan(5, all, 5), plan(5, all, 5));
        assertNotEquals(plan(5, all, 5), plan(6, all, 5));
        assertNotEquals(plan(5, all, 5).get(0).atMs(), plan(6, all, 5).get(0).atMs(), "nearby seeds start apart");
    }

    @Test
    void planDoesNotDependOnTheSetsIterationOrder() {
        Set<Schedule.Kind> forward = new java.util.LinkedHashSet<>(List.of(Schedule.Kind.KILL, Schedule.Kind.PAUSE,
                Schedule.Kind.PARTITION_ONE));
        Set<Schedule.Kind> backward = new java.util.LinkedHashSet<>(List.of(Schedule.Kind.PARTITION_ONE,
                Schedule.Kind.PAUSE, Schedule.Kind.KILL));
        assertEquals(plan(1, forward, 3), plan(1, backward, 3));
    }

    @Test
    void faultsDoNotOverlapAndFitTheDuration() {
        Schedule.Timing timing = Schedule.Timing.standard();
        List<Schedule.Step> steps = plan(9, Schedule.Kind.parse("all"), 5);
        assertTrue(steps.size() >= 20, "a 10 minute run holds many faults: " + steps.size());
        long end = 0;
        for (Schedule.Step step : steps) {
            assertTrue(step.atMs() - end >= timing.gapMsMin(), "quiet gap before " + step);
            assertTrue(step.holdMs() >= timing.holdMsMin() && step.holdMs() <= timing.holdMsMax());
            end = step.atMs() + step.holdMs();
        }
        assertTrue(end <= 600_000);
    }

    @Test
    void onlyChosenAndApplicableKindsAppear() {
        for (Schedule.Step step : plan(3, Schedule.Kind.parse("partitions"), 3)) {
            assertTrue(Schedule.isPartition(step.kind()), step.toString());
            assertNotEquals(Schedule.Kind.PARTITION_RING, step.kind(), "a ring needs 5 nodes");
        }
        assertTrue(plan(3, Schedule.Kind.parse("none"), 3).isEmpty());
        for (Schedule.Step step : plan(3, Set.of(Schedule.Kind.CLOCK_SKEW), 3)) {
            assertTrue(step.faketime() != null && step.faketime().matches("[+-]\\d+s?( x[\\d.]+)?"), step.faketime());
        }
    }

    @Test
    void unknownNemesisNameIsRejectedWithTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schedule.Kind.parse("partition,kill"));
        assertTrue(e.getMessage().contains("partition-one"), e.getMessage());
        assertEquals(Set.of(Schedule.Kind.LEADER_KILL, Schedule.Kind.PAUSE), Schedule.Kind.parse("leader-kill, pause"));
    }

    private static List<Integer> order(int n) {
        return java.util.stream.IntStream.range(0, n).boxed().toList();
    }

    private static boolean sees(Map<Integer, Set<Integer>> grudge, int a, int b) {
        return !grudge.getOrDefault(a, Set.of()).contains(b);
    }

    private static void assertSymmetric(Map<Integer, Set<Integer>> grudge) {
        grudge.forEach((a, enemies) -> enemies.forEach(b -> assertTrue(grudge.get(b).contains(a), a + " vs " + b)));
    }

    @Test
    void isolatingOneNodeCutsItFromEveryoneElse() {
        Map<Integer, Set<Integer>> grudge = Schedule.grudge(Schedule.Kind.PARTITION_ONE, List.of(2, 0, 1));
        assertEquals(Set.of(0, 1), grudge.get(2));
        assertTrue(sees(grudge, 0, 1));
        assertSymmetric(grudge);
    }

    @Test
    void halvesLeaveAMajorityAndAMinority() {
        Map<Integer, Set<Integer>> grudge = Schedule.grudge(Schedule.Kind.PARTITION_HALVES, order(5));
        assertEquals(Set.of(2, 3, 4), grudge.get(0));
        assertEquals(Set.of(0, 1), grudge.get(4));
        assertTrue(sees(grudge, 2, 4));
        assertSymmetric(grudge);
    }

    @Test
    void ringGivesEveryNodeADifferentMajority() {
        Map<Integer, Set<Integer>> grudge = Schedule.grudge(Schedule.Kind.PARTITION_RING, order(5));
        java.util.Set<Set<Integer>> majorities = new java.util.HashSet<>();
        for (int node = 0; node < 5; node++) {
            Set<Integer> visible = new java.util.TreeSet<>();
            for (int other = 0; other < 5; other++) {
                if (sees(grudge, node, other)) {
                    visible.add(other);
                }
            }
            assertEquals(3, visible.size(), "node " + node + " sees a bare majority: " + visible);
            majorities.add(visible);
        }
        assertEquals(5, majorities.size(), "no two nodes see the same majority");
        assertSymmetric(grudge);
    }

    @Test
    void bridgeNodeSeesBothHalvesThatCannotSeeEachOther() {
        Map<Integer, Set<Integer>> grudge = Schedule.grudge(Schedule.Kind.PARTITION_BRIDGE, order(5));
        assertFalse(grudge.containsKey(2), "the bridge drops nothing");
        assertEquals(Set.of(3, 4), grudge.get(0));
        assertEquals(Set.of(0, 1), grudge.get(3));
        assertSymmetric(grudge);
    }

    @Test
    void nodeCommandTemplateExpands() {
        NetnsCluster.Node n1 = new NetnsCluster.Node("n1", 1, "ipjep-abcd-n1", "10.213.7.11");
        NetnsCluster.Node n2 = new NetnsCluster.Node("n2", 2, "ipjep-abcd-n2", "10.213.7.12");
        NodeCommand command = new NodeCommand("/opt/ipamd --node-id {id} --raft-address {raftAddress} "
                + "--http-address {httpAddress} --peers {peers} --data-dir {dataDir} {extraFlags} --log info",
                NodeCommand.PEER_FORMAT, List.of("--unsafe-stale-reads"), List.of("--join"), 9870, 8080);
        assertEquals(List.of("/opt/ipamd", "--node-id", "n2", "--raft-address", "10.213.7.12:9870", "--http-address",
                        "10.213.7.12:8080", "--peers", "n1=10.213.7.11:9870=10.213.7.11:8080,n2=10.213.7.12:9870=10.213.7.12:8080", "--data-dir", "/d/n2",
                        "--unsafe-stale-reads", "--log", "info"),
                command.expand(n2, List.of(n1, n2), Path.of("/d/n2"), false));
        List<String> joining = command.expand(n2, List.of(n1, n2), Path.of("/d/n2"), true);
        assertEquals(List.of("--unsafe-stale-reads", "--join", "--log", "info"), joining.subList(11, 15));
        NodeCommand bare = new NodeCommand("run {id}", "{id}", List.of("-x"), List.of(), 1, 2);
        assertEquals(List.of("run", "n1", "-x"), bare.expand(n1, List.of(n1), Path.of("/d"), false),
                "extra flags go last when the template has no {extraFlags}");
    }

    @Test
    void durationsParse() {
        assertEquals(90_000, Main.millis("90s", "--duration"));
        assertEquals(600_000, Main.millis("10m", "--duration"));
        assertEquals(7_200_000, Main.millis("2h", "--duration"));
        assertEquals(250, Main.millis("250ms", "--duration"));
        assertEquals(30_000, Main.millis("30", "--duration"));
        assertThrows(IllegalArgumentException.class, () -> Main.millis("soon", "--duration"));
    }
}
