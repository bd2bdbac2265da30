package dev.ipam.server.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.core.Codec;
import dev.ipam.core.Command;
import dev.ipam.core.Harness;
import dev.ipam.core.Ipam;
import dev.ipam.core.Result;
import dev.ipam.core.model.IPFamily;
import dev.ipam.server.http.ApiConfig;
import dev.ipam.server.http.ApiServer;
import dev.ipam.server.metrics.NodeMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scrapes /metrics of a Raft node while claims run; changes a log level at run time. */
class MetricsAndLogLevelTest {
    private static final long TIMEOUT_MS = 30_000;
    private static final int CLAIMS = 200;
    private static final int POOLS = NodeMetrics.POOLS_LABELLED_MAX + 5;

    @TempDir
    Path temp;
    private TestCluster cluster;
    private ApiServer http;
    private NodeMetrics metrics;
    private final HttpClient client = HttpClient.newHttpClient();
    private static final String PLANE = "/apis/resourcemanager.miloapis.com/v1alpha1/projects/p/control-plane/apis/ipam.miloapis.com/v1alpha1";

    @AfterEach
    void tearDown() {
        if (metrics != null) {
            metrics.close();
        }
        if (http != null) {
            http.close();
        }
        if (cluster != null) {
            cluster.close();
            assertEquals(List.of(), cluster.fatal);
        }
    }

    private static Result run(RaftNode node, String requestId, Command command) {
        return Codec.decodeResult(node.replica().submit(requestId, Codec.encodeCommand(command))
                .orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).join().result());
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path));
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private PromText scrape() throws Exception {
        HttpResponse<String> response = call("GET", "/metrics", null);
        assertEquals(200, response.statusCode());
        return PromText.parse(response.body());
    }

    /**
     * ipam_write_stage_seconds after {@code commands} submissions to this one-node replica: each command
     * queued once, each entry replied, committed, applied and answered once, and the stages nest as
     * they do in time (an entry's reply comes after its commit wait and its apply).
     */
    private void assertWriteStages(int commands) throws Exception {
        // The batcher counts a command's queueing after it arranged the answers, and the completion
        // thread counts replied, then answered, after completing the futures: wait for both to catch up.
        TestCluster.awaitTrue(() -> {
            try {
                PromText now = scrape();
                return now.value("ipam_write_stage_seconds_count", "stage", "queued") == commands
                        && now.value("ipam_write_stage_seconds_count", "stage", "answered")
                        == now.value("ipam_write_stage_seconds_count", "stage", "committed");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, TIMEOUT_MS, () -> {
            try {
                return "write stages never settled at " + commands + " commands: " + call("GET", "/metrics", null).body()
                        .lines().filter(l -> l.startsWith("ipam_write_stage_seconds_count")).toList();
            } catch (Exception e) {
                return e.toString();
            }
        });
        PromText stages = scrape();
        assertEquals("histogram", stages.types.get("ipam_write_stage_seconds"));
        double entries = stages.value("ipam_write_stage_seconds_count", "stage", "replied");
        assertTrue(entries > 0 && entries <= commands, entries + " entries for " + commands + " commands");
        for (String stage : List.of("answered", "committed", "applied")) {
            assertEquals(entries, stages.value("ipam_write_stage_seconds_count", "stage", stage), stage);
        }
        for (String stage : List.of("queued", "replied", "committed", "applied", "answered")) {
            assertTrue(stages.value("ipam_write_stage_seconds_sum", "stage", stage) > 0, stage + " took no time");
        }
        double replied = stages.value("ipam_write_stage_seconds_sum", "stage", "replied");
        double committed = stages.value("ipam_write_stage_seconds_sum", "stage", "committed");
        double applied = stages.value("ipam_write_stage_seconds_sum", "stage", "applied");
        assertTrue(replied >= committed + applied, "an entry's reply follows its commit wait and its apply: replied "
                + replied + " s, committed " + committed + " s, applied " + applied + " s");
    }

    @Test
    void countersMoveUnderLoadAndTheTextFormatParses() throws Exception {
        // Automatic snapshots every 20 entries, so the load takes some.
        cluster = new TestCluster(temp, 1, Ipam::new, s -> s.withSnapshots(20, 64 * 1024, 1, 0));
        cluster.startAll();
        RaftNode node = cluster.awaitLeader(TIMEOUT_MS);
        http = new ApiServer(ApiConfig.defaults(0).withHost("127.0.0.1"), node.replica(), node.admin()).start();
        metrics = new NodeMetrics(http.registry(), node.admin(), node.replica(), node.stateMachine(), temp.resolve("n1"), 200);
        assertTrue(run(node, "project", Harness.project("p")).ok());
        for (int i = 0; i < POOLS; i++) {
            assertTrue(run(node, "pool" + i, Harness.pool("p", "pool" + i, "10." + i + ".0.0/16")).ok());
        }
        PromText before = scrape();
        double successBefore = zeroIfNaN(before.value("ipam_claims_total", "result", "Success"));

        AtomicInteger done = new AtomicInteger();
        CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < CLAIMS; i += 10) {
                List<CompletableFuture<dev.ipam.server.Replica.Applied>> batch = new java.util.ArrayList<>();
                for (int j = i; j < i + 10; j++) {
                    batch.add(node.replica().submit("claim" + j, Codec.encodeCommand(
                            Harness.claim("p", "c" + j, IPFamily.IPv4, 24, "pool0"))));
                }
                batch.forEach(f -> f.orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).join());
                done.addAndGet(10);
            }
        });
        int scrapes = 0;
        int lists = 0;
        int gets = 0;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (!load.isDone() && System.nanoTime() < deadline) {
            scrape(); // every scrape during the load must parse
            scrapes++;
            // API reads beside the claims: the latency histogram must count them by verb and resource.
            assertEquals(200, call("GET", PLANE + "/ippools?limit=5", null).statusCode());
            lists++;
            assertEquals(200, call("GET", PLANE + "/ippools/pool0", null).statusCode());
            gets++;
        }
        load.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertTrue(run(node, "tiny", Harness.pool("p", "tiny", "10.200.0.0/30")).ok());
        assertTrue(run(node, "t1", Harness.claim("p", "t1", IPFamily.IPv4, 30, "tiny")).ok());
        Result exhausted = run(node, "t2", Harness.claim("p", "t2", IPFamily.IPv4, 30, "tiny"));
        assertFalse(exhausted.ok());
        assertTrue(run(node, "release", Harness.deleteClaim("p", "c0")).ok());

        // Snapshots are taken on the apply thread after the entry that crosses the threshold: poll.
        TestCluster.awaitTrue(() -> {
            try {
                return scrape().value("ipam_snapshots_taken_total") >= 1;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, TIMEOUT_MS, () -> {
            try {
                return "snapshot not counted: " + call("GET", "/metrics", null).body().lines()
                        .filter(l -> l.contains("snapshot")).toList();
            } catch (Exception e) {
                return e.toString();
            }
        });
        PromText after = scrape();
        System.out.println("metrics: " + scrapes + " scrapes during " + CLAIMS + " claims; " + after.samples.size() + " samples");
        assertEquals(successBefore + CLAIMS + 1, after.value("ipam_claims_total", "result", "Success"), "every fresh claim counted once");
        assertEquals(1.0, after.value("ipam_claims_total", "result", exhausted.reason().name()));
        assertEquals(1.0, after.value("ipam_releases_total", "result", "Success"));
        assertTrue(after.value("ipam_batch_commands_count") > 0, "batch sizes observed");
        assertTrue(after.value("ipam_batch_commands_sum") >= CLAIMS, "commands inside batches");
        assertEquals("histogram", after.types.get("ipam_batch_commands"));
        assertWriteStages(1 + POOLS + CLAIMS + 4);
        assertTrue(after.value("ipam_raft_term") >= 1);
        assertEquals(1.0, after.value("ipam_raft_is_leader"));
        assertEquals(1.0, after.value("ipam_raft_has_leader"));
        assertTrue(after.value("ipam_raft_applied_index") >= CLAIMS / 10);
        assertTrue(after.value("ipam_raft_commit_index") >= after.value("ipam_raft_applied_index") - 1);
        assertEquals(after.value("ipam_snapshots_taken_total"),
                after.value("ipam_snapshot_duration_seconds_count", "operation", "take"));
        assertTrue(after.value("ipam_disk_bytes", "part", "db") > 0);
        assertEquals("counter", after.types.get("ipam_raft_stuck_follower_handovers_total"));
        assertEquals(0.0, after.value("ipam_raft_stuck_follower_handovers_total"), "a healthy node hands nothing over");
        assertEquals("counter", after.types.get("ipam_raft_follower_rewinds_total"));
        assertEquals(0.0, after.value("ipam_raft_follower_rewinds_total"), "no follower held another leader's entries");
        // Latency by Kubernetes verb and resource; the scrapes themselves are "other".
        assertTrue(after.value("ipam_http_request_duration_seconds_count", "verb", "other", "resource", "other") >= scrapes);
        assertEquals(lists,
                after.value("ipam_http_request_duration_seconds_count", "verb", "list", "resource", "ippools"));
        assertEquals(gets, after.value("ipam_http_request_duration_seconds_count", "verb", "get", "resource", "ippools"));
        assertEquals(gets, after.value("ipam_http_requests_total", "verb", "get", "resource", "ippools", "code", "200"));
        assertEquals(201, call("POST", PLANE + "/namespaces/default/ipclaims", "{\"apiVersion\":\"ipam.miloapis.com/v1alpha1\","
                + "\"kind\":\"IPClaim\",\"metadata\":{\"name\":\"http1\"},\"spec\":{\"ipFamily\":\"IPv4\",\"prefixLength\":30,"
                + "\"poolRef\":{\"name\":\"pool1\"}}}").statusCode());
        assertEquals(200, call("DELETE", PLANE + "/namespaces/default/ipclaims/http1", null).statusCode());
        assertEquals(404, call("DELETE", PLANE + "/namespaces/default/ipclaims/http1", null).statusCode());
        PromText verbs = scrape();
        assertEquals(1.0, verbs.value("ipam_http_request_duration_seconds_count", "verb", "create", "resource", "ipclaims"));
        assertEquals(2.0, verbs.value("ipam_http_request_duration_seconds_count", "verb", "delete", "resource", "ipclaims"));
        assertEquals(1.0, verbs.value("ipam_http_requests_total", "verb", "delete", "resource", "ipclaims", "code", "404"));
        assertEquals("histogram", verbs.types.get("ipam_http_request_duration_seconds"));

        // The dashboard and the alert rules use only metrics a node exports.
        // Pool metrics appear once the timed pool sampler has run: wait for them, then collect the names.
        TestCluster.awaitTrue(() -> {
            try {
                return scrape().samples.stream().anyMatch(sample -> sample.name().equals("ipam_pool_utilization_ratio"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, TIMEOUT_MS, () -> "pool metrics were never sampled");
        java.util.Set<String> exported = new java.util.TreeSet<>();
        scrape().samples.forEach(sample -> exported.add(sample.name()));
        for (String file : List.of("../ops/prometheus/alerts.yml", "../ops/grafana/ipam-dashboard.json")) {
            java.util.regex.Matcher names = java.util.regex.Pattern.compile("ipam_[a-z_]+")
                    .matcher(java.nio.file.Files.readString(Path.of(file)));
            while (names.find()) {
                String name = names.group();
                if (!name.equals("ipam_cluster")) {
                    assertTrue(exported.contains(name), file + " uses " + name + ", which no node exports: " + exported);
                }
            }
        }

        // Pool utilisation: bounded labels, the fullest pools named, the rest summed as _other.
        TestCluster.awaitTrue(() -> {
            try {
                // Pools are sampled on a timer: wait for a sample taken after the last release.
                PromText sampled = scrape();
                Map<String, Double> ratios = sampled.byLabel("ipam_pool_utilization_ratio", "pool");
                return ratios.getOrDefault("p/tiny", 0.0) == 1.0 && ratios.size() == NodeMetrics.POOLS_LABELLED_MAX + 1
                        && sampled.value("ipam_pool_addresses", "pool", "p/pool0", "state", "allocated") == (CLAIMS - 1) * 256.0;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, TIMEOUT_MS, () -> "pool utilisation not sampled");
        PromText pools = scrape();
        Map<String, Double> ratios = pools.byLabel("ipam_pool_utilization_ratio", "pool");
        assertTrue(ratios.containsKey(NodeMetrics.OTHER_POOLS), ratios.toString());
        assertEquals((CLAIMS - 1) * 256.0, pools.value("ipam_pool_addresses", "pool", "p/pool0", "state", "allocated"));
        assertEquals(65536.0, pools.value("ipam_pool_addresses", "pool", "p/pool0", "state", "total"));
    }

    @Test
    void logLevelsChangeAtRunTime() throws Exception {
        cluster = new TestCluster(temp, 1, Ipam::new, s -> s);
        cluster.startAll();
        RaftNode node = cluster.awaitLeader(TIMEOUT_MS);
        http = new ApiServer(ApiConfig.defaults(0).withHost("127.0.0.1"), node.replica(), node.admin()).start();
        String logger = "dev.ipam.server.test.Levels";
        HttpResponse<String> put = call("PUT", "/admin/log-level", "{\"logger\":\"" + logger + "\",\"level\":\"debug\"}");
        assertEquals(200, put.statusCode(), put.body());
        assertTrue(put.body().contains("\"level\":\"DEBUG\""), put.body());
        assertTrue(org.slf4j.LoggerFactory.getLogger(logger).isDebugEnabled());
        HttpResponse<String> get = call("GET", "/admin/log-level?logger=" + logger, null);
        assertTrue(get.body().contains("\"level\":\"DEBUG\""), get.body());
        HttpResponse<String> inherit = call("PUT", "/admin/log-level", "{\"logger\":\"" + logger + "\",\"level\":\"INHERIT\"}");
        assertEquals(200, inherit.statusCode(), inherit.body());
        assertFalse(org.slf4j.LoggerFactory.getLogger(logger).isDebugEnabled());
        HttpResponse<String> bad = call("PUT", "/admin/log-level", "{\"logger\":\"" + logger + "\",\"level\":\"LOUD\"}");
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("LOUD"), bad.body());
    }

    private static double zeroIfNaN(double value) {
        return Double.isNaN(value) ? 0 : value;
    }
}
