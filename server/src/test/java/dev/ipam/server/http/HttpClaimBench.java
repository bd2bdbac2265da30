package dev.ipam.server.http;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: prints claims/s through the whole HTTP path (JSON, schema check, codec, DirectReplica
 * over MemoryStore) at a given concurrency. Run: java -cp ... dev.ipam.server.http.HttpClaimBench 64 5
 */
public final class HttpClaimBench {
    public static void main(String[] args) throws Exception {
        int concurrency = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        try (Fixture api = new Fixture()) {
            api.post(Fixture.POOLS, Fixture.pool("big", "10.0.0.0/8", "IPv4"));
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            AtomicLong done = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            AtomicLong next = new AtomicLong();
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            CompletableFuture<?>[] loops = new CompletableFuture<?>[concurrency];
            for (int i = 0; i < concurrency; i++) {
                loops[i] = loop(http, api, next, done, failed, end);
            }
            com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long cpuStart = os.getProcessCpuTime();
            long start = System.nanoTime();
            CompletableFuture.allOf(loops).join();
            double elapsed = (System.nanoTime() - start) / 1e9;
            double cpuMicros = (os.getProcessCpuTime() - cpuStart) / 1e3 / Math.max(1, done.get());
            // CPU per claim covers both ends (the JDK client too): an upper bound for the server's share.
            System.out.printf("concurrency=%d claims=%d failed=%d claims/s=%.0f cpu-us/claim(client+server)=%.0f%n",
                    concurrency, done.get(), failed.get(), done.get() / elapsed, cpuMicros);
        }
    }

    private static CompletableFuture<Void> loop(HttpClient http, Fixture api, AtomicLong next, AtomicLong done,
                                                AtomicLong failed, long end) {
        if (System.nanoTime() > end) {
            return CompletableFuture.completedFuture(null);
        }
        String body = Fixture.claim("c" + next.incrementAndGet(), "big", 30);
        HttpRequest request = HttpRequest.newBuilder(api.uri(Fixture.CLAIMS)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenCompose(response -> {
            (response.statusCode() == 201 ? done : failed).incrementAndGet();
            return loop(http, api, next, done, failed, end);
        });
    }
}
