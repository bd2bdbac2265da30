package dev.ipam.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.server.raft.TestPorts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
    private static final Pattern ROW = Pattern.compile("(?m)^(\\d+) +(\\d+) +(\\d+) +([\\d.]+) +([\\d.]+) +([\\d.]+) +(\\d+)( \\{.*\\})?$");

    @TempDir
    Path temp;

    @Test
    void everyClaimCountedIsAnAddressTheServerAllocated() throws Exception {
        Run run = run(List.of(), "1,8");
        assertTrue(run.output().contains("concurrency    8"), "a progress line while it runs: " + run.output());
        assertEquals(List.of(1, 8), run.levels(), run.output());
        assertEquals(List.of(0L, 0L), run.errors(), run.output());
        assertEquals(run.claims(), run.allocated(), "one /32 per claim counted, none missed");
        assertFalse(run.output().contains(LoadGen.RATE_LIMITED), run.output());
    }

    @Test
    void answersOfTheRateLimitAreCountedAndExplained() throws Exception {
        Path config = temp.resolve("rate.conf");
        java.nio.file.Files.writeString(config, "http-requests-per-second=20\nhttp-requests-burst-max=20\n");
        Run run = run(List.of("--config", config.toString()), "4");
        assertTrue(run.errors().get(0) > 0 && run.output().contains("429="), "429s past 20 requests: " + run.output());
        assertTrue(run.output().contains(LoadGen.RATE_LIMITED), "the hint after the table: " + run.output());
        assertEquals(run.claims(), run.allocated(), "a 429 allocates nothing and counts no claim");
    }

    private record Run(String output, List<Integer> levels, List<Long> errors, long claims, long allocated) {
    }

    /** Starts one ipamd with {@code flags}, runs the generator at {@code levels} for 1 s each, reads the pool back. */
    private Run run(List<String> flags, String levels) throws Exception {
        OpsScripts.assumeServerPackaged();
        int httpBase = TestPorts.freeBase(1);
        Map<String, String> env = Map.of("IPAM_RUN_DIR", temp.resolve("run").toString(),
                "IPAM_RAFT_PORT_BASE", Integer.toString(TestPorts.freeBase(1)),
                "IPAM_HTTP_PORT_BASE", Integer.toString(httpBase),
                "IPAMD_JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC");
        String server = "http://127.0.0.1:" + (httpBase + 1);
        try {
            List<String> up = new ArrayList<>(List.of("ops/local-cluster.sh", "up", "-n", "1"));
            if (!flags.isEmpty()) {
                up.add("--");
                up.addAll(flags);
            }
            assertEquals(0, OpsScripts.run(temp, env, 120, up.toArray(String[]::new)).exit());
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            PrintStream console = System.out;
            int exit;
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            try {
                exit = new CommandLine(new LoadGen()).execute("--server", server, "--project", "lg-test",
                        "--concurrency", levels, "--duration-s", "1");
            } finally {
                System.setOut(console);
            }
            String output = printed.toString(StandardCharsets.UTF_8);
            console.print(output);
            assertEquals(0, exit, output);
            List<Integer> seen = new ArrayList<>();
            List<Long> errors = new ArrayList<>();
            long claims = 0;
            for (Matcher row = ROW.matcher(output); row.find(); ) {
                seen.add(Integer.parseInt(row.group(1)));
                assertTrue(Long.parseLong(row.group(2)) > 0, "claims at c=" + row.group(1) + ": " + output);
                claims += Long.parseLong(row.group(2));
                errors.add(Long.parseLong(row.group(7)));
            }
            // Read back from another loopback address: the rate limit counts per address, and a limited
            // run has spent 127.0.0.1's budget.
            java.net.Socket socket = new java.net.Socket();
            socket.bind(new java.net.InetSocketAddress("127.0.0.2", 0));
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", httpBase + 1), 5000);
            socket.setSoTimeout(30_000);
            try (LoadGen.Http http = new LoadGen.Http(socket, socket.getInputStream(), socket.getOutputStream(),
                    "127.0.0.1:" + (httpBase + 1))) {
                LoadGen.Http.Response pool = http.send("GET", "/apis/resourcemanager.miloapis.com/v1alpha1/projects/lg-test"
                        + "/control-plane/apis/ipam.miloapis.com/v1alpha1/ippools/loadgen-pool", "");
                Matcher allocated = Pattern.compile("\"allocated\"\\s*:\\s*(\\d+)").matcher(pool.body());
                assertTrue(pool.status() == 200 && allocated.find(), pool.body());
                return new Run(output, seen, errors, claims, Long.parseLong(allocated.group(1)));
            }
        } finally {
            OpsScripts.run(temp, env, 120, "ops/local-cluster.sh", "down");
        }
    }
}
