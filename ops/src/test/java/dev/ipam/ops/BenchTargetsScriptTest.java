package dev.ipam.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.server.raft.TestPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ops/bench-targets.sh: every target measured per round, verdicts from the medians, nothing left running. */
class BenchTargetsScriptTest {
    private static final long SCRIPT_TIMEOUT_S = 300;

    @TempDir
    Path temp;

    private OpsScripts.Run report(String... rounds) throws Exception {
        Path results = temp.resolve("results");
        Files.writeString(results, String.join("\n", rounds) + "\n");
        OpsScripts.Run run = OpsScripts.run(temp, Map.of(), 30, "ops/bench-targets.sh", "--report", results.toString());
        assertEquals(0, run.exit(), run.output());
        return run;
    }

    @Test
    void verdictsComeFromTheMediansAndTheWorstP99() throws Exception {
        // round, one node claims/s p99 us/claim, three nodes c=256 claims/s p99, c=16 p99 first / second
        OpsScripts.Run run = report("1 20500 11 70 10100 60 12 14", "2 19000 12 75 8000 80 49.9 20",
                "3 21000 10 68 9000 70 13 15");
        String out = run.output();
        assertTrue(out.contains("one node, c=64:     median 20500 claims/s (target at least 20000): met"), out);
        assertTrue(out.contains("three nodes, c=256: median 9000 claims/s (target at least 10000): not met"), out);
        assertTrue(out.contains("three nodes, c=16:  worst p99 49.9 ms over all rounds (target under 50): met"), out);
        assertTrue(out.matches("(?s).*\\n2 +19000 +12 +75 +8000 +80 +49\\.9 / 20\\n.*"), out);
    }

    @Test
    void anEvenCountTakesTheLowerMiddleAndFiftyMillisecondsMisses() throws Exception {
        String out = report("1 20000 11 70 12000 60 12 50", "2 19999 12 75 10000 80 13 14").output();
        assertTrue(out.contains("median 19999 claims/s (target at least 20000): not met"), out);
        assertTrue(out.contains("median 10000 claims/s (target at least 10000): met"), out);
        assertTrue(out.contains("worst p99 50 ms over all rounds (target under 50): not met"), out);
    }

    @Test
    void refusesBadArguments() throws Exception {
        OpsScripts.Run missing = OpsScripts.run(temp, Map.of(), 30, "ops/bench-targets.sh", "--report",
                temp.resolve("none").toString());
        assertEquals(2, missing.exit(), missing.output());
        assertTrue(missing.output().contains("--report needs a results file"), missing.output());
        OpsScripts.Run rounds = OpsScripts.run(temp, Map.of(), 30, "ops/bench-targets.sh", "three");
        assertEquals(2, rounds.exit(), rounds.output());
        assertTrue(rounds.output().contains("ROUNDS must be a positive integer of at most 5 digits, was 'three'"), rounds.output());
    }

    private Map<String, String> shortRun(Path dir) {
        int node = TestPorts.freeBase(2);
        Map<String, String> env = new HashMap<>(OpsScripts.benchNodeEnv(dir.resolve("unused"), node));
        env.remove("IPAM_BENCH_DIR"); // the script gives bench-node.sh a directory of each round's
        env.putAll(Map.of("IPAM_TARGETS_DIR", dir.toString(), "IPAM_TARGETS_NODE_WARM_S", "1",
                "IPAM_TARGETS_NODE_S", "2", "IPAM_TARGETS_CLUSTER_WARM_S", "1", "IPAM_TARGETS_CLUSTER_S", "1",
                "IPAM_RAFT_PORT_BASE", Integer.toString(TestPorts.freeBase(3)),
                "IPAM_HTTP_PORT_BASE", Integer.toString(TestPorts.freeBase(3))));
        return env;
    }

    @Test
    void aShortRoundMeasuresEveryTargetKeepsTheLogsAndStopsItsNodes() throws Exception {
        OpsScripts.assumeServerPackaged();
        Path dir = temp.resolve("targets");
        Map<String, String> env = shortRun(dir);
        OpsScripts.Run run = OpsScripts.run(temp, env, SCRIPT_TIMEOUT_S, "ops/bench-targets.sh", "1");
        assertEquals(0, run.exit(), run.output());

        List<String> rows = Files.readAllLines(dir.resolve("results"));
        assertEquals(1, rows.size(), rows.toString());
        String[] f = rows.get(0).split(" ");
        assertEquals(8, f.length, rows.get(0));
        assertEquals("1", f[0]);
        assertTrue(Double.parseDouble(f[1]) > 0, "one node's claims/s: " + rows.get(0));
        assertTrue(Long.parseLong(f[3]) > 0, "ipamd's CPU per claim: " + rows.get(0));
        assertTrue(Double.parseDouble(f[4]) > 0, "three nodes' claims/s at c=256: " + rows.get(0));
        for (int i = 5; i < 8; i++) {
            assertTrue(Double.parseDouble(f[i]) > 0, "p99 field " + i + ": " + rows.get(0));
        }
        // The printed table is the results file's, and each target has its verdict.
        assertTrue(run.output().matches("(?s).*\\n1 +" + f[1] + " .*"), run.output());
        for (String target : new String[] {"one node, c=64:", "three nodes, c=256:", "three nodes, c=16:"}) {
            assertTrue(run.output().matches("(?s).*\\n" + target + " .*: (met|not met)\\n.*"), target + run.output());
        }
        // What explains a slow round stays; the databases go.
        assertTrue(Files.readString(dir.resolve("r1-node.out")).contains("us/claim"));
        assertTrue(Files.readString(dir.resolve("r1-cluster.out")).contains("concurrency"));
        for (int i = 1; i <= 3; i++) {
            Path node = dir.resolve("r1-cluster/n" + i);
            assertTrue(Files.exists(node.resolve("out.log")), node + " logs");
            assertTrue(Files.exists(node.resolve("rocksdb.LOG")), node + " RocksDB LOG");
            assertFalse(Files.exists(node.resolve("data")), node + " data not removed");
        }
        assertTrue(Files.exists(dir.resolve("r1-node/rocksdb.LOG")));
        assertFalse(Files.exists(dir.resolve("r1-node/data")), "the node's data not removed");

        int nodeHttp = Integer.parseInt(env.get("IPAM_BENCH_HTTP_PORT"));
        assertFalse(OpsScripts.listening(nodeHttp), "bench-node's ipamd still serves on " + nodeHttp);
        int http = Integer.parseInt(env.get("IPAM_HTTP_PORT_BASE"));
        for (int i = 1; i <= 3; i++) {
            assertFalse(OpsScripts.listening(http + i), "a cluster node still serves on " + (http + i));
        }
    }

    @Test
    void killedDuringTheOneNodeBenchmarkStopsItsNodeAndLoadGenerator() throws Exception {
        OpsScripts.assumeServerPackaged();
        Path dir = temp.resolve("targets");
        Map<String, String> env = shortRun(dir);
        env.put("IPAM_TARGETS_NODE_WARM_S", "120");
        env.put("IPAM_BENCH_DIR", dir.toString()); // where killDuringLoad finds the script's ipamd by its data
        OpsScripts.killDuringLoad(temp, env, SCRIPT_TIMEOUT_S, "ops/bench-targets.sh", "1");
    }
}
