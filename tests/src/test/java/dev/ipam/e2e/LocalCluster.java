package dev.ipam.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.server.Main;
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
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine;

/**
 * An N-node ipamd cluster on loopback, each node a {@link Main} launched exactly as {@code bin/ipamd}
 * would be (same flags, same code path), in this JVM so that two cores can hold three nodes. Nodes can
 * be stopped and started again on their data directories.
 */
final class LocalCluster implements AutoCloseable {
    static final long READY_TIMEOUT_MS = 90_000;

    private final Path dataRoot;
    private final int size;
    private final int[] raftPorts;
    private final int[] httpPorts;
    private final Main[] mains;
    private final List<CompletableFuture<Integer>> exits = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    LocalCluster(Path dataRoot, int size) {
        this.dataRoot = dataRoot;
        this.size = size;
        this.raftPorts = new int[size];
        this.httpPorts = new int[size];
        this.mains = new Main[size];
        for (int i = 0; i < size; i++) {
            raftPorts[i] = TestPorts.free();
            httpPorts[i] = TestPorts.free();
            exits.add(null);
        }
    }

    /** Starts every node and waits until each answers /readyz with 200. */
    LocalCluster start() {
        for (int i = 0; i < size; i++) {
            launch(i);
        }
        for (int i = 0; i < size; i++) {
            awaitReady(i);
        }
        return this;
    }

    String id(int node) {
        return "n" + (node + 1);
    }

    String endpoint(int node) {
        return "http://127.0.0.1:" + httpPorts[node];
    }

    List<String> endpoints() {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            all.add(endpoint(i));
        }
        return all;
    }

    /** The node index serving the given endpoint URL, or -1. */
    int nodeOf(String endpoint) {
        for (int i = 0; i < size; i++) {
            if (endpoint.startsWith(endpoint(i))) {
                return i;
            }
        }
        return -1;
    }

    boolean running(int node) {
        return mains[node] != null;
    }

    /** Stops one node the way SIGTERM would; its data stays. */
    void stop(int node) {
        Main main = mains[node];
        if (main != null) {
            main.shutdown();
            exits.get(node).join();
            mains[node] = null;
        }
    }

    /** Starts a stopped node again on its data directory and waits until it is ready. */
    void restart(int node) {
        launch(node);
        awaitReady(node);
    }

    private void launch(int node) {
        String peers = java.util.stream.IntStream.range(0, size)
                .mapToObj(i -> id(i) + "=127.0.0.1:" + raftPorts[i] + "=127.0.0.1:" + httpPorts[i])
                .collect(Collectors.joining(","));
        String[] args = {
            "--node-id", id(node),
            "--raft-address", "127.0.0.1:" + raftPorts[node],
            "--http-address", "127.0.0.1:" + httpPorts[node],
            "--peers", peers,
            "--data-dir", dataRoot.resolve(id(node)).toString(),
            "--auth-anonymous", "true",
        };
        Main main = new Main();
        mains[node] = main;
        exits.set(node, CompletableFuture.supplyAsync(() -> new CommandLine(main).execute(args)));
    }

    private void awaitReady(int node) {
        awaitReady(http, endpoint(node), "ipamd " + id(node), () -> {
            CompletableFuture<Integer> exit = exits.get(node);
            return exit.isDone() ? "exited with " + exit.join() : null;
        });
    }

    /**
     * Polls {@code endpoint}/readyz until it answers 200, for at most {@link #READY_TIMEOUT_MS}.
     * {@code exited} says why the node can no longer become ready (null while it runs): the wait
     * then fails at once.
     */
    static void awaitReady(HttpClient http, String endpoint, String who, Supplier<String> exited) {
        await().atMost(Duration.ofMillis(READY_TIMEOUT_MS)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            String reason = exited.get();
            if (reason != null) {
                throw new IllegalStateException(who + " " + reason);
            }
            String answer;
            try {
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(endpoint + "/readyz"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                answer = ready.statusCode() + " " + ready.body();
            } catch (IOException e) {
                answer = e.toString();
            }
            assertTrue(answer.startsWith("200 "), who + " not ready within " + READY_TIMEOUT_MS + " ms: " + answer);
        });
    }

    /** A JSON request ({@code body} null: none) with a 20 s time-out. */
    static HttpResponse<String> send(HttpClient http, String method, String url, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The last 4,000 characters of a node's log, for a failure message. */
    static String tail(Path log) {
        try {
            String text = java.nio.file.Files.readString(log, java.nio.charset.StandardCharsets.UTF_8);
            return text.substring(Math.max(0, text.length() - 4000));
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        for (int i = size - 1; i >= 0; i--) {
            stop(i);
        }
    }
}
