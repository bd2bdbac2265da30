package dev.ipam.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.client.fake.TestCluster;
import dev.ipam.client.model.IPClaim;
import dev.ipam.client.model.IPClaimSpec;
import dev.ipam.client.model.IPPool;
import dev.ipam.client.model.IPPoolSpec;
import dev.ipam.client.model.ObjectList;
import dev.ipam.client.model.WatchEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The client against API.md with no fault injection, so it also runs against a real cluster:
 * {@code mvn -o -q -pl client test -Dtest=ContractTest -Dipam.servers=http://127.0.0.1:8080,...}.
 * Each test uses its own pool.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContractTest {
    private TestCluster cluster;
    private IpamClient client;

    @BeforeAll
    void start() throws Exception {
        cluster = TestCluster.start("contract", true);
        client = cluster.client();
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    private void pool(String name, String cidr) {
        client.pools().create(IPPool.of(name, IPPoolSpec.root(cidr, Cidr.parse(cidr).family())).withLabels(Map.of("contract", name)));
    }

    @Test
    void claimsAreFirstFitAlignedAndReturnToThePool() {
        pool("ff", "10.10.0.0/24");
        assertEquals("10.10.0.0/26", client.claim(ClaimRequest.of("ff-a", IPClaimSpec.fromPool("ff", "IPv4", 26))));
        assertEquals("10.10.0.64/27", client.claim(ClaimRequest.of("ff-b", IPClaimSpec.fromPool("ff", "IPv4", 27))));
        assertEquals("10.10.0.128/25", client.claim(ClaimRequest.of("ff-c", IPClaimSpec.fromPool("ff", "IPv4", 25))));
        client.release("ff-a");
        assertEquals("10.10.0.0/26", client.claim(ClaimRequest.of("ff-d", IPClaimSpec.fromPool("ff", "IPv4", 26))));
        IPClaim d = client.claims().get("ff-d");
        assertEquals("Bound", d.status().phase());
        assertNotNull(client.allocations("default").get(d.status().boundAllocationRef().name()));
    }

    @Test
    void theSameRequestIdNeverAllocatesTwice() {
        pool("idem", "10.11.0.0/24");
        ClaimRequest request = ClaimRequest.of("idem-a", IPClaimSpec.fromPool("idem", "IPv4", 28));
        String first = client.claim(request);
        try {
            assertEquals(first, client.claim(request), "a server that dedupes the request id answers with the first result");
        } catch (IpamException e) {
            assertEquals(IpamException.Reason.ALREADY_EXISTS, e.reason(), "otherwise the fixed name is refused");
        }
        List<IPClaim> claims = client.claims().listAll(ListOptions.all().withFieldSelector("spec.poolRef.name=idem"));
        assertEquals(1, claims.size());
        assertEquals(first, claims.get(0).cidr());
    }

    @Test
    void dryRunAnswersTheExactBlockAndStoresNothing() {
        pool("dry", "10.12.0.0/24");
        assertEquals("10.12.0.0/25", client.claim(ClaimRequest.of("dry-a", IPClaimSpec.fromPool("dry", "IPv4", 25)).asDryRun()));
        assertEquals(IpamException.Reason.NOT_FOUND, assertThrows(IpamException.class, () -> client.claims().get("dry-a")).reason());
    }

    @Test
    void errorsAreTypedWithTheKubernetesReason() {
        pool("err", "10.13.0.0/24");
        client.claim(ClaimRequest.of("err-a", IPClaimSpec.fromPool("err", "IPv4", 25)));
        assertReason(IpamException.Reason.NOT_FOUND, () -> client.claims().get("err-missing"));
        assertReason(IpamException.Reason.ALREADY_EXISTS, () -> client.claim(ClaimRequest.of("err-a", IPClaimSpec.fromPool("err", "IPv4", 25))));
        assertReason(IpamException.Reason.EXHAUSTED, () -> client.claim(ClaimRequest.of("err-b", IPClaimSpec.fromPool("err", "IPv4", 24))));
        IpamException invalid = assertReason(IpamException.Reason.INVALID,
                () -> client.claim(ClaimRequest.of("err-c", IPClaimSpec.fromPool("err", "IPv4", 33))));
        assertTrue(invalid.causes().stream().anyMatch(c -> "spec.prefixLength".equals(c.field())), invalid.causes().toString());
        assertReason(IpamException.Reason.BAD_REQUEST, () -> client.claim(ClaimRequest.of("err-d", IPClaimSpec.fromPool("err", "IPv6", 64))));
        assertReason(IpamException.Reason.CONFLICT, () -> client.pools().delete("err"));
    }

    @Test
    void listsPage() {
        pool("page", "10.14.0.0/24");
        for (int i = 0; i < 5; i++) {
            client.claim(ClaimRequest.of("page-" + i, IPClaimSpec.fromPool("page", "IPv4", 29)));
        }
        ListOptions ofPool = ListOptions.all().withFieldSelector("spec.poolRef.name=page");
        ObjectList<IPClaim> first = client.claims().list(ofPool.withLimit(2));
        assertEquals(2, first.itemsOrEmpty().size());
        assertNotNull(first.continueToken(), "a cut list carries a continue token");
        assertEquals(5, client.claims().listAll(ofPool.withLimit(2)).size());
    }

    @Test
    void watchesListThenFollow() throws Exception {
        pool("watch", "10.15.0.0/24");
        client.claim(ClaimRequest.of("watch-a", IPClaimSpec.fromPool("watch", "IPv4", 28)));
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        ListOptions ofPool = ListOptions.all().withFieldSelector("spec.poolRef.name=watch");
        try (Watch<IPClaim> watch = client.claims().watch(ofPool, e -> seen.add(e.type() + " " + e.object().name()))) {
            assertEquals("ADDED watch-a", seen.poll(10, TimeUnit.SECONDS));
            client.claim(ClaimRequest.of("watch-b", IPClaimSpec.fromPool("watch", "IPv4", 28)));
            assertEquals("ADDED watch-b", seen.poll(10, TimeUnit.SECONDS));
            client.release("watch-a");
            String next = seen.poll(10, TimeUnit.SECONDS);
            if (next != null && next.startsWith(WatchEvent.MODIFIED)) {
                next = seen.poll(10, TimeUnit.SECONDS); // a server may show Releasing before the delete
            }
            assertEquals("DELETED watch-a", next);
        }
    }

    private static IpamException assertReason(IpamException.Reason reason, Runnable call) {
        IpamException e = assertThrows(IpamException.class, call::run);
        assertEquals(reason, e.reason(), e.getMessage());
        return e;
    }
}
