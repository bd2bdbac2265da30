package dev.ipam.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.server.raft.TestPorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ops/local-cluster.sh passes the flags after "--" to every ipamd it starts, and only to "up". */
class LocalClusterScriptTest {
    private static final long SCRIPT_TIMEOUT_S = 120;

    @TempDir
    Path temp;

    @Test
    void flagsAfterDoubleDashReachTheNode() throws Exception {
        OpsScripts.assumeServerPackaged();
        Path run = temp.resolve("run");
        Map<String, String> env = Map.of("IPAM_RUN_DIR", run.toString(),
                "IPAM_RAFT_PORT_BASE", Integer.toString(TestPorts.freeBase(1)),
                "IPAM_HTTP_PORT_BASE", Integer.toString(TestPorts.freeBase(1)),
                "IPAMD_JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        try {
            assertEquals(0, script(env, "up", "-n", "1", "--", "--batch-linger-us", "777"));
            long pid = Long.parseLong(Files.readString(run.resolve("n1.pid")).trim());
            List<String> args = Arrays.asList(new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")),
                    StandardCharsets.UTF_8).split("\0"));
            assertTrue(Collections.indexOfSubList(args, List.of("--batch-linger-us", "777")) >= 0,
                    "ipamd's command line: " + args);
        } finally {
            script(env, "down");
        }
    }

    @Test
    void onlyUpTakesIpamdFlags() throws Exception {
        Map<String, String> env = Map.of("IPAM_RUN_DIR", temp.resolve("run").toString());
        assertEquals(2, script(env, "down", "--batch-linger-us", "777"));
        assertEquals(2, script(env, "status", "--", "--batch-linger-us", "777"));
    }

    private int script(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("ops/local-cluster.sh"));
        command.addAll(List.of(args));
        return OpsScripts.run(temp, env, SCRIPT_TIMEOUT_S, command.toArray(String[]::new)).exit();
    }
}
