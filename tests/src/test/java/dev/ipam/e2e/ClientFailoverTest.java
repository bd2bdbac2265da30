package dev.ipam.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.client.ClaimRequest;
import dev.ipam.client.ClientConfig;
import dev.ipam.client.IpamClient;
import dev.ipam.client.ListOptions;
import dev.ipam.client.model.IPAllocation;
import dev.ipam.client.model.IPClaim;
import dev.ipam.client.model.IPClaimSpec;
import dev.ipam.client.model.IPPool;
import dev.ipam.client.model.IPPoolSpec;
import dev.ipam.client.model.Project;
import dev.ipam.client.model.Quota;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4: stop the node the client is talking to (here also the Raft leader) in the middle of a
 * stream of claims; every claim completes, exactly once, and the stopped node catches up on restart.
 */
class ClientFailoverTest {
    static final int CLAIMS = 60;
    static final int STOP_AFTER = 15;

    @TempDir
    Path temp;

    /** Creates the project with a pool named "pool" on {@code cidr}; returns the leader's node number (0-based). */
    private static int projectWithPool(LocalCluster cluster, String project, String cidr) {
        try (IpamClient any = IpamClient.connect(cluster.endpoints(), null, null)) {
            String leaderId = any.cluster().status().leaderId();
            any.projects().create(Project.of(project, new Quota(1_000L, null)));
            any.withProject(project).pools().create(IPPool.of("pool", IPPoolSpec.root(cidr, "IPv4")));
            return Integer.parseInt(leaderId.substring(1)) - 1;
        }
    }

    /** The endpoints with the leader's first: a client sticks to the first until it fails. */
    private static List<String> leaderFirst(LocalCluster cluster, int leader) {
        List<String> endpoints = new ArrayList<>();
        endpoints.add(cluster.endpoint(leader));
        for (int i = 0; i < 3; i++) {
            if (i != leader) {
                endpoints.add(cluster.endpoint(i));
            }
        }
        return endpoints;
    }

    @Test
    void everyClaimCompletesExactlyOnceAcrossTheLossOfTheClientsNode() throws Exception {
        try (LocalCluster cluster = new LocalCluster(temp, 3).start()) {
            int leader = projectWithPool(cluster, "e2e", "10.20.0.0/16");
            // The client sticks to the first endpoint until it fails: that is the node stopped below.
            IpamClient client = new IpamClient(ClientConfig.builder().endpoints(leaderFirst(cluster, leader))
                    .project("e2e").requestTimeoutMs(5_000).operationTimeoutMs(60_000).build());
            CountDownLatch halfway = new CountDownLatch(1);
            CompletableFuture<Map<String, String>> stream = CompletableFuture.supplyAsync(() -> {
                Map<String, String> cidrs = new TreeMap<>();
                for (int i = 0; i < CLAIMS; i++) {
                    String name = "c-" + i;
                    cidrs.put(name, client.claim(ClaimRequest.of(name, IPClaimSpec.fromPool("pool", "IPv4", 28))));
                    if (i == STOP_AFTER) {
                        halfway.countDown();
                    }
                }
                return cidrs;
            });
            assertTrue(halfway.await(120, TimeUnit.SECONDS), "the first claims did not complete");
            cluster.stop(leader);
            Map<String, String> acknowledged = stream.get(180, TimeUnit.SECONDS);

            assertEquals(CLAIMS, acknowledged.size());
            assertEquals(CLAIMS, new HashSet<>(acknowledged.values()).size(), "two claims got the same block: " + acknowledged);
            List<IPClaim> stored = client.claims().listAll(ListOptions.all());
            assertEquals(CLAIMS, stored.size(), "claims stored");
            for (IPClaim claim : stored) {
                assertTrue(claim.isBound(), claim.toString());
                assertEquals(acknowledged.get(claim.metadata().name()), claim.cidr(), claim.metadata().name());
            }
            List<IPAllocation> allocations = client.allocations("default").listAll(ListOptions.all());
            assertEquals(CLAIMS, allocations.size(), "one allocation per claim, never two");
            IPPool pool = client.pools().get("pool");
            assertEquals(CLAIMS * 16L, pool.status().capacity().allocated(), "pool counters");
            client.close();

            cluster.restart(leader);
            try (IpamClient restarted = new IpamClient(ClientConfig.builder().endpoint(cluster.endpoint(leader))
                    .project("e2e").build())) {
                Set<String> seen = new HashSet<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (seen.size() < CLAIMS && System.nanoTime() < deadline) {
                    seen.clear();
                    restarted.claims().listAll(ListOptions.all().withResourceVersion("0"))
                            .forEach(claim -> seen.add(claim.metadata().name() + "=" + claim.cidr()));
                }
                Set<String> expected = new HashSet<>();
                acknowledged.forEach((name, cidr) -> expected.add(name + "=" + cidr));
                assertEquals(expected, seen, "the restarted node's local state");
            }
        }
    }

    /**
     * A watch through the client library while claims arrive concurrently (so the batcher packs
     * several into one Raft entry, sharing one resourceVersion) and the watched node, the leader, is
     * stopped: the watch resumes on another node and reports every claim exactly once.
     */
    @Test
    void aWatchAcrossTheLossOfItsNodeReportsEveryClaimOnce() throws Exception {
        int writers = 4;
        int perWriter = 30;
        try (LocalCluster cluster = new LocalCluster(temp, 3).start()) {
            int leader = projectWithPool(cluster, "watched", "10.30.0.0/16");
            IpamClient client = new IpamClient(ClientConfig.builder().endpoints(leaderFirst(cluster, leader))
                    .project("watched").requestTimeoutMs(5_000).operationTimeoutMs(60_000).backoffMs(20, 200).build());
            Map<String, Integer> added = new java.util.concurrent.ConcurrentHashMap<>();
            List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (dev.ipam.client.Watch<IPClaim> watch = client.claims().watch(ListOptions.all(),
                    new dev.ipam.client.WatchListener<>() {
                        @Override
                        public void onEvent(dev.ipam.client.model.WatchEvent<IPClaim> event) {
                            if (event.type().equals("ADDED")) {
                                added.merge(event.object().metadata().name(), 1, Integer::sum);
                            }
                        }

                        @Override
                        public void onError(dev.ipam.client.IpamException error) {
                            errors.add(error.toString());
                        }
                    })) {
                CountDownLatch started = new CountDownLatch(writers * 5);
                List<CompletableFuture<Void>> streams = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    int writer = w;
                    streams.add(CompletableFuture.runAsync(() -> {
                        for (int i = 0; i < perWriter; i++) {
                            client.claim(ClaimRequest.of("w" + writer + "-" + i, IPClaimSpec.fromPool("pool", "IPv4", 28)));
                            started.countDown();
                        }
                    }));
                }
                assertTrue(started.await(120, TimeUnit.SECONDS), "the first claims did not complete");
                cluster.stop(leader);
                for (CompletableFuture<Void> stream : streams) {
                    stream.get(180, TimeUnit.SECONDS);
                }
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                        .until(() -> added.size() >= writers * perWriter || !errors.isEmpty());
                assertEquals(List.of(), errors);
                assertEquals(writers * perWriter, added.size(), "claims the watch reported");
                added.forEach((name, times) -> assertEquals(1, times, name + " reported " + times + " times"));
                assertTrue(watch.running());
            }
            client.close();
        }
    }
}
