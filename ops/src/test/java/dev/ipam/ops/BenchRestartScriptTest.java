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

/** ops/bench-restart.sh: a node killed under load comes back with every claim, and the script reports it. */
class BenchRestartScriptTest {
    private static final long SCRIPT_TIMEOUT_S = 240;

    @TempDir
    Path temp;

    @Test
    void aNodeKilledUnderLoadIsReadyAgainWithEveryClaim() throws Exception {
        OpsScripts.assumeServerPackaged();
        int base = TestPorts.freeBase(2);
        int httpPort = base + 2;
        // Snapshots every 50 entries: the kill falls after some, so the restart replays the log above one.
        Map<String, String> env = OpsScripts.benchNodeEnv(temp.resolve("run"), base,
                "IPAMD_EXTRA_ARGS", "--snapshot-auto-entries 50");
        OpsScripts.Run bench = OpsScripts.run(temp, env, SCRIPT_TIMEOUT_S, "ops/bench-restart.sh", "8", "4");
        assertEquals(0, bench.exit(), bench.output());

        long killedAt = number(bench.output(), "applied index at the kill: +(\\d+)");
        long reopenedAt = number(bench.output(), "database reopened at index: +(\\d+)");
        long readyAt = number(bench.output(), "ready again after: +[0-9.]+ s \\(applied index then (\\d+)\\)");
        assertTrue(killedAt > 0, bench.output());
        assertTrue(reopenedAt <= killedAt, bench.output());
        assertTrue(readyAt >= killedAt, "ready behind the index applied before the kill: " + bench.output());
        long allocated = number(bench.output(), "pool capacity.allocated: +(\\d+)");
        long answered = number(bench.output(), "had seen at least (\\d+) claims succeed");
        assertTrue(answered > 0, bench.output());
        assertTrue(allocated >= answered, bench.output());
        assertFalse(OpsScripts.listening(httpPort), "ipamd still serves on " + httpPort + " after the script");
    }

    private static long number(String output, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(output);
        assertTrue(matcher.find(), "no \"" + regex + "\" in: " + output);
        return Long.parseLong(matcher.group(1));
    }
}
