package dev.ipam.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stock kubectl pointed at a project's control-plane prefix: discovery, create/apply, get in every
 * output form, selectors, watch, describe, explain and delete. Skipped (saying so) without kubectl.
 * The steps talk to the server through kubectl only, so the same scenario can run against a cluster:
 * a subclass in another module hides {@code start()}/{@code stop()} with its own static methods that
 * start the cluster, create the project and call {@link #against(String, Path)} with the prefix URL.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public class KubectlScenarioTest {
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    static Fixture api;
    @TempDir
    static Path dir;
    static Path kubeconfig;

    static String kubectl() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String entry : path.split(File.pathSeparator)) {
            File candidate = new File(entry, "kubectl");
            if (candidate.canExecute()) {
                return candidate.getAbsolutePath();
            }
        }
        return null;
    }

    @BeforeAll
    static void start() throws IOException {
        Assumptions.assumeTrue(kubectl() != null, "kubectl is not on the PATH: the kubectl scenario is skipped");
        api = new Fixture();
        against("http://127.0.0.1:" + api.server.port() + Fixture.P1, dir);
    }

    /**
     * Points the scenario at a control-plane prefix URL (its project must exist and be empty), with a
     * work directory for the kubeconfig, manifests and kubectl's cache. Run the steps in order after.
     */
    public static void against(String serverPrefixUrl, Path workDir) throws IOException {
        dir = workDir;
        kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: ipam
                  cluster:
                    server: %s
                contexts:
                - name: ipam
                  context: {cluster: ipam, user: anonymous, namespace: default}
                current-context: ipam
                users:
                - name: anonymous
                  user: {}
                """.formatted(serverPrefixUrl));
        Files.writeString(dir.resolve("pool.yaml"), """
                apiVersion: ipam.miloapis.com/v1alpha1
                kind: IPPool
                metadata:
                  name: web
                  labels: {tier: web}
                spec:
                  cidr: 10.0.0.0/24
                  ipFamily: IPv4
                """);
        Files.writeString(dir.resolve("claims.yaml"), claims("a"));
        Files.writeString(dir.resolve("c3.yaml"), """
                apiVersion: ipam.miloapis.com/v1alpha1
                kind: IPClaim
                metadata: {name: c3}
                spec: {ipFamily: IPv4, prefixLength: 29, poolRef: {name: web}}
                """);
    }

    static String claims(String label) {
        return """
                apiVersion: ipam.miloapis.com/v1alpha1
                kind: IPClaim
                metadata:
                  name: c1
                  labels: {app: %s}
                spec:
                  ipFamily: IPv4
                  prefixLength: 28
                  poolRef: {name: web}
                ---
                apiVersion: ipam.miloapis.com/v1alpha1
                kind: IPClaim
                metadata:
                  name: c2
                  labels: {app: b}
                spec:
                  ipFamily: IPv4
                  prefixLength: 30
                  poolRef: {name: web}
                """.formatted(label);
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    record Run(int exit, String out, String err) {
    }

    static ProcessBuilder command(String... args) {
        List<String> command = new ArrayList<>(List.of(kubectl(), "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", dir.resolve("cache").toString(), "--request-timeout=30s"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(dir.toFile());
    }

    static Run run(String... args) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = command(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in " + COMMAND_TIMEOUT);
        }
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    static Run ok(String... args) throws Exception {
        Run run = run(args);
        assertEquals(0, run.exit(), "kubectl " + String.join(" ", args) + " failed:\n" + run.err() + run.out());
        return run;
    }

    @Test
    @Order(1)
    public void apiResources() throws Exception {
        Run run = ok("api-resources");
        assertTrue(run.out().matches("(?s).*ipclaims\\s+ipclaim\\s+ipam.miloapis.com/v1alpha1\\s+true\\s+IPClaim.*"), run.out());
        assertTrue(run.out().matches("(?s).*ippools\\s+ippool\\s+ipam.miloapis.com/v1alpha1\\s+false\\s+IPPool.*"), run.out());
        assertTrue(run.out().contains("ipalloc"), run.out());
    }

    @Test
    @Order(2)
    public void createAndApply() throws Exception {
        assertTrue(ok("create", "-f", "pool.yaml").out().contains("ippool.ipam.miloapis.com/web created"));
        Run applied = ok("apply", "-f", "claims.yaml");
        assertTrue(applied.out().contains("ipclaim.ipam.miloapis.com/c1 created"), applied.out());
        assertTrue(applied.out().contains("ipclaim.ipam.miloapis.com/c2 created"), applied.out());
        Files.writeString(dir.resolve("claims.yaml"), claims("a2"));
        Run again = ok("apply", "-f", "claims.yaml");
        assertTrue(again.out().contains("ipclaim.ipam.miloapis.com/c1 configured"), again.out());
        assertTrue(again.out().contains("ipclaim.ipam.miloapis.com/c2 unchanged"), again.out());
        Run duplicate = run("create", "-f", "pool.yaml");
        assertEquals(1, duplicate.exit());
        assertTrue(duplicate.err().contains("AlreadyExists"), duplicate.err());
        // kubectl prints each cause as "field: message": the kind, the field once, and why.
        Run immutable = run("patch", "ipclaim", "c1", "--type=merge", "-p", "{\"spec\":{\"prefixLength\":27}}");
        assertEquals(1, immutable.exit());
        assertTrue(immutable.err().contains("The IPClaim \"c1\" is invalid: spec.prefixLength: field is immutable"),
                immutable.err());
    }

    @Test
    @Order(3)
    public void getInEveryForm() throws Exception {
        Run table = ok("get", "ipclaims");
        assertTrue(table.out().matches("(?s)NAME\\s+PHASE\\s+CIDR\\s+POOL\\s+FAMILY\\s+LENGTH\\s+AGE\\s*\n.*"), table.out());
        assertTrue(table.out().matches("(?s).*c1\\s+Bound\\s+10\\.0\\.0\\.0/28\\s+web\\s+IPv4\\s+28.*"), table.out());
        assertTrue(ok("get", "ipclaims", "-o", "wide").out().contains("RECLAIM"));
        Run pools = ok("get", "ippools");
        assertTrue(pools.out().matches("(?s)NAME\\s+CIDR\\s+PHASE\\s+FAMILY\\s+LARGEST FREE\\s+UTIL%\\s+AGE.*"), pools.out());
        Run yaml = ok("get", "ipclaim", "c1", "-o", "yaml");
        assertTrue(yaml.out().contains("allocatedCIDR: 10.0.0.0/28"), yaml.out());
        JsonNode json = Fixture.JSON.readTree(ok("get", "ipclaim", "c2", "-o", "json").out());
        assertEquals("Bound", json.path("status").path("phase").asText());
        assertEquals("ipclaim.ipam.miloapis.com/c1\nipclaim.ipam.miloapis.com/c2\n", ok("get", "ipclaims", "-o", "name").out());
        Run selected = ok("get", "ipclaims", "-l", "app=a2", "-o", "name");
        assertEquals("ipclaim.ipam.miloapis.com/c1\n", selected.out());
        assertEquals("ipclaim.ipam.miloapis.com/c2\n", ok("get", "ipclaims", "-l", "app in (b,c)", "-o", "name").out());
        assertEquals(2, ok("get", "ipalloc", "-o", "name").out().lines().count());
        Run missing = run("get", "ipclaim", "nope");
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("NotFound") || missing.err().contains("not found"), missing.err());
    }

    @Test
    @Order(4)
    public void watch() throws Exception {
        try (Watching watch = watching("get", "ipclaims", "-w")) {
            assertTrue(waitFor(watch.lines(), "c2"), "the initial list is printed");
            ok("create", "-f", "c3.yaml");
            assertTrue(waitFor(watch.lines(), "c3"), "the new claim arrives on the watch");
            watch.close();
            assertFalse(watch.process().isAlive());
        }
    }

    /** A running {@code kubectl ... -w} and the lines it printed so far; close kills it. */
    record Watching(Process process, BlockingQueue<String> lines) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    static Watching watching(String... args) throws IOException {
        Process process = command(args).redirectErrorStream(true).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process was killed
            }
        }, "kubectl-watch-reader");
        reader.setDaemon(true);
        reader.start();
        return new Watching(process, lines);
    }

    private static boolean waitFor(BlockingQueue<String> lines, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null && line.contains(text)) {
                return true;
            }
        }
        return false;
    }

    @Test
    @Order(5)
    public void describeAndExplain() throws Exception {
        Run described = ok("describe", "ipclaim", "c1");
        assertTrue(described.out().matches("(?s)Name:\\s+c1\n.*Namespace:\\s+default.*Allocated CIDR:\\s+10\\.0\\.0\\.0/28.*"),
                described.out());
        Run explained = ok("explain", "ipclaims", "--recursive");
        assertTrue(explained.out().contains("KIND:       IPClaim"), explained.out());
        assertTrue(explained.out().matches("(?s).*poolSelector\\s+<Object>.*matchExpressions.*"), explained.out());
        assertTrue(ok("explain", "ippool.spec.allocation.strategy").out().contains("FirstFit"));
    }

    @Test
    @Order(6)
    public void deleteAndDryRun() throws Exception {
        Run dry = ok("delete", "ipclaim", "c3", "--dry-run=server");
        assertTrue(dry.out().contains("deleted (server dry run)"), dry.out());
        assertEquals("ipclaim.ipam.miloapis.com/c3\n", ok("get", "ipclaim", "c3", "-o", "name").out(),
                "a dry-run delete deletes nothing");
        Run deleted = ok("delete", "-f", "claims.yaml");
        assertTrue(deleted.out().contains("ipclaim.ipam.miloapis.com \"c1\" deleted"), deleted.out());
        ok("delete", "ipclaim", "c3");
        assertTrue(ok("delete", "ippool", "web").out().contains("deleted"));
        Run empty = ok("get", "ipclaims");
        assertTrue(empty.err().contains("No resources found"), empty.err());
    }

    /**
     * Server-side apply from kubectl drops a label the manifest no longer has, and a label-selector
     * watch reports a relabelled claim leaving the selection as DELETED.
     */
    @Test
    @Order(7)
    public void serverSideApplyAndSelectorWatch() throws Exception {
        String pool = """
                apiVersion: ipam.miloapis.com/v1alpha1
                kind: IPPool
                metadata:
                  name: gitops
                  labels: {%s}
                spec:
                  cidr: 10.1.0.0/24
                  ipFamily: IPv4
                """;
        Files.writeString(dir.resolve("gitops.yaml"), pool.formatted("tier: web, env: prod"));
        assertTrue(ok("apply", "--server-side", "-f", "gitops.yaml").out().contains("serverside-applied"));
        Files.writeString(dir.resolve("gitops.yaml"), pool.formatted("tier: web"));
        ok("apply", "--server-side", "-f", "gitops.yaml");
        assertEquals("{\"tier\":\"web\"}", ok("get", "ippool", "gitops", "-o", "jsonpath={.metadata.labels}").out());

        Files.writeString(dir.resolve("g1.yaml"), """
                apiVersion: ipam.miloapis.com/v1alpha1
                kind: IPClaim
                metadata: {name: g1, labels: {app: watched}}
                spec: {ipFamily: IPv4, prefixLength: 30, poolRef: {name: gitops}}
                """);
        ok("create", "-f", "g1.yaml");
        try (Watching watch = watching("get", "ipclaims", "-w", "-l", "app=watched", "--output-watch-events")) {
            assertTrue(waitFor(watch.lines(), "g1"), "the claim is listed first");
            ok("label", "ipclaim", "g1", "app=elsewhere", "--overwrite");
            assertTrue(waitFor(watch.lines(), "DELETED"), "relabelled out of the selector: DELETED for this watch");
        }
        ok("delete", "ipclaim", "g1");
        ok("delete", "ippool", "gitops");
    }
}
