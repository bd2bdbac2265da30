package dev.ipam.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.server.raft.TestPorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** ipamd as launched: flags in, a single-node cluster serving the API over HTTP, a clean stop. */
class MainTest {
    @TempDir
    Path temp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aSingleNodeServesClaimsAndRestartsOnItsData() throws Exception {
        int raftPort = TestPorts.free();
        int httpPort = TestPorts.free();
        String base = "http://127.0.0.1:" + httpPort;
        String[] args = {"--raft-address", "127.0.0.1:" + raftPort, "--http-address", "127.0.0.1:" + httpPort,
                "--data-dir", temp.resolve("node1").toString()};
        Main first = new Main();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> new CommandLine(first).execute(args));
        awaitReady(base, exit);
        assertEquals(201, send("POST", base + "/apis/resourcemanager.miloapis.com/v1alpha1/projects",
                "{\"apiVersion\":\"resourcemanager.miloapis.com/v1alpha1\",\"kind\":\"Project\",\"metadata\":{\"name\":\"p\"}}").statusCode());
        String plane = base + "/apis/resourcemanager.miloapis.com/v1alpha1/projects/p/control-plane/apis/ipam.miloapis.com/v1alpha1";
        assertEquals(201, send("POST", plane + "/ippools", "{\"apiVersion\":\"ipam.miloapis.com/v1alpha1\",\"kind\":\"IPPool\","
                + "\"metadata\":{\"name\":\"pool\"},\"spec\":{\"cidr\":\"10.0.0.0/24\",\"ipFamily\":\"IPv4\"}}").statusCode());
        HttpResponse<String> claim = send("POST", plane + "/namespaces/default/ipclaims", "{\"apiVersion\":\"ipam.miloapis.com/v1alpha1\","
                + "\"kind\":\"IPClaim\",\"metadata\":{\"name\":\"c1\"},\"spec\":{\"ipFamily\":\"IPv4\",\"prefixLength\":30,\"poolRef\":{\"name\":\"pool\"}}}");
        assertEquals(201, claim.statusCode(), claim.body());
        assertTrue(claim.body().contains("10.0.0.0/30"), claim.body());
        first.shutdown();
        assertEquals(Main.EXIT_OK, exit.get());

        Main second = new Main();
        CompletableFuture<Integer> exitAgain = CompletableFuture.supplyAsync(() -> new CommandLine(second).execute(args));
        try {
            awaitReady(base, exitAgain);
            HttpResponse<String> got = send("GET", plane + "/namespaces/default/ipclaims/c1", null);
            assertEquals(200, got.statusCode(), got.body());
            assertTrue(got.body().contains("10.0.0.0/30"), got.body());
        } finally {
            second.shutdown();
        }
        assertEquals(Main.EXIT_OK, exitAgain.get());
    }

    private void awaitReady(String base, CompletableFuture<Integer> exit) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).alias("ipamd ready at " + base).until(() -> {
            if (exit.isDone()) {
                throw new AssertionError("ipamd exited with " + exit.get());
            }
            try {
                return send("GET", base + "/readyz", null).statusCode() == 200;
            } catch (java.io.IOException e) {
                return false; // not listening yet
            }
        });
    }
}
