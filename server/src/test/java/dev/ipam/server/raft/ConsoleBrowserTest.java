package dev.ipam.server.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.core.Codec;
import dev.ipam.core.Command;
import dev.ipam.core.Harness;
import dev.ipam.core.Ipam;
import dev.ipam.core.Result;
import dev.ipam.core.model.IPFamily;
import dev.ipam.server.http.ApiConfig;
import dev.ipam.server.http.ApiServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens the web console in headless Chromium (Debian's package) against a 3-node cluster in this
 * JVM: the page's JavaScript must render the members and the pools from the API. Chromium's own
 * headless mode runs the page, then dumps the DOM and a screenshot (target/console.png); no
 * WebDriver library is needed for that. Skipped when chromium is not installed.
 */
class ConsoleBrowserTest {
    private static final long TIMEOUT_MS = 30_000;
    private static final long BROWSER_TIMEOUT_MS = 90_000;

    @TempDir
    Path temp;
    private TestCluster cluster;
    private ApiServer http;

    @AfterEach
    void tearDown() {
        if (http != null) {
            http.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    static Path chromium() {
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        return null;
    }

    private static void run(RaftNode node, String requestId, Command command) {
        Result result = Codec.decodeResult(node.replica().submit(requestId, Codec.encodeCommand(command))
                .orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).join().result());
        assertTrue(result.ok(), requestId + ": " + result.message());
    }

    private String browser(Path chromium, String... mode) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + Files.createTempDirectory(temp, "chromium"),
                "--window-size=1280,1100", "--virtual-time-budget=8000"));
        command.addAll(List.of(mode));
        command.add("http://127.0.0.1:" + http.port() + "/console/");
        Path output = Files.createTempFile(temp, "chromium", ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(false)
                .redirectOutput(output.toFile()).redirectError(temp.resolve("chromium.err").toFile()).start();
        if (!process.waitFor(BROWSER_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("chromium did not finish within " + BROWSER_TIMEOUT_MS + " ms");
        }
        assertEquals(0, process.exitValue(), () -> "chromium failed: " + readQuietly(temp.resolve("chromium.err")));
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void consoleShowsMembersAndPools() throws Exception {
        Path chromium = chromium();
        Assumptions.assumeTrue(chromium != null, "chromium is not installed (apt-get install -y chromium); skipping the browser test");
        cluster = new TestCluster(temp.resolve("cluster"), 3, Ipam::new, s -> s);
        cluster.startAll();
        RaftNode leader = cluster.awaitLeader(TIMEOUT_MS);
        run(leader, "p1", Harness.project("web"));
        run(leader, "p2", Harness.project("db"));
        run(leader, "pool1", Harness.pool("web", "frontend", "10.0.0.0/16"));
        run(leader, "pool2", Harness.pool("db", "storage", "10.1.0.0/20"));
        run(leader, "pool3", Harness.pool("db", "v6", "fd00:10::/56"));
        int[] lengths = {20, 22, 24, 24, 26, 28, 18};
        for (int i = 0; i < lengths.length; i++) {
            run(leader, "w" + i, Harness.claim("web", "web-" + i, IPFamily.IPv4, lengths[i], "frontend"));
        }
        for (int i = 0; i < 6; i++) {
            run(leader, "d" + i, Harness.claim("db", "db-" + i, IPFamily.IPv4, 23 + i % 3, "storage"));
            run(leader, "v" + i, Harness.claim("db", "db6-" + i, IPFamily.IPv6, 60 + i, "v6"));
        }
        http = new ApiServer(ApiConfig.defaults(0).withHost("127.0.0.1"), leader.replica(), leader.admin()).start();

        String dom = browser(chromium, "--dump-dom");
        for (String member : List.of("n1", "n2", "n3")) {
            assertTrue(dom.contains("data-member=\"" + member + "\""), "member " + member + " shown:\n" + dom);
        }
        assertTrue(dom.contains("LEADER"), "the leader's role shown");
        for (String pool : List.of("web/frontend", "db/storage", "db/v6")) {
            assertTrue(dom.contains("data-pool=\"" + pool + "\""), "pool " + pool + " shown:\n" + dom);
        }
        assertTrue(dom.contains("class=\"allocated\""), "occupancy drawn");
        assertTrue(dom.contains("data-project=\"web\""), "projects listed");
        assertTrue(dom.contains("web-6"), "recent changes listed");

        Path target = Path.of("target");
        Files.createDirectories(target);
        Path screenshot = target.resolve("console.png").toAbsolutePath();
        browser(chromium, "--screenshot=" + screenshot, "--hide-scrollbars");
        assertTrue(Files.size(screenshot) > 10_000, "screenshot written");
        System.out.println("console screenshot: " + screenshot);
    }
}
