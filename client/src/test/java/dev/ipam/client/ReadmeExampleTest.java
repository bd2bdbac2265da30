package dev.ipam.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.client.fake.FakeIpam;
import dev.ipam.client.model.IPClaim;
import dev.ipam.client.model.IPClaimSpec;
import dev.ipam.client.model.IPPool;
import dev.ipam.client.model.IPPoolSpec;
import dev.ipam.client.model.WatchEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The example of client/README.md, run against a fake three-node cluster, so the README stays true. */
class ReadmeExampleTest {
    @Test
    void theReadmeExampleRuns() throws Exception {
        try (FakeIpam cluster = new FakeIpam()) {
            String a = cluster.startNode().uri();
            String b = cluster.startNode().uri();
            String c = cluster.startNode().uri();
            cluster.seedProject("demo");

            IpamClient ipam = new IpamClient(ClientConfig.builder()
                    .endpoint(a).endpoint(b).endpoint(c)
                    .project("demo")
                    .token(null)
                    .requestTimeoutMs(5_000)
                    .operationTimeoutMs(30_000)
                    .build());

            ipam.pools().create(IPPool.of("web", IPPoolSpec.root("10.0.0.0/16", "IPv4")).withLabels(Map.of("tier", "web")));

            ClaimRequest request = ClaimRequest.of("web-frontend", IPClaimSpec.fromPool("web", "IPv4", 24));
            String cidr = ipam.claim(request);
            assertEquals("10.0.0.0/24", cidr);
            assertEquals(cidr, ipam.claim(request.withRequestId(request.requestId())),
                    "the same request again is answered from the first (the server dedupes its request id)");

            String next = ipam.claim(ClaimRequest.of("api", IPClaimSpec.fromSelector(Map.of("tier", "web"), "IPv4", 26)).asDryRun());
            assertEquals("10.0.1.0/26", next);

            IPClaim claim = ipam.claims().get("web-frontend");
            assertTrue(claim.isBound());
            List<IPClaim> bound = ipam.claims().listAll(ListOptions.all().withFieldSelector("status.phase=Bound").withLimit(500));
            assertEquals(1, bound.size());
            ipam.claims().waitFor("web-frontend", IPClaim::isBound, Duration.ofSeconds(10));
            BlockingQueue<String> seen = new LinkedBlockingQueue<>();
            try (Watch<IPClaim> watch = ipam.claims().watch(ListOptions.all(), event ->
                    seen.add(event.type() + " " + event.object().name() + " " + event.object().cidr()))) {
                assertEquals("ADDED web-frontend 10.0.0.0/24", seen.poll(5, TimeUnit.SECONDS));
                ipam.release("web-frontend");
                assertEquals(WatchEvent.DELETED + " web-frontend 10.0.0.0/24", seen.poll(5, TimeUnit.SECONDS));
            }

            IpamException e = org.junit.jupiter.api.Assertions.assertThrows(IpamException.class,
                    () -> ipam.claim(ClaimRequest.of("huge", IPClaimSpec.fromPool("web", "IPv4", 8))));
            // A /8 cannot come from a /16: the server answers 507 (no block fits) or 422 (outside the pool's bounds).
            assertTrue(e.reason() == IpamException.Reason.INVALID || e.reason() == IpamException.Reason.EXHAUSTED, e.getMessage());
        }
    }
}
