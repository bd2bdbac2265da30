package dev.ipam.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.client.fake.FakeIpam;
import dev.ipam.client.fake.FakeNode;
import dev.ipam.client.model.ClusterStatus;
import dev.ipam.client.model.IPAllocation;
import dev.ipam.client.model.IPClaim;
import dev.ipam.client.model.IPClaimSpec;
import dev.ipam.client.model.IPPool;
import dev.ipam.client.model.IPPoolSpec;
import dev.ipam.client.model.ObjectList;
import dev.ipam.client.model.Project;
import dev.ipam.client.model.Quota;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IpamClientTest {
    private FakeIpam ipam;
    private FakeNode n1;
    private FakeNode n2;
    private FakeNode n3;
    private IpamClient client;

    @BeforeEach
    void start() throws Exception {
        ipam = new FakeIpam();
        n1 = ipam.startNode();
        n2 = ipam.startNode();
        n3 = ipam.startNode();
        ipam.seedProject("demo");
        ipam.seedPool("demo", "web", "10.0.0.0/24", Map.of("tier", "web"));
        client = clientFor(List.of(n1.uri(), n2.uri(), n3.uri()));
    }

    @AfterEach
    void stop() {
        ipam.close();
    }

    private static IpamClient clientFor(List<String> endpoints) {
        return new IpamClient(ClientConfig.builder().endpoints(endpoints).project("demo")
                .connectTimeoutMs(500).requestTimeoutMs(2_000).operationTimeoutMs(10_000).backoffMs(5, 50).build());
    }

    @Test
    void claimReturnsTheBoundBlockFirstFit() {
        assertEquals("10.0.0.0/26", client.claim(ClaimRequest.of("a", IPClaimSpec.fromPool("web", "IPv4", 26))));
        assertEquals("10.0.0.64/26", client.claim(ClaimRequest.of("b", IPClaimSpec.fromPool("web", "IPv4", 26))));
        IPClaim stored = client.claims().get("a");
        assertTrue(stored.isBound());
        assertEquals("Bound", stored.status().phase());
        assertNotNull(stored.status().boundAllocationRef().name());
        IPAllocation allocation = client.allocations("default").get(stored.status().boundAllocationRef().name());
        assertEquals("10.0.0.0/26", allocation.cidr());
        assertEquals("web", allocation.spec().poolRef().name());
    }

    @Test
    void claimBySelectorAndDryRunStoresNothing() {
        IPClaimSpec spec = IPClaimSpec.fromSelector(Map.of("tier", "web"), "IPv4", 28);
        assertEquals("10.0.0.0/28", client.claim(ClaimRequest.of("dry", spec).asDryRun()));
        assertEquals(0, ipam.claimCreations());
        assertEquals("10.0.0.0/28", client.claim(ClaimRequest.of("real", spec)));
        assertEquals(1, ipam.claimCreations());
    }

    @Test
    void releaseReturnsTheBlockToThePool() {
        client.claim(ClaimRequest.of("a", IPClaimSpec.fromPool("web", "IPv4", 25)));
        client.claim(ClaimRequest.of("b", IPClaimSpec.fromPool("web", "IPv4", 25)));
        client.release("a");
        assertEquals("10.0.0.0/25", client.claim(ClaimRequest.of("c", IPClaimSpec.fromPool("web", "IPv4", 25))));
        IpamException gone = assertThrows(IpamException.class, () -> client.release("a"));
        assertEquals(IpamException.Reason.NOT_FOUND, gone.reason());
    }

    @Test
    void failsOverToTheNextNodeWhenTheFirstIsDown() {
        n1.stop();
        assertEquals("10.0.0.0/26", client.claim(ClaimRequest.of("a", IPClaimSpec.fromPool("web", "IPv4", 26))));
        assertEquals(1, ipam.claimCreations());
    }

    @Test
    void failsOverOnServiceUnavailable() {
        n1.failNext(100, 503);
        assertEquals("10.0.0.0/26", client.claim(ClaimRequest.of("a", IPClaimSpec.fromPool("web", "IPv4", 26))));
        assertTrue(n2.requests() > 0, "the claim went on to n2");
    }

    @Test
    void aRetryAfterALostAnswerReusesTheRequestIdAndNeverAllocatesTwice() {
        n1.dropAnswersAfterApply(1);
        String cidr = client.claim(ClaimRequest.of("a", IPClaimSpec.fromPool("web", "IPv4", 26)));
        assertEquals("10.0.0.0/26", cidr);
        assertEquals(1, n2.requests(), "the retry went to the next node");
        assertEquals(1, ipam.claimCreations(), "the retry was answered from the first attempt");
    }

    @Test
    void aRetryThatMeetsAlreadyExistsReadsTheClaimBack() {
        ipam.dedupeRequestIds(false);
        n1.dropAnswersAfterApply(1);
        String cidr = client.claim(ClaimRequest.of("a", IPClaimSpec.fromPool("web", "IPv4", 26)));
        assertEquals("10.0.0.0/26", cidr);
        assertEquals(1, ipam.claimCreations());
    }

    @Test
    void aFirstAttemptThatMeetsAlreadyExistsIsAnError() {
        client.claim(ClaimRequest.of("a", IPClaimSpec.fromPool("web", "IPv4", 26)));
        IpamException e = assertThrows(IpamException.class,
                () -> client.claim(ClaimRequest.of("a", IPClaimSpec.fromPool("web", "IPv4", 26))));
        assertEquals(IpamException.Reason.ALREADY_EXISTS, e.reason());
        assertEquals(409, e.code());
        assertEquals("AlreadyExists", e.kubernetesReason());
    }

    @Test
    void aRetriedCreateWithADifferentSpecIsNotMistakenForOurs() {
        ipam.dedupeRequestIds(false);
        client.claim(ClaimRequest.of("a", IPClaimSpec.fromPool("web", "IPv4", 26)));
        n1.failNext(1, 503);
        IpamException e = assertThrows(IpamException.class,
                () -> client.claim(ClaimRequest.of("a", IPClaimSpec.fromPool("web", "IPv4", 27))));
        assertEquals(IpamException.Reason.ALREADY_EXISTS, e.reason());
    }

    @Test
    void aRetainedAllocationStillBlocksTheNameEvenOnARetry() {
        client.claim(ClaimRequest.of("kept", IPClaimSpec.fromPool("web", "IPv4", 26).withReclaimPolicy("Retain")));
        client.release("kept");
        assertEquals(1, client.allocations("default").listAll(ListOptions.all()).size(), "Retain keeps the allocation");
        n1.failNext(1, 503);
        IpamException e = assertThrows(IpamException.class,
                () -> client.claim(ClaimRequest.of("kept", IPClaimSpec.fromPool("web", "IPv4", 26))));
        assertEquals(IpamException.Reason.ALREADY_EXISTS, e.reason(), "no claim to read back: the 409 stands");
        assertEquals("10.0.0.64/26", client.claim(ClaimRequest.of("other", IPClaimSpec.fromPool("web", "IPv4", 26))),
                "the retained block stays taken");
    }

    @Test
    void aStreamOfClaimsSurvivesTheNodeInUseStopping() {
        Set<String> blocks = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            if (i == 15) {
                n1.stop();
            }
            if (i == 30) {
                n2.dropAnswersAfterApply(1);
            }
            blocks.add(client.claim(ClaimRequest.of("c" + i, IPClaimSpec.fromPool("web", "IPv4", 30))));
        }
        assertEquals(40, blocks.size(), "every claim got its own block");
        assertEquals(40, ipam.claimCreations(), "every claim was made exactly once");
        assertEquals(40, client.claims().listAll(ListOptions.all()).size());
    }

    @Test
    void everyErrorCodeBecomesItsTypedReason() {
        assertReason(IpamException.Reason.NOT_FOUND, 404, () -> client.claims().get("missing"));
        assertReason(IpamException.Reason.EXHAUSTED, 507,
                () -> client.claim(ClaimRequest.of("big", IPClaimSpec.fromPool("web", "IPv4", 23))));
        IpamException invalid = assertReason(IpamException.Reason.INVALID, 422,
                () -> client.claim(ClaimRequest.of("bad", IPClaimSpec.fromPool("web", "IPv4", 33))));
        assertEquals("spec.prefixLength", invalid.causes().get(0).field());
        assertReason(IpamException.Reason.BAD_REQUEST, 400,
                () -> client.claim(ClaimRequest.of("nopool", IPClaimSpec.fromPool("nope", "IPv4", 24))));
        client.claim(ClaimRequest.of("a", IPClaimSpec.fromPool("web", "IPv4", 26)));
        assertReason(IpamException.Reason.CONFLICT, 409, () -> client.pools().delete("web"));
        n1.failNext(1, 429);
        assertReason(IpamException.Reason.TOO_MANY_REQUESTS, 429, () -> client.pools().get("web"));
        n1.failNext(1, 500);
        assertReason(IpamException.Reason.INTERNAL, 500, () -> client.pools().get("web"));
        IpamClient lost = clientFor(List.of(n1.uri()));
        n1.failNext(100, 503);
        assertReason(IpamException.Reason.UNAVAILABLE, 503, () -> lost.pools().get("web"));
        n1.failNext(0, 503);
        IpamClient otherProject = client.withProject("nobody");
        assertReason(IpamException.Reason.NOT_FOUND, 404, () -> otherProject.pools().list(ListOptions.all()));
    }

    @Test
    void credentialsAreSentAndRefusalsAreTyped() {
        ipam.requireToken("admin-token", "viewer-token");
        assertReason(IpamException.Reason.UNAUTHORIZED, 401, () -> client.pools().get("web"));
        IpamClient viewer = new IpamClient(ClientConfig.builder().endpoint(n1.uri()).project("demo").token("viewer-token").build());
        assertEquals("web", viewer.pools().get("web").name());
        assertReason(IpamException.Reason.FORBIDDEN, 403,
                () -> viewer.claim(ClaimRequest.of("a", IPClaimSpec.fromPool("web", "IPv4", 26))));
        IpamClient admin = new IpamClient(ClientConfig.builder().endpoint(n1.uri()).project("demo").token("admin-token").build());
        assertEquals("10.0.0.0/26", admin.claim(ClaimRequest.of("a", IPClaimSpec.fromPool("web", "IPv4", 26))));
    }

    @Test
    void noNodeAtAllIsUnavailableAfterBoundedAttempts() {
        n1.stop();
        n2.stop();
        n3.stop();
        IpamException e = assertThrows(IpamException.class, () -> client.pools().get("web"));
        assertEquals(IpamException.Reason.UNAVAILABLE, e.reason());
        assertEquals(0, e.code());
        assertTrue(e.getMessage().contains("6 attempt(s)"), e.getMessage());
    }

    @Test
    void listsPageWithLimitAndContinue() {
        for (int i = 0; i < 7; i++) {
            client.claim(ClaimRequest.of("c" + i, IPClaimSpec.fromPool("web", "IPv4", 29))
                    .withLabels(Map.of("parity", i % 2 == 0 ? "even" : "odd")));
        }
        ObjectList<IPClaim> first = client.claims().list(ListOptions.all().withLimit(3));
        assertEquals(List.of("c0", "c1", "c2"), first.itemsOrEmpty().stream().map(IPClaim::name).toList());
        assertNotNull(first.continueToken());
        ObjectList<IPClaim> second = client.claims().list(ListOptions.all().withLimit(3).withContinue(first.continueToken()));
        assertEquals(List.of("c3", "c4", "c5"), second.itemsOrEmpty().stream().map(IPClaim::name).toList());
        List<IPClaim> all = client.claims().listAll(ListOptions.all().withLimit(3));
        assertEquals(7, all.size());
        assertEquals(4, client.claims().listAll(ListOptions.labels("parity=even")).size());
        assertEquals(7, client.claims(null).listAll(ListOptions.all().withFieldSelector("spec.poolRef.name=web")).size());
        assertEquals(7, client.allocations(null).listAll(ListOptions.all()).size());
        IpamException bad = assertThrows(IpamException.class, () -> client.claims().list(ListOptions.labels("a in (b")));
        assertEquals(IpamException.Reason.BAD_REQUEST, bad.reason());
    }

    @Test
    void aListLargerThanTheLimitIsRefused() {
        for (int i = 0; i < 5; i++) {
            client.claim(ClaimRequest.of("c" + i, IPClaimSpec.fromPool("web", "IPv4", 29)));
        }
        IpamClient small = new IpamClient(ClientConfig.builder().endpoint(n1.uri()).project("demo").listItemsMax(3).build());
        assertEquals(IpamException.Reason.TOO_LARGE,
                assertThrows(IpamException.class, () -> small.claims().listAll(ListOptions.all())).reason());
        IpamClient tiny = new IpamClient(ClientConfig.builder().endpoint(n1.uri()).project("demo")
                .responseBytesMax(200).watchEventBytesMax(100).build());
        assertEquals(IpamException.Reason.TOO_LARGE,
                assertThrows(IpamException.class, () -> tiny.claims().listAll(ListOptions.all())).reason());
    }

    @Test
    void waitForTimesOutWithTheTimeoutReason() {
        client.claim(ClaimRequest.of("a", IPClaimSpec.fromPool("web", "IPv4", 26)));
        IPClaim bound = client.claims().waitFor("a", IPClaim::isBound, Duration.ofSeconds(5));
        assertEquals("10.0.0.0/26", bound.cidr());
        IpamException e = assertThrows(IpamException.class,
                () -> client.claims().waitFor("a", c -> "Error".equals(c.status().phase()), Duration.ofMillis(150)));
        assertEquals(IpamException.Reason.TIMEOUT, e.reason());
        client.release("a");
        client.claims().waitForDeletion("a", Duration.ofSeconds(5));
    }

    @Test
    void poolsCanBeCreatedLabelledAndDeleted() {
        IPPool created = client.pools().create(IPPool.of("v6", IPPoolSpec.root("2001:db8::/48", "IPv6")));
        assertEquals("2001:db8::/48", created.status().allocatedCIDR());
        IPPool child = client.pools().create(IPPool.of("kid", IPPoolSpec.child("web", 25)));
        assertEquals("10.0.0.0/25", child.status().allocatedCIDR());
        assertEquals(50.0, client.pools().get("web").status().utilizationPercent());
        IPPool labelled = client.pools().patch("v6", Map.of("metadata", Map.of("labels", Map.of("env", "prod"))));
        assertEquals("prod", labelled.metadata().labels().get("env"));
        IpamException immutable = assertThrows(IpamException.class,
                () -> client.pools().patch("v6", Map.of("spec", Map.of("cidr", "2001:db8::/47"))));
        assertEquals(IpamException.Reason.INVALID, immutable.reason());
        IPPool stale = client.pools().get("kid");
        client.pools().patch("kid", Map.of("metadata", Map.of("labels", Map.of("a", "b"))));
        assertEquals(IpamException.Reason.CONFLICT, assertThrows(IpamException.class,
                () -> client.pools().update(stale)).reason());
        client.pools().delete("kid");
        client.pools().delete("v6");
        assertEquals(List.of("web"), client.pools().listAll(ListOptions.all()).stream().map(IPPool::name).toList());
    }

    @Test
    void projectsAreAdministeredOutsideAnyProject() {
        IpamClient admin = new IpamClient(ClientConfig.builder().endpoint(n2.uri()).build());
        Project created = admin.projects().create(Project.of("team-b", new Quota(10L, 256L)));
        assertEquals("team-b", created.name());
        assertEquals(List.of("demo", "team-b"), admin.projects().listAll(ListOptions.all()).stream().map(Project::name).toList());
        assertEquals(0L, admin.projects().get("team-b").status().usage().claims());
        assertEquals(IpamException.Reason.CONFLICT, assertThrows(IpamException.class,
                () -> admin.projects().delete("demo")).reason());
        admin.projects().delete("team-b");
        assertThrows(IllegalStateException.class, () -> admin.pools());
    }

    @Test
    void adminEndpointsReportAndChangeTheGroup() {
        ClusterAdmin cluster = client.cluster();
        ClusterStatus status = cluster.status();
        assertEquals(3, status.members().size());
        assertEquals("n1", status.leaderId());
        assertEquals(4, cluster.addPeer("n4", "127.0.0.1:7004", "http://127.0.0.1:8004").members().size());
        assertEquals("n2", cluster.transferLeader("n2").leaderId());
        assertEquals(3, cluster.removePeer("n4").members().size());
        assertEquals(IpamException.Reason.NOT_FOUND, assertThrows(IpamException.class, () -> cluster.removePeer("n9")).reason());
        assertEquals(ipam.resourceVersion(), cluster.snapshot());
        n2.ready(false);
        n3.stop();
        List<ClusterAdmin.Probe> ready = cluster.readiness();
        assertEquals(List.of(true, false, false), ready.stream().map(ClusterAdmin.Probe::ok).toList());
        assertEquals(503, ready.get(1).code());
        assertTrue(cluster.health().get(0).ok());
    }

    private static IpamException assertReason(IpamException.Reason reason, int code, Runnable call) {
        IpamException e = assertThrows(IpamException.class, call::run);
        assertEquals(reason, e.reason(), e.getMessage());
        if (code != 503) {
            assertEquals(code, e.code(), e.getMessage());
        }
        assertFalse(e.getMessage() == null || e.getMessage().isEmpty());
        return e;
    }
}
