package dev.ipam.jepsen;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/**
 * The CI suite against the real daemon: a few scenarios of faults under load, each about
 * {@code jepsen.duration} (default 120s) plus start-up and checking. Opt in with
 * {@code mvn -pl tests test -Dsurefire.excludedGroups=slow -Dgroups=jepsen}. Needs root, iptables,
 * libfaketime and a built {@code bin/ipamd} (system property {@code jepsen.ipamd}, default the
 * repository's). Runs land in {@code tests/target/jepsen-runs/}.
 */
@Tag("jepsen")
class JepsenScenariosTest {
    private static final long DURATION_MS = Main.millis(System.getProperty("jepsen.duration", "120s"), "jepsen.duration");
    private static final long SEED = Long.getLong("jepsen.seed", 20261122L);
    private static final Path IPAMD = Path.of(System.getProperty("jepsen.ipamd", "../bin/ipamd")).toAbsolutePath().normalize();
    /** The broken-server mode: ipamd serves linearizable reads from local state (no ReadIndex). */
    private static final String STALE_READS_FLAG = "--unsafe-stale-reads";
    private static final Path RUNS = Path.of(System.getProperty("jepsen.runs", "target/jepsen-runs"));

    @BeforeEach
    void requireClusterPrerequisites() {
        assumeTrue(Shell.isRoot(), "skipped: the Jepsen suite needs root (network namespaces)");
        assumeTrue(Shell.available("iptables"), "skipped: iptables is not installed (apt-get install iptables)");
        assumeTrue(Files.isExecutable(IPAMD), "skipped: no executable " + IPAMD + " (build ipamd, or -Djepsen.ipamd=...)");
    }

    private static Scenario scenario(String name, int nodes, String nemeses, List<String> nodeFlags) {
        String template = NodeCommand.IPAMD_TEMPLATE.replace("{ipamd}", IPAMD.toString());
        return new Scenario(name, nodes, DURATION_MS, 60_000, SEED, Schedule.Kind.parse(nemeses),
                Schedule.Timing.standard(), 8, 8, 100_000, 28, 30,
                new NodeCommand(template, NodeCommand.PEER_FORMAT, nodeFlags, List.of(NodeCommand.JOIN_FLAG), 9870, 8080),
                RUNS, 5_000, new Checker.Settings(60_000, 4_000_000, 200),
                System.getProperty("jepsen.token"));
    }

    private static Runner.Outcome run(Scenario scenario) throws Exception {
        Runner.Outcome outcome = Runner.run(scenario);
        System.out.println(scenario.name() + ": " + outcome.report().verdict() + " faults " + outcome.faults() + " ops "
                + outcome.report().counts() + " in " + outcome.runDir());
        return outcome;
    }

    private static void assertValid(Runner.Outcome outcome) {
        assertEquals(Verdict.VALID, outcome.report().verdict(),
                () -> "see " + outcome.runDir() + "/results.edn: " + outcome.report().anomalies());
        assertTrue(outcome.faults() > 0, "faults were injected");
        // Membership changes must work under faults: a remove or re-add the harness could not make is a bug.
        assertEquals(List.of(), outcome.report().nemesisErrors().stream().filter(op -> op.f().contains("membership"))
                .map(op -> op.f() + ": " + op.error()).toList(), () -> "membership nemesis errors, see " + outcome.runDir());
        assertTrue(outcome.report().counts().getOrDefault("claim.ok", 0L) > 0, "claims succeeded");
    }

    @Test
    void partitions() throws Exception {
        assertValid(run(scenario("partitions", 3, "partition-one,partition-halves,leader-partition", List.of())));
    }

    @Test
    void crashesAndPauses() throws Exception {
        assertValid(run(scenario("crash-pause", 3, "kill,leader-kill,pause,leader-pause", List.of())));
    }

    @Test
    void clockSkewAndMembership() throws Exception {
        assumeTrue(Files.exists(Path.of(Nodes.FAKETIME_LIBRARY)), "skipped: apt-get install libfaketime");
        assertValid(run(scenario("clock-membership", 3, "clock-skew,membership,leader-membership", List.of())));
    }

    @Test
    void fiveNodesRingAndBridge() throws Exception {
        assertValid(run(scenario("five-nodes", 5, "partition-ring,partition-bridge,partition-halves,kill", List.of())));
    }

    /** The deliberately broken mode (reads without ReadIndex) must be caught, or the suite proves nothing. */
    @Test
    void staleReadModeIsCaught() throws Exception {
        assumeTrue(new Shell(line -> { }).run(IPAMD.toString(), "--help").output().contains(STALE_READS_FLAG),
                "skipped: " + IPAMD + " has no " + STALE_READS_FLAG + " flag yet");
        Runner.Outcome outcome = run(scenario("broken-stale-reads", 3, "partition-one,leader-partition,partition-halves",
                List.of(STALE_READS_FLAG)));
        assertEquals(Verdict.INVALID, outcome.report().verdict(), "see " + outcome.runDir());
    }
}
