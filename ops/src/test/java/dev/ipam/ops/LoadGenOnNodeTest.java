package dev.ipam.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** ipam-loadgen against a real one-node ipamd: the claims it counts are the claims the pool holds. */
class LoadGenOnNodeTest {
    private static final Pattern ROW = Pattern.compile("(?m)^(\\d+) +(\\d+) +(\\d+) +([\\d.]+) +([\\d.]+) +([\\d.]+) +(\\d+)$");

    @TempDir
    Path temp;

    @Test
    void everyClaimCountedIsAnAddressTheServerAllocated() throws Exception {
        OpsScripts.assumeServerPackaged();
        int httpBase = OpsScripts.freePortBase(1);
        Map<String, String> env = Map.of("IPAM_RUN_DIR", temp.resolve("run").toString(),
                "IPAM_RAFT_PORT_BASE", Integer.toString(OpsScripts.freePortBase(1)),
                "IPAM_HTTP_PORT_BASE", Integer.toString(httpBase),
                "IPAMD_JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC");
        String server = "http://127.0.0.1:" + (httpBase + 1);
        try {
            assertEquals(0, OpsScripts.run(temp, env, 120, "ops/local-cluster.sh", "up", "-n", "1").exit());
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            PrintStream console = System.out;
            int exit;
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            try {
                exit = new CommandLine(new LoadGen()).execute("--server", server, "--project", "lg-test",
                        "--concurrency", "1,8", "--duration-s", "1");
            } finally {
                System.setOut(console);
            }
            String output = printed.toString(StandardCharsets.UTF_8);
            console.print(output);
            assertEquals(0, exit, output);
            assertTrue(output.contains("concurrency    8"), "a progress line while it runs: " + output);
            List<Integer> levels = new ArrayList<>();
            long claims = 0;
            for (Matcher row = ROW.matcher(output); row.find(); ) {
                levels.add(Integer.parseInt(row.group(1)));
                assertTrue(Long.parseLong(row.group(2)) > 0, "claims at c=" + row.group(1) + ": " + output);
                assertEquals("0", row.group(7), "errors at c=" + row.group(1) + ": " + output);
                claims += Long.parseLong(row.group(2));
            }
            assertEquals(List.of(1, 8), levels, output);
            try (LoadGen.Http http = new LoadGen.Http(URI.create(server))) {
                LoadGen.Http.Response pool = http.send("GET", "/apis/resourcemanager.miloapis.com/v1alpha1/projects/lg-test"
                        + "/control-plane/apis/ipam.miloapis.com/v1alpha1/ippools/loadgen-pool", "");
                Matcher allocated = Pattern.compile("\"allocated\"\\s*:\\s*(\\d+)").matcher(pool.body());
                assertTrue(pool.status() == 200 && allocated.find(), pool.body());
                assertEquals(claims, Long.parseLong(allocated.group(1)), "one /32 per claim counted, none missed");
            }
        } finally {
            OpsScripts.run(temp, env, 120, "ops/local-cluster.sh", "down");
        }
    }
}
