package dev.ipam.jepsen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ipam.jepsen.Linearizability.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole harness (namespaces, node processes, nemesis, workload, checker, files) against three
 * fake nodes that forward to one primary: a linearizable but non-durable service, so only faults
 * it survives are used (partitions and pauses). With the fake's stale-read flag passed as an extra
 * node flag, the same run must fail: the path a real broken-server flag takes.
 */
@Tag("netns")
class RunnerTest {
    @TempDir
    Path runs;

    @BeforeEach
    void requireRootAndTools() {
        assumeTrue(Shell.isRoot(), "skipped: network namespaces need root (id -u is not 0)");
        assumeTrue(Shell.available("iptables"), "skipped: iptables is not installed (apt-get install iptables)");
    }

    private static final Set<Schedule.Kind> PARTITIONS_AND_PAUSES = Set.of(Schedule.Kind.PARTITION_ONE,
            Schedule.Kind.PARTITION_HALVES, Schedule.Kind.PAUSE);

    /**
     * Enough that the duration, not the ops budget, ends the workload: the fake answers ~2,400 ops/s
     * on an idle machine, and 3 pools x 4,000 ops once ended a 20 s run after 5 s, before its clock
     * skew was due.
     */
    private static final int OPS_PER_POOL = 30_000;

    private Scenario scenario(String name, List<String> extraFlags, long seed, long durationMs, Set<Schedule.Kind> kinds) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String template = java + " -Xmx96m -XX:TieredStopAtLevel=1 -cp " + System.getProperty("java.class.path") + " "
                + FakeIpamd.class.getName() + " {httpAddress} --peers {peers} --data-dir {dataDir} {extraFlags}";
        NodeCommand command = new NodeCommand(template, "{id}={httpAddress}", extraFlags, List.of(), 9870, 8080);
        return new Scenario(name, 3, durationMs, 20_000, seed, kinds, new Schedule.Timing(1_000, 2_000, 3_000, 4_000), 6, 3, OPS_PER_POOL, 26, 29, command, runs, 2_000,
                Checker.Settings.defaults(), null);
    }

    @Test
    void healthyServiceUnderPartitionsAndPausesIsValid() throws Exception {
        Runner.Outcome outcome = Runner.run(scenario("fake-ok", List.of(), 11, 15_000, PARTITIONS_AND_PAUSES));
        Checker.Report report = outcome.report();
        assertEquals(Verdict.VALID, report.verdict(), () -> "run dir " + outcome.runDir() + ": " + report.anomalies());
        assertTrue(outcome.faults() >= 1, "at least one fault was applied");
        assertTrue(report.counts().getOrDefault("claim.ok", 0L) > 20, () -> "claims went through: " + report.counts());
        for (String file : List.of("history.jsonl", "history.edn", "results.edn", "results.json", "latency.png",
                "throughput.png", "harness.log", "nodes/n1/node.log")) {
            assertTrue(Files.size(outcome.runDir().resolve(file)) > 0, file + " written");
        }
        assertEquals(HistoryJson.read(outcome.runDir().resolve("history.jsonl")).size(), outcome.operations(),
                "the streamed history holds every op");
        assertTrue(Files.readString(outcome.runDir().resolve("results.edn")).startsWith("{:valid? true"));
        // Only this run's objects: another harness (a second checkout's CI) may be running beside it.
        Shell shell = new Shell(line -> { });
        String ours = NetnsCluster.PREFIX + "-" + outcome.runId();
        String namespaces = shell.check("ip", "netns", "list");
        assertFalse(namespaces.contains(ours + "-"), "no namespace of run " + outcome.runId() + " left: " + namespaces);
        String links = shell.check("ip", "-o", "link", "show");
        assertFalse(links.contains(NetnsCluster.PREFIX + outcome.runId()), "no bridge or veth of the run left: " + links);
        String forward = shell.check("iptables", "-S", "FORWARD");
        assertFalse(forward.contains(ours), "no FORWARD rule of the run left: " + forward);
    }

    /**
     * Seed 4 plans a kill, two clock skews and a kill of the leader (n1, the fake's primary, which
     * keeps its state on disk): restarts on the same data and under libfaketime work.
     */
    @Test
    void crashesAndClockSkewOnDurableServiceAreValid() throws Exception {
        assumeTrue(Files.exists(Path.of(Nodes.FAKETIME_LIBRARY)), "skipped: apt-get install libfaketime");
        Runner.Outcome outcome = Runner.run(scenario("fake-crash", List.of(), 4, 20_000, Set.of(Schedule.Kind.PARTITION_HALVES,
                Schedule.Kind.PAUSE, Schedule.Kind.KILL, Schedule.Kind.LEADER_KILL, Schedule.Kind.CLOCK_SKEW)));
        assertEquals(Verdict.VALID, outcome.report().verdict(),
                () -> "run dir " + outcome.runDir() + ": " + outcome.report().anomalies());
        assertTrue(Files.readString(outcome.runDir().resolve("nodes/n1/node.log")).contains("=== kill -9"),
                "the leader (n1) was killed");
        String logs = "";
        for (String node : List.of("n1", "n2", "n3")) {
            logs += Files.readString(outcome.runDir().resolve("nodes/" + node + "/node.log"));
        }
        assertTrue(logs.contains("FAKETIME="), "a node ran under libfaketime");
        String history = Files.readString(outcome.runDir().resolve("history.jsonl"));
        assertTrue(history.contains("\"f\":\"start-clock-skew\"") && history.contains("\"f\":\"stop-kill\""),
                "the plan's faults are in the history");
        assertTrue(outcome.report().counts().getOrDefault("claim.ok", 0L) > 20, () -> "" + outcome.report().counts());
    }

    @Test
    void staleReadFlagPassedToNodesIsCaught() throws Exception {
        Runner.Outcome outcome = Runner.run(scenario("fake-stale", List.of("--stale-reads"), 12, 15_000,
                PARTITIONS_AND_PAUSES));
        assertEquals(Verdict.INVALID, outcome.report().verdict(), "run dir " + outcome.runDir());
        assertTrue(Files.readString(outcome.runDir().resolve("results.edn")).startsWith("{:valid? false"));
    }
}
