package dev.ipam.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.client.fake.FakeIpam;
import dev.ipam.client.fake.FakeNode;
import dev.ipam.client.model.IPClaim;
import dev.ipam.client.model.IPClaimSpec;
import dev.ipam.client.model.WatchEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WatchTest {
    private static final long WAIT_MS = 5_000;

    private FakeIpam ipam;
    private FakeNode n1;
    private FakeNode n2;
    private IpamClient client;
    private final BlockingQueue<WatchEvent<IPClaim>> events = new LinkedBlockingQueue<>();
    private final BlockingQueue<IpamException> errors = new LinkedBlockingQueue<>();
    private final WatchListener<IPClaim> listener = new WatchListener<>() {
        @Override
        public void onEvent(WatchEvent<IPClaim> event) {
            events.add(event);
        }

        @Override
        public void onError(IpamException error) {
            errors.add(error);
        }
    };

    @BeforeEach
    void start() throws Exception {
        ipam = new FakeIpam();
        n1 = ipam.startNode();
        n2 = ipam.startNode();
        ipam.seedProject("demo");
        ipam.seedPool("demo", "web", "10.0.0.0/24", Map.of());
        client = new IpamClient(ClientConfig.builder().endpoint(n1.uri()).endpoint(n2.uri()).project("demo")
                .connectTimeoutMs(500).backoffMs(5, 50).build());
    }

    @AfterEach
    void stop() {
        ipam.close();
    }

    private void claim(String name) {
        client.claim(ClaimRequest.of(name, IPClaimSpec.fromPool("web", "IPv4", 28)));
    }

    private WatchEvent<IPClaim> next() throws InterruptedException {
        WatchEvent<IPClaim> event = events.poll(WAIT_MS, TimeUnit.MILLISECONDS);
        assertNotNull(event, "no watch event within " + WAIT_MS + " ms; errors: " + errors);
        return event;
    }

    private List<String> next(int count) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            WatchEvent<IPClaim> event = next();
            seen.add(event.type() + " " + event.object().name());
        }
        return seen;
    }

    @Test
    void listsThenFollowsChangesInOrder() throws Exception {
        claim("before");
        try (Watch<IPClaim> watch = client.claims().watch(ListOptions.all(), listener)) {
            assertEquals(List.of("ADDED before"), next(1));
            claim("after");
            WatchEvent<IPClaim> added = next();
            assertEquals("ADDED", added.type());
            assertEquals("after", added.object().name());
            assertTrue(added.object().isBound(), "watchers see the claim already Bound");
            client.release("before");
            assertEquals(List.of("DELETED before"), next(1));
            assertEquals(0, watch.relists());
        }
    }

    @Test
    void relistsWhenItsVersionWasCompactedAndReportsTheDifference() throws Exception {
        claim("a");
        claim("b");
        String old = Long.toString(ipam.resourceVersion());
        client.release("a");
        claim("c");
        ipam.compact();
        try (Watch<IPClaim> watch = client.claims().watch(ListOptions.all().withResourceVersion(old), listener)) {
            // From the stale version the watch cannot replay; it re-lists and sees b and c as they are now.
            assertEquals(List.of("ADDED b", "ADDED c"), next(2));
            claim("d");
            assertEquals(List.of("ADDED d"), next(1));
            assertEquals(1, watch.relists());
        }
    }

    @Test
    void relistsOnHttpGoneToo() throws Exception {
        ipam.goneAsEvent(false);
        claim("a");
        ipam.compact();
        try (Watch<IPClaim> watch = client.claims().watch(ListOptions.all().withResourceVersion("1"), listener)) {
            assertEquals(List.of("ADDED a"), next(1));
            claim("b");
            assertEquals(List.of("ADDED b"), next(1));
            assertEquals(1, watch.relists());
        }
    }

    @Test
    void aRelistAfterMissedDeletesReportsThemAsDeleted() throws Exception {
        FakeNode writer = ipam.startNode();
        IpamClient writes = new IpamClient(ClientConfig.builder().endpoint(writer.uri()).project("demo").build());
        IpamClient watches = new IpamClient(ClientConfig.builder().endpoint(n1.uri()).endpoint(n2.uri()).project("demo")
                .connectTimeoutMs(500).backoffMs(5, 20).watchReconnectsMax(1_000).build());
        claim("a");
        claim("b");
        try (Watch<IPClaim> watch = watches.claims().watch(ListOptions.all(), listener)) {
            assertEquals(List.of("ADDED a", "ADDED b"), next(2));
            n2.failNext(Integer.MAX_VALUE, 503);
            n1.stop();
            writes.release("a");
            ipam.compact();
            writes.claim(ClaimRequest.of("c", IPClaimSpec.fromPool("web", "IPv4", 28)));
            n2.failNext(0, 503);
            // The watch lost n1 while the history was compacted; on n2 it re-lists and reports the gap.
            assertEquals(List.of("ADDED c", "DELETED a"), next(2));
            assertEquals(1, watch.relists());
        }
    }

    @Test
    void resumesOnAnotherNodeWithoutLosingOrRepeatingEvents() throws Exception {
        try (Watch<IPClaim> watch = client.claims().watch(ListOptions.all(), listener)) {
            claim("a");
            assertEquals(List.of("ADDED a"), next(1));
            n1.stop();
            claim("b");
            claim("c");
            assertEquals(List.of("ADDED b", "ADDED c"), next(2));
            assertEquals(0, watch.relists());
            assertTrue(events.isEmpty());
        }
    }

    /**
     * ipamd's batcher puts several commands in one Raft entry, and their changes share its index as
     * resourceVersion. A stream that ends after the first of them must not cost the watcher the rest:
     * the watch resumes one version back and drops what it already has.
     */
    @Test
    void aStreamEndedInsideAnEntryLosesNoneOfItsEvents() throws Exception {
        ListOptions onlyClaims = ListOptions.all();
        try (Watch<IPClaim> watch = client.claims().watch(onlyClaims, listener)) {
            claim("a");
            assertEquals(List.of("ADDED a"), next(1));
            n1.endWatchesAfter(1);
            ipam.oneEntry(true);
            claim("b");
            claim("c");
            ipam.oneEntry(false);
            assertEquals(List.of("ADDED b", "ADDED c"), next(2));

            // The same object twice in one entry: created and released. Only the first event is
            // already delivered when the stream ends; the release still arrives, once.
            n1.endWatchesAfter(1);
            ipam.oneEntry(true);
            claim("x");
            client.release("x");
            ipam.oneEntry(false);
            assertEquals(List.of("ADDED x", "DELETED x"), next(2));

            claim("d");
            assertEquals(List.of("ADDED d"), next(1));
            assertEquals(0, watch.relists());
            assertTrue(events.isEmpty(), "repeated events: " + events);
            assertTrue(errors.isEmpty(), errors.toString());
        }
    }

    @Test
    void aSilentStreamIsDroppedAndResumedWithoutLosingEvents() throws Exception {
        IpamClient idle = new IpamClient(ClientConfig.builder().endpoint(n1.uri()).project("demo")
                .watchIdleMs(100).backoffMs(5, 20).build());
        int before = n1.requests();
        try (Watch<IPClaim> watch = idle.claims().watch(ListOptions.all(), listener)) {
            await().atMost(Duration.ofMillis(WAIT_MS)).pollInterval(Duration.ofMillis(10)).untilAsserted(() ->
                    assertTrue(n1.requests() >= before + 4, "the idle stream was never dropped and reopened"));
            claim("late");
            assertEquals(List.of("ADDED late"), next(1));
            assertTrue(watch.running());
            assertEquals(0, watch.relists());
            assertTrue(errors.isEmpty(), errors.toString());
        }
    }

    @Test
    void aWatchStopsWhenClosed() throws Exception {
        Watch<IPClaim> watch = client.claims().watch(ListOptions.all(), listener);
        watch.close();
        assertTrue(watch.awaitStopped(WAIT_MS));
        assertTrue(errors.isEmpty(), "closing is not an error: " + errors);
    }

    @Test
    void anOversizedEventStopsTheWatchWithAnError() throws Exception {
        IpamClient small = new IpamClient(ClientConfig.builder().endpoint(n1.uri()).project("demo").watchEventBytesMax(64).build());
        try (Watch<IPClaim> watch = small.claims().watch(ListOptions.all().withResourceVersion("1"), listener)) {
            claim("a-claim-with-a-long-enough-name");
            IpamException error = errors.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            assertNotNull(error);
            assertEquals(IpamException.Reason.TOO_LARGE, error.reason());
            assertTrue(watch.awaitStopped(WAIT_MS));
        }
    }
}
