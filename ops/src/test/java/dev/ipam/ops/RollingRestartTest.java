package dev.ipam.ops;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.client.ClaimRequest;
import dev.ipam.client.ClientConfig;
import dev.ipam.client.IpamClient;
import dev.ipam.client.model.IPClaimSpec;
import dev.ipam.server.raft.TestPorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs ops/rolling-restart.sh on a real 3-process local cluster while client threads claim
 * continuously through the client library (every node as an endpoint, so it fails over): every
 * node is restarted and not one claim fails. Needs the server built (bin/ipamd) and curl.
 */
class RollingRestartTest {
    private static final int CLIENTS = 3;
    private static final long SCRIPT_TIMEOUT_S = 360;
    private static final int CLAIMS_MAX = 100_000;

    @TempDir
    Path temp;

    @Test
    void everyNodeRestartsUnderClaimLoadWithoutAFailedClaim() throws Exception {
        OpsScripts.assumeServerPackaged();
        int raftBase = TestPorts.freeBase(3);
        int httpBase = TestPorts.freeBase(3);
        Map<String, String> env = Map.of("IPAM_RUN_DIR", temp.resolve("run").toString(),
                "IPAM_RAFT_PORT_BASE", Integer.toString(raftBase), "IPAM_HTTP_PORT_BASE", Integer.toString(httpBase),
                "IPAMD_JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        try {
            script(env, "ops/local-cluster.sh", "up", "-n", "3");
            List<String> endpoints = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                endpoints.add("http://127.0.0.1:" + (httpBase + i));
            }
            createProjectAndPool(endpoints.get(0));
            ClientConfig config = ClientConfig.builder().endpoints(endpoints).project("rolling")
                    .operationTimeoutMs(60_000).attemptsMax(200).backoffMs(50, 500).build();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger succeeded = new AtomicInteger();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int clientNumber = c;
                Thread thread = new Thread(() -> {
                    try (IpamClient client = new IpamClient(config)) {
                        for (int i = 0; i < CLAIMS_MAX && !stop.get(); i++) {
                            String name = "c" + clientNumber + "-" + i;
                            try {
                                client.claim(ClaimRequest.of(name, IPClaimSpec.fromPool("pool", "IPv4", 32)));
                                succeeded.incrementAndGet();
                            } catch (RuntimeException e) {
                                failures.add(name + ": " + e);
                            }
                        }
                    }
                }, "claimer-" + c);
                thread.start();
                clients.add(thread);
            }
            awaitAtLeast(succeeded, 30);
            int before = succeeded.get();
            String output = script(env, "ops/rolling-restart.sh");
            int during = succeeded.get() - before;
            awaitAtLeast(succeeded, succeeded.get() + 30);
            stop.set(true);
            for (Thread thread : clients) {
                thread.join(TimeUnit.SECONDS.toMillis(90));
            }
            System.out.println("rolling restart: " + succeeded.get() + " claims acknowledged (" + during
                    + " while nodes restarted), failed claims: " + failures.size());
            assertEquals(List.of(), List.copyOf(failures), "failed claims");
            assertTrue(output.contains("restarted 3 node(s)"), output);
            assertTrue(during > 0, "claims went on during the restart");
        } finally {
            script(env, "ops/local-cluster.sh", "down");
        }
    }

    private static void awaitAtLeast(AtomicInteger counter, int target) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> assertTrue(
                counter.get() >= target, () -> "only " + counter.get() + " claims in 120 s, expected " + target));
    }

    private static void createProjectAndPool(String endpoint) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String projects = "/apis/resourcemanager.miloapis.com/v1alpha1/projects";
        post(http, endpoint + projects, "{\"apiVersion\":\"resourcemanager.miloapis.com/v1alpha1\",\"kind\":\"Project\","
                + "\"metadata\":{\"name\":\"rolling\"}}");
        post(http, endpoint + projects + "/rolling/control-plane/apis/ipam.miloapis.com/v1alpha1/ippools",
                "{\"apiVersion\":\"ipam.miloapis.com/v1alpha1\",\"kind\":\"IPPool\",\"metadata\":{\"name\":\"pool\"},"
                        + "\"spec\":{\"cidr\":\"10.0.0.0/8\",\"ipFamily\":\"IPv4\"}}");
    }

    private static void post(HttpClient http, String url, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode(), response.body());
    }

    private String script(Map<String, String> env, String... command) throws IOException, InterruptedException {
        OpsScripts.Run run = OpsScripts.run(temp, env, SCRIPT_TIMEOUT_S, command);
        assertEquals(0, run.exit(), String.join(" ", command) + " failed:\n" + run.output());
        return run.output();
    }
}
