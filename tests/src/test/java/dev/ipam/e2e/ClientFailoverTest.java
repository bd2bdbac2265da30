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

    @Test
    void everyClaimCompletesExactlyOnceAcrossTheLossOfTheClientsNode() throws Exception {
        try (LocalCluster cluster = new LocalCluster(temp, 3).start()) {
            String leaderId;
            try (IpamClient any = IpamClient.connect(cluster.endpoints(), null, null)) {
                leaderId = any.cluster().status().leaderId();
                any.projects().create(Project.of("e2e", new Quota(1_000L, null)));
                any.withProject("e2e").pools().create(IPPool.of("pool", IPPoolSpec.root("10.20.0.0/16", "IPv4")));
            }
            int leader = Integer.parseInt(leaderId.substring(1)) - 1;
            List<String> endpoints = new ArrayList<>();
            endpoints.add(cluster.endpoint(leader));
            for (int i = 0; i < 3; i++) {
                if (i != leader) {
                    endpoints.add(cluster.endpoint(i));
                }
            }
            // The client sticks to the first endpoint until it fails: that is the node stopped below.
            IpamClient client = new IpamClient(ClientConfig.builder().endpoints(endpoints).project("e2e")
                    .requestTimeoutMs(5_000).operationTimeoutMs(60_000).build());
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
}
