package dev.ipam.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.server.raft.TestPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ops/bench-cluster.sh: one row of figures per window, from a cluster it starts and stops again. */
class BenchClusterScriptTest {
    private static final long SCRIPT_TIMEOUT_S = 180;

    @TempDir
    Path temp;

    @Test
    void printsOneRowPerWindowAndStopsItsNodes() throws Exception {
        OpsScripts.assumeServerPackaged();
        Path run = temp.resolve("run");
        // Two nodes: the smallest cluster where the per-node lines differ from the first node's table.
        Map<String, String> env = clusterEnv(run, 2);
        OpsScripts.Run bench = OpsScripts.run(temp, env, SCRIPT_TIMEOUT_S, "ops/bench-cluster.sh", "2", "2", "4");
        assertEquals(0, bench.exit(), bench.output());

        List<String[]> rows = new ArrayList<>();
        for (String line : bench.output().split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length == 11 && fields[0].matches("\\d+")) {
                rows.add(fields);
            }
        }
        assertEquals(2, rows.size(), bench.output());
        for (int i = 0; i < rows.size(); i++) {
            String[] row = rows.get(i);
            assertEquals(Integer.toString(i + 1), row[0], "window number");
            assertTrue(Long.parseLong(row[1]) > 0, "claims made in window " + row[0]);
            assertTrue(Long.parseLong(row[5]) > 0, "CPU per claim of window " + row[0]);
            // The parts (JIT, storage, the rest) are spent CPU: none is negative (a compiler thread
            // that ends must not take its earlier CPU out of the window), and they add up to the whole.
            for (int part = 6; part <= 8; part++) {
                assertTrue(Long.parseLong(row[part]) >= 0, "part " + part + ": " + String.join(" ", row));
            }
            long parts = Long.parseLong(row[6]) + Long.parseLong(row[7]) + Long.parseLong(row[8]);
            assertTrue(Math.abs(parts - Long.parseLong(row[5])) <= 2, String.join(" ", row));
            // The load generator's CPU per claim: a JVM's start-up alone is more than 0.1 s, so more than 0 us.
            assertTrue(Long.parseLong(row[9]) > 0, "load generator CPU: " + String.join(" ", row));
            assertTrue(Long.parseLong(row[10]) > 0, "database size");
        }
        // Write stages over the windows: the node the generator sent to (the leader) queued every claim,
        // each window's project and pool too; every node applied entries.
        long claims = rows.stream().mapToLong(row -> Long.parseLong(row[1])).sum();
        long queued = 0;
        for (int node = 1; node <= 2; node++) {
            String stages = bench.output().split("n" + node + "'s write stages over all windows:\n", 2)[1].split("\n[^ ]", 2)[0];
            assertTrue(stages.matches("(?s).*  applied\\s+[1-9][0-9]* entries.*"), "n" + node + ": " + bench.output());
            java.util.regex.Matcher commands = java.util.regex.Pattern.compile("  queued\\s+(\\d+) commands").matcher(stages);
            queued = Math.max(queued, commands.find() ? Long.parseLong(commands.group(1)) : 0);
        }
        assertTrue(queued >= claims + 2 * 2, claims + " claims, " + queued + " queued: " + bench.output());
        // Compaction over the run: the first node's table by family, then the other node's total (a run
        // this short may end before any compaction).
        assertTrue(bench.output().contains("compactions by column family (" + run.resolve("n1/data/db")), bench.output());
        assertTrue(bench.output().lines().anyMatch(line -> line.matches("n2: (total( +[0-9.]+){6}|no compactions finished)")),
                bench.output());
        java.util.regex.Matcher started = java.util.regex.Pattern.compile("2 node\\(s\\), pids (\\d+) (\\d+),")
                .matcher(bench.output());
        assertTrue(started.find(), bench.output());
        for (int node = 1; node <= 2; node++) {
            long pid = Long.parseLong(started.group(node));
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "node " + node
                    + " still running after the script");
        }
    }

    @Test
    void killedMidWindowStopsItsLoadGeneratorAndNodes() throws Exception {
        OpsScripts.assumeServerPackaged();
        OpsScripts.killDuringLoad(temp, clusterEnv(temp.resolve("run"), 1), SCRIPT_TIMEOUT_S, "ops/bench-cluster.sh",
                "1", "120", "4");
    }

    /** Env for a cluster of {@code nodes} small JVMs on free loopback ports, its data under {@code run}. */
    private static Map<String, String> clusterEnv(Path run, int nodes) throws java.io.IOException {
        return Map.of("IPAM_BENCH_DIR", run.toString(), "IPAM_BENCH_NODES", Integer.toString(nodes),
                "IPAM_RAFT_PORT_BASE", Integer.toString(TestPorts.freeBase(nodes)),
                "IPAM_HTTP_PORT_BASE", Integer.toString(TestPorts.freeBase(nodes)),
                "IPAMD_JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
    }

    @Test
    void passesExtraArgsToEveryNode() throws Exception {
        OpsScripts.assumeServerPackaged();
        // A bad value of a real flag: only an ipamd that received it can name it and refuse to start.
        Map<String, String> env = new java.util.HashMap<>(clusterEnv(temp.resolve("run"), 1));
        env.put("IPAMD_EXTRA_ARGS", "--batch-linger-us -5");
        OpsScripts.Run bench = OpsScripts.run(temp, env, SCRIPT_TIMEOUT_S, "ops/bench-cluster.sh", "1", "2", "4");
        assertEquals(1, bench.exit(), bench.output());
        assertTrue(bench.output().contains("bad setting: batch-linger-us=-5"), bench.output());
    }

    @Test
    void refusesArgumentsThatAreNotPositiveIntegers() throws Exception {
        Map<String, String> env = Map.of("IPAM_BENCH_DIR", temp.resolve("run").toString());
        OpsScripts.Run bench = OpsScripts.run(temp, env, SCRIPT_TIMEOUT_S, "ops/bench-cluster.sh", "2", "0");
        assertEquals(2, bench.exit(), bench.output());
        assertTrue(bench.output().contains("SECONDS must be a positive integer of at most 5 digits, was '0'"), bench.output());
        assertFalse(Files.exists(temp.resolve("run")), "nothing started");
    }
}
