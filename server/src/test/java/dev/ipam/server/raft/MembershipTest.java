package dev.ipam.server.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.ratis.CounterCore;
import dev.ipam.server.Admin;
import dev.ipam.server.Replica;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Membership changes as the Jepsen membership nemesis does them: remove a member (the leader, or a
 * follower), start it again EMPTY with join, add it back through another member.
 */
class MembershipTest {
    private static final long TIMEOUT_MS = 30_000;

    @TempDir
    Path temp;

    private TestCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
            assertEquals(List.of(), cluster.fatal, "no replica may fail to apply");
        }
    }

    private static long addMany(RaftNode node, String prefix, int count) {
        List<CompletableFuture<Replica.Applied>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            futures.add(node.replica().submit(prefix + i, CounterCore.add("m", 1)));
        }
        long max = 0;
        for (CompletableFuture<Replica.Applied> f : futures) {
            max = Math.max(max, f.orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).join().index());
        }
        return max;
    }

    private static Admin.ClusterStatus await(CompletableFuture<Admin.ClusterStatus> future) throws Exception {
        return future.get(TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS);
    }

    private static List<String> ids(Admin.ClusterStatus status) {
        return status.members().stream().map(Admin.Member::id).sorted().toList();
    }

    /** Removes {@code id} through {@code via}, stops it, moves its data aside, starts it empty with join and adds it back. */
    private void removeAndReadd(String id, RaftNode via) throws Exception {
        Peer peer = cluster.peers.get(id);
        Admin.ClusterStatus afterRemove = await(via.admin().removePeer(id));
        assertTrue(!ids(afterRemove).contains(id), "removal reported with the member still listed: " + afterRemove);
        cluster.stop(id);
        Path dir = cluster.root.resolve(id);
        Files.move(dir, cluster.root.resolve(id + ".removed"));
        RaftNode leader = cluster.awaitLeader(TIMEOUT_MS);
        long index = addMany(leader, "between-" + id + "-", 20);
        RaftNode joined = cluster.startJoining(peer);
        // Through a member that is not the leader: the request must find the leader itself.
        RaftNode other = cluster.running.values().stream().filter(n -> n != leader && n != joined).findFirst().orElseThrow();
        Admin.ClusterStatus added = await(other.admin().addPeer(id, peer.raftAddress(), peer.httpAddress()));
        assertTrue(ids(added).contains(id), "add reported with the member missing: " + added);
        TestCluster.awaitTrue(() -> ids(cluster.awaitLeader(TIMEOUT_MS).admin().status()).size() == 3, TIMEOUT_MS,
                () -> "leader does not list 3 members: " + cluster.awaitLeader(TIMEOUT_MS).admin().status());
        cluster.awaitConverged(index, TIMEOUT_MS);
        long after = addMany(joined, "after-" + id + "-", 10);
        cluster.awaitConverged(after, TIMEOUT_MS);
        assertEquals(List.of("n1", "n2", "n3"), ids(joined.admin().status()));
    }

    @Test
    void theBatchLingerAndTheInFlightLimitFollowTheGroupAsItGrowsAndShrinks() throws Exception {
        cluster = new TestCluster(temp, 1, CounterCore::new, s -> s);
        cluster.startAll();
        RaftNode first = cluster.awaitLeader(TIMEOUT_MS);
        assertEquals(RaftSettings.BATCH_LINGER_US_ALONE, first.replica().lingerUs(), "a node alone");
        assertEquals(RaftSettings.ENTRIES_IN_FLIGHT_ALONE, first.replica().inFlightLimit(), "a node alone");
        Peer peer = TestCluster.newPeer("n2");
        RaftNode second = cluster.startJoining(peer);
        await(first.admin().addPeer(peer.id(), peer.raftAddress(), peer.httpAddress()));
        TestCluster.awaitTrue(() -> first.replica().lingerUs() == RaftSettings.BATCH_LINGER_US_GROUP
                        && second.replica().lingerUs() == RaftSettings.BATCH_LINGER_US_GROUP
                        && first.replica().inFlightLimit() == RaftSettings.ENTRIES_IN_FLIGHT_GROUP
                        && second.replica().inFlightLimit() == RaftSettings.ENTRIES_IN_FLIGHT_GROUP, TIMEOUT_MS,
                () -> "after add-peer: lingers " + first.replica().lingerUs() + " and " + second.replica().lingerUs()
                        + ", in-flight limits " + first.replica().inFlightLimit() + " and " + second.replica().inFlightLimit());
        addMany(first, "two-", 10);
        await(first.admin().removePeer(peer.id()));
        cluster.stop(peer.id());
        TestCluster.awaitTrue(() -> first.replica().lingerUs() == RaftSettings.BATCH_LINGER_US_ALONE
                        && first.replica().inFlightLimit() == RaftSettings.ENTRIES_IN_FLIGHT_ALONE, TIMEOUT_MS,
                () -> "after remove-peer: linger " + first.replica().lingerUs() + ", in-flight limit "
                        + first.replica().inFlightLimit());
        addMany(first, "alone-again-", 10);
    }

    @Test
    void aPeerThatNeverAnswersTimesOutAsATimeoutNamingThePeer() throws Exception {
        cluster = new TestCluster(temp, 1, CounterCore::new, s -> s.withRequestTimeoutMs(2_000));
        cluster.startAll();
        RaftNode leader = cluster.awaitLeader(TIMEOUT_MS);
        int silentPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            silentPort = socket.getLocalPort();
        }
        ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> await(leader.admin().addPeer("n9", "127.0.0.1:" + silentPort, "127.0.0.1:1")));
        // A TimeoutException becomes a 504 with this message in the API, not a 500 InternalError.
        assertTrue(failed.getCause() instanceof java.util.concurrent.TimeoutException, failed.toString());
        assertTrue(failed.getCause().getMessage().startsWith("add peer n9 did not complete within 1500 ms (it may still take effect"),
                failed.getCause().getMessage());
    }

    @Test
    void aRemovedLeaderStartedEmptyIsAddedBack() throws Exception {
        cluster = new TestCluster(temp, 3, CounterCore::new, s -> s);
        cluster.startAll();
        RaftNode leader = cluster.awaitLeader(TIMEOUT_MS);
        addMany(leader, "pre-", 30);
        removeAndReadd(leader.id(), leader);
        // And once more, the new leader, removed through a follower.
        RaftNode second = cluster.awaitLeader(TIMEOUT_MS);
        RaftNode follower = cluster.running.values().stream().filter(n -> n != second).findFirst().orElseThrow();
        removeAndReadd(second.id(), follower);
    }

    @Test
    void aRemovedFollowerIsAddedBackAndChangesAreIdempotent() throws Exception {
        cluster = new TestCluster(temp, 3, CounterCore::new, s -> s);
        cluster.startAll();
        RaftNode leader = cluster.awaitLeader(TIMEOUT_MS);
        addMany(leader, "pre-", 30);
        String follower = cluster.anyFollower().id();
        removeAndReadd(follower, leader);

        RaftNode any = cluster.awaitLeader(TIMEOUT_MS);
        Peer member = cluster.peers.get(follower);
        // Adding a member that is already there: success with the status.
        Admin.ClusterStatus again = await(any.admin().addPeer(member.id(), member.raftAddress(), member.httpAddress()));
        assertEquals(List.of("n1", "n2", "n3"), ids(again));
        // Adding an existing id with other addresses is a conflict, not a silent success.
        Throwable conflict = any.admin().addPeer(member.id(), "127.0.0.1:1", "127.0.0.1:2")
                .handle((s, e) -> e).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertTrue(unwrap(conflict) instanceof IllegalArgumentException, "conflicting re-add: " + conflict);
        // Removing a non-member: not found.
        Throwable missing = any.admin().removePeer("n9").handle((s, e) -> e).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertTrue(unwrap(missing) instanceof NoSuchElementException, "removing a non-member: " + missing);
        assertEquals(List.of("n1", "n2", "n3"), ids(any.admin().status()));
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof ExecutionException || e instanceof java.util.concurrent.CompletionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /**
     * A node that stops while a long read holds its state (a backup streaming to a slow client) tells
     * the read to end, so the stop does not wait for the client; the backup then breaks off.
     */
    @Test
    void stoppingANodeAsksItsLongReadsToEnd() throws Exception {
        cluster = new TestCluster(temp, 1, CounterCore::new, s -> s);
        cluster.startAll();
        RaftNode node = cluster.awaitLeader(TIMEOUT_MS);
        assertFalse(node.replica().readsShouldYield(), "nothing waits for the state yet");
        CountDownLatch reading = new CountDownLatch(1);
        CompletableFuture<Long> read = node.replica().read(false, snapshot -> {
            reading.countDown();
            long start = System.nanoTime();
            while (!node.replica().readsShouldYield()) {
                if (System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS)) {
                    return -1L;
                }
                Thread.onSpinWait();
            }
            return (System.nanoTime() - start) / 1_000_000;
        });
        assertTrue(reading.await(TIMEOUT_MS, TimeUnit.MILLISECONDS));
        long stopStart = System.nanoTime();
        cluster.stop(node.id());
        long stopMs = (System.nanoTime() - stopStart) / 1_000_000;
        long heldMs = read.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertTrue(heldMs >= 0, "the read was never asked to end");
        assertTrue(stopMs < TIMEOUT_MS, "the stop waited for the read's own limit: " + stopMs + " ms");
        assertEquals(0, cluster.running.size());
    }
}
