package dev.ipam.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.server.raft.TestPorts;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ops/bench-node.sh: the load generator's claim cap is the script's, and the node it starts stops again. */
class BenchNodeScriptTest {
    private static final long SCRIPT_TIMEOUT_S = 180;

    @TempDir
    Path temp;

    @Test
    void levelsEndAtTheScriptsClaimCapAndTheNodeStops() throws Exception {
        OpsScripts.assumeServerPackaged();
        int base = TestPorts.freeBase(2);
        int httpPort = base + 2;
        // 30 s levels that end after 40 claims: the level ends by the cap the script passes on (until
        // session 10 the generator's own 300,000 ended the levels, whatever their length).
        Map<String, String> env = OpsScripts.benchNodeEnv(temp.resolve("run"), base, "IPAM_BENCH_WARM_S", "30",
                "IPAM_BENCH_CLAIMS_MAX", "40");
        OpsScripts.Run bench = OpsScripts.run(temp, env, SCRIPT_TIMEOUT_S, "ops/bench-node.sh", "4", "30");
        assertEquals(0, bench.exit(), bench.output());

        Matcher row = Pattern.compile("(?m)^4\\s+(\\d+)\\s+\\d+").matcher(bench.output());
        assertTrue(row.find(), bench.output());
        assertEquals(40, Long.parseLong(row.group(1)), "claims in the measured level: " + bench.output());
        Matcher cost = Pattern.compile("for (\\d+) claims = (\\d+) us/claim").matcher(bench.output());
        assertTrue(cost.find(), bench.output());
        assertEquals("40", cost.group(1), bench.output());
        assertTrue(bench.output().contains("ipamd CPU by thread group"), bench.output());
        // The write stages between the scrapes around the measured level: its 40 claims queued, with the
        // generator's project and pool and the claims its 4 connections had in flight at the cap (46
        // in a run of 2026-11-24), in entries that were replied to.
        Matcher queued = Pattern.compile("(?m)^  queued\\s+(\\d+) commands\\s+mean\\s+\\d+\\.\\d{3} ms$").matcher(bench.output());
        assertTrue(queued.find(), bench.output());
        long commands = Long.parseLong(queued.group(1));
        assertTrue(commands >= 40 && commands <= 40 + 2 + 4, commands + " commands queued: " + bench.output());
        for (String stage : new String[] {"replied", "committed", "applied", "answered"}) {
            Matcher entries = Pattern.compile("(?m)^  " + stage + "\\s+(\\d+) entries").matcher(bench.output());
            assertTrue(entries.find(), stage + ": " + bench.output());
            long n = Long.parseLong(entries.group(1));
            assertTrue(n >= 1 && n <= commands, n + " " + stage + " entries: " + bench.output());
        }
        assertTrue(bench.output().contains("compactions by column family (" + temp.resolve("run/data/db")),
                "RocksDB's compactions from the node's LOG: " + bench.output());
        String warm = java.nio.file.Files.readString(temp.resolve("run/warm.out"));
        Matcher warmRow = Pattern.compile("(?m)^64\\s+(\\d+)\\s+\\d+").matcher(warm);
        assertTrue(warmRow.find(), warm);
        assertEquals(40, Long.parseLong(warmRow.group(1)), "claims in the warm-up: " + warm);
        assertFalse(OpsScripts.listening(httpPort), "ipamd still serves on " + httpPort + " after the script");
    }

    @Test
    void killedDuringLoadStopsItsLoadGeneratorAndNode() throws Exception {
        OpsScripts.assumeServerPackaged();
        Map<String, String> env = OpsScripts.benchNodeEnv(temp.resolve("run"), TestPorts.freeBase(2),
                "IPAM_BENCH_WARM_S", "120");
        OpsScripts.killDuringLoad(temp, env, SCRIPT_TIMEOUT_S, "ops/bench-node.sh", "4", "120");
    }

    @Test
    void runsWithItsDefaultClaimCap() throws Exception {
        OpsScripts.assumeServerPackaged();
        int base = TestPorts.freeBase(2);
        // 1 s phases: the default cap must be one the load generator accepts (it takes at most 10,000,000).
        Map<String, String> env = OpsScripts.benchNodeEnv(temp.resolve("run"), base, "IPAM_BENCH_WARM_S", "1");
        OpsScripts.Run bench = OpsScripts.run(temp, env, SCRIPT_TIMEOUT_S, "ops/bench-node.sh", "2", "1");
        assertEquals(0, bench.exit(), bench.output());
        Matcher row = Pattern.compile("(?m)^2\\s+(\\d+)\\s+\\d+").matcher(bench.output());
        assertTrue(row.find(), bench.output());
        assertTrue(Long.parseLong(row.group(1)) > 0, bench.output());
        assertFalse(OpsScripts.listening(base + 2), "ipamd still serves after the script");
    }
}
