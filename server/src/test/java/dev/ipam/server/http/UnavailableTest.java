package dev.ipam.server.http;

import static dev.ipam.server.http.Fixture.CLAIMS;
import static dev.ipam.server.http.Fixture.POOLS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ipam.core.Codec;
import dev.ipam.core.Command;
import dev.ipam.core.Ipam;
import dev.ipam.core.model.Project;
import dev.ipam.core.store.MemoryStore;
import dev.ipam.server.DirectReplica;
import dev.ipam.server.Replica;
import dev.ipam.server.SingleNodeAdmin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** A replica without quorum: writes answer 503 ServiceUnavailable, reads that need it too. */
class UnavailableTest {
    /** Reads from a real store; writes (and linearizable reads, when told) fail for want of a quorum. */
    static final class NoQuorum implements Replica {
        final DirectReplica inner;
        volatile boolean linearizableFails;
        volatile boolean overloaded;

        NoQuorum(DirectReplica inner) {
            this.inner = inner;
        }

        @Override
        public CompletableFuture<Applied> submit(String requestId, byte[] command) {
            return CompletableFuture.failedFuture(new Unavailable(overloaded
                    ? Api.OVERLOADED + "node n1 has 4096 commands queued" : "no leader for 5000 ms"));
        }

        @Override
        public <T> CompletableFuture<T> read(boolean linearizable, Function<Snapshot, T> read) {
            if (linearizable && linearizableFails) {
                return CompletableFuture.failedFuture(new Unavailable("no quorum for a ReadIndex"));
            }
            return inner.read(linearizable, read);
        }

        @Override
        public void addApplyListener(ApplyListener listener) {
            inner.addApplyListener(listener);
        }
    }

    @Test
    void writesWithoutQuorumAre503AndOverloadIs429() throws Exception {
        DirectReplica direct = new DirectReplica(new MemoryStore(), new Ipam(), Clock.systemUTC(), 0);
        direct.submit("p", Codec.encodeCommand(new Command.CreateProject("t", "p1", new TreeMap<>(), new TreeMap<>(),
                new Project.ProjectSpec(null)))).join();
        NoQuorum replica = new NoQuorum(direct);
        try (ApiServer server = new ApiServer(ApiConfig.defaults(0), replica, new SingleNodeAdmin("n1", "", direct)).start()) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> write = http.send(HttpRequest.newBuilder(URI.create(base + POOLS))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Fixture.pool("web", "10.0.0.0/24", "IPv4"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, write.statusCode(), write.body());
            assertEquals("ServiceUnavailable", Fixture.JSON.readTree(write.body()).path("reason").asText());
            assertEquals("1", write.headers().firstValue("Retry-After").orElse(""));
            replica.overloaded = true;
            HttpResponse<String> busy = http.send(HttpRequest.newBuilder(URI.create(base + POOLS))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Fixture.pool("web", "10.0.0.0/24", "IPv4"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(429, busy.statusCode(), "saturation is retryable: " + busy.body());
            HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create(base + CLAIMS)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, read.statusCode(), read.body());
            replica.linearizableFails = true;
            HttpResponse<String> strict = http.send(HttpRequest.newBuilder(URI.create(base + CLAIMS)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, strict.statusCode(), strict.body());
            HttpResponse<String> local = http.send(HttpRequest.newBuilder(URI.create(base + CLAIMS + "?resourceVersion=0"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, local.statusCode(), "resourceVersion=0 reads local state without a quorum: " + local.body());
        } finally {
            direct.close();
        }
    }
}
