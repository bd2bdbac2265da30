package dev.ipam.server.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ipam.ratis.CounterCore;
import dev.ipam.server.Replica;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three (and four) ipamd Raft nodes in one JVM, over real gRPC on loopback, with a counter core. */
class RaftClusterTest {
    private static final long TIMEOUT_MS = 30_000;
    /**
     * After an installation attempt began against a stopped follower, the restarted follower has a
     * snapshot installed within this (the attempt blocks 8-16 s; at the old timeout, 24-48 s).
     */
    private static final long SNAPSHOT_CATCH_UP_MS = 20_000;
    /** A node back with another leader's uncommitted tail of 40 entries has caught up within this. */
    private static final long CATCH_UP_MS = 12_000;

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

    private TestCluster cluster(int size, UnaryOperator<RaftSettings> tune) {
        cluster = new TestCluster(temp, size, CounterCore::new, tune);
        cluster.startAll();
        return cluster;
    }

    private static Replica.Applied add(RaftNode node, String requestId, String counter, long delta) {
        return node.replica().submit(requestId, CounterCore.add(counter, delta)).orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).join();
    }

    private static long counter(RaftNode node, String name, boolean linearizable) {
        return node.replica().read(linearizable, s -> CounterCore.value(s.view(), name)).orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).join();
    }

    /** Submits {@code count} commands concurrently through {@code node}; returns the highest index. */
    private static long addMany(RaftNode node, String prefix, String counter, int count) {
        List<CompletableFuture<Replica.Applied>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            futures.add(node.replica().submit(prefix + i, CounterCore.add(counter, 1)));
        }
        long max = 0;
        for (CompletableFuture<Replica.Applied> f : futures) {
            max = Math.max(max, f.orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).join().index());
        }
        return max;
    }

    private void assertIdentical() {
        long index = cluster.awaitLeader(TIMEOUT_MS).stateMachine().appliedState().index();
        cluster.awaitConverged(index, TIMEOUT_MS);
        var digests = cluster.digests();
        assertEquals(1, new HashSet<>(digests.values()).size(), "replica digests differ: " + digests
                + " at " + cluster.appliedIndexes());
    }

    @Test
    void writesContinueAfterTheLeaderStopsAndARestartedNodeCatchesUp() {
        cluster(3, s -> s);
        RaftNode leader = cluster.awaitLeader(TIMEOUT_MS);
        addMany(cluster.anyFollower(), "a-", "c", 200);
        String stopped = leader.id();
        cluster.stop(stopped);
        RaftNode next = cluster.awaitLeader(TIMEOUT_MS);
        addMany(next, "b-", "c", 200);
        for (RaftNode node : cluster.running.values()) {
            assertEquals(400, counter(node, "c", true), "linearizable read on " + node.id());
        }
        cluster.start(stopped);
        long index = addMany(cluster.node(stopped), "c-", "c", 10);
        cluster.awaitConverged(index, TIMEOUT_MS);
        assertEquals(410, counter(cluster.node(stopped), "c", false));
        assertIdentical();
    }

    /**
     * A leader cut off from every follower cannot know whether the others have elected a new leader
     * and committed writes since, so it must not answer a linearizable read. Ratis 3.3.0 answered at
     * once, without asking anyone, when a read at the same commit index had been confirmed before (a
     * deposed leader's commit index stands still). The Jepsen partitions scenario caught it as a
     * released claim read back from an old leader; the replacement ReadIndexHeartbeats fixes it.
     */
    @Test
    void aLeaderCutOffFromItsFollowersAnswersNoLinearizableRead() {
        cluster(3, s -> s.withRequestTimeoutMs(4_000));
        RaftNode leader = cluster.awaitLeader(TIMEOUT_MS);
        add(leader, "w", "c", 1);
        assertEquals(1, counter(leader, "c", true), "a read a majority confirmed");
        for (RaftNode node : List.copyOf(cluster.running.values())) {
            if (node != leader) {
                cluster.stop(node.id());
            }
        }
        CompletableFuture<Long> read = leader.replica().read(true, s -> CounterCore.value(s.view(), "c"));
        CompletionException failure = assertThrows(CompletionException.class,
                () -> read.orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).join(), "no majority confirmed this read");
        assertInstanceOf(Replica.Unavailable.class, failure.getCause(), () -> "failed with " + failure.getCause());
    }

    /**
     * A leader cut off from its followers appends writes that never commit. Back as a follower it
     * holds that tail where the new leader has other entries. Ratis 3.3.0's appender stepped back
     * one entry per refused append, a second apart once ten had been refused, so a tail of 40 took
     * 12-19 s here (5 s per entry after a long outage, at Ratis' retry policy). {@link CatchUpAppender}
     * resends from the last entry known to match: 3-4 s.
     */
    @Test
    void aDeposedLeadersUncommittedTailIsReplacedInAFewAppends() {
        int tail = 40;
        cluster(3, s -> s.withBatching(1, 0).withEntriesInFlightMax(64));
        RaftNode leader = cluster.awaitLeader(TIMEOUT_MS);
        addMany(leader, "a-", "c", 10);
        String deposed = leader.id();
        List<String> followers = cluster.running.keySet().stream().filter(id -> !id.equals(deposed)).toList();
        followers.forEach(cluster::stop);
        long committed = leader.division().getRaftLog().getLastCommittedIndex();
        List<CompletableFuture<Replica.Applied>> lost = new ArrayList<>();
        for (int i = 0; i < tail; i++) {
            lost.add(leader.replica().submit("lost-" + i, CounterCore.add("c", 1_000)));
        }
        TestCluster.awaitTrue(() -> leader.division().getRaftLog().getLastEntryTermIndex().getIndex() >= committed + tail,
                TIMEOUT_MS, () -> "the cut-off leader appended up to " + leader.division().getRaftLog().getLastEntryTermIndex()
                        + ", committed " + committed);
        cluster.stop(deposed);
        lost.forEach(f -> f.handle((v, e) -> e).orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).join());
        followers.forEach(cluster::start);
        long index = addMany(cluster.awaitLeader(TIMEOUT_MS), "b-", "c", tail + 20);

        RaftNode back = cluster.start(deposed);
        cluster.awaitConverged(index, CATCH_UP_MS);
        assertEquals(10 + tail + 20, counter(back, "c", false), "the deposed leader's tail was replaced, not applied");
        long rewinds = cluster.running.values().stream().mapToLong(RaftNode::followerRewinds).sum();
        assertTrue(rewinds >= 1, "no leader resent from the last match: " + rewinds);
        assertEquals(0, cluster.running.values().stream().mapToLong(RaftNode::stuckFollowerHandOvers).sum(),
                "the follower watch had to hand leadership over");
        assertIdentical();
    }

    @Test
    void batchedCommandsKeepTheirOwnResults() {
        cluster(3, s -> s);
        RaftNode leader = cluster.awaitLeader(TIMEOUT_MS);
        List<CompletableFuture<Replica.Applied>> futures = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            futures.add(leader.replica().submit("r" + i, CounterCore.add("k" + (i % 3), 1)));
        }
        futures.add(leader.replica().submit("neg", CounterCore.add("k0", -1_000)));
        Set<String> values = new HashSet<>();
        long maxIndex = 0;
        for (int i = 0; i < 300; i++) {
            Replica.Applied applied = futures.get(i).join();
            String result = new String(applied.result(), StandardCharsets.UTF_8);
            assertEquals(String.valueOf(applied.index()), result.split(":")[0]);
            values.add((i % 3) + "/" + result.split(":")[1]);
            maxIndex = Math.max(maxIndex, applied.index());
        }
        assertEquals(300, values.size(), "every command got its own counter value");
        assertTrue(new String(futures.get(300).join().result(), StandardCharsets.UTF_8).startsWith("rejected:"));
        // Far fewer entries than commands: the batcher packed them.
        assertTrue(maxIndex < 250, "entries used: " + maxIndex);
        var bad = leader.replica().submit("bad", "nonsense".getBytes(StandardCharsets.UTF_8));
        assertTrue(bad.handle((v, e) -> e).join() instanceof IllegalArgumentException);
        assertIdentical();
    }

    @Test
    void aRetriedRequestIdAfterALeaderChangeAppliesOnce() {
        cluster(3, s -> s);
        RaftNode leader = cluster.awaitLeader(TIMEOUT_MS);
        RaftNode follower = cluster.anyFollower();
        Replica.Applied first = add(follower, "once", "x", 5);
        cluster.stop(leader.id());
        RaftNode newLeader = cluster.awaitLeader(TIMEOUT_MS);
        RaftNode other = cluster.running.values().stream().filter(n -> n != newLeader).findFirst().orElseThrow();
        Replica.Applied retry = add(other, "once", "x", 5);
        Replica.Applied retryOnLeader = add(newLeader, "once", "x", 5);
        assertEquals(first.index(), retry.index());
        assertEquals(new String(first.result(), StandardCharsets.UTF_8), new String(retry.result(), StandardCharsets.UTF_8));
        assertEquals(first.index(), retryOnLeader.index());
        assertEquals(5, counter(other, "x", true));
        cluster.start(leader.id());
        assertEquals(first.index(), add(cluster.node(leader.id()), "once", "x", 5).index());
        assertEquals(5, counter(cluster.node(leader.id()), "x", true));
        assertIdentical();
    }

    @Test
    void aFollowerBehindAPurgedLogInstallsASnapshot() throws Exception {
        cluster(3, s -> s.withSnapshots(20, 8 * 1024, 1, 0).withBatching(4, 0));
        RaftNode leader = cluster.awaitLeader(TIMEOUT_MS);
        RaftNode follower = cluster.anyFollower();
        String lagging = follower.id();
        long laggingApplied = follower.stateMachine().appliedState().index();
        cluster.stop(lagging);
        ch.qos.logback.classic.Logger appender = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger(org.apache.ratis.grpc.server.GrpcLogAppender.class);
        ListAppender<ILoggingEvent> warnings = new ListAppender<>();
        warnings.start();
        appender.addAppender(warnings);
        long index = 0;
        for (int round = 0; round < 30; round++) {
            index = addMany(leader, "p" + round + "-", "s", 20);
        }
        long finalIndex = index;
        TestCluster.awaitTrue(() -> leader.division().getRaftLog().getStartIndex() > laggingApplied + 30, TIMEOUT_MS,
                () -> "leader never purged its log: start=" + leader.division().getRaftLog().getStartIndex() + " at " + finalIndex);
        long leaderStart = leader.division().getRaftLog().getStartIndex();
        // More files than Ratis keeps in flight (8), and the follower still down when the leader's
        // appender starts installing: that attempt's stream is dead, and it blocks until its chunks
        // time out (RaftNode.serverProperties), 8-16 s. At this cluster's general request timeout
        // (3 s) it blocked 24-48 s, and the restarted follower missed the deadline below.
        int files = leader.stateMachine().getLatestSnapshot().getFiles().size();
        assertTrue(files > 8, "a snapshot of " + files + " files does not reach Ratis' in-flight limit");
        String deadStream = "->" + lagging + "-InstallSnapshot: Failed InstallSnapshot";
        long attemptMs;
        try {
            TestCluster.awaitTrue(() -> warnings.list.stream().anyMatch(e -> e.getFormattedMessage().contains(deadStream)),
                    TIMEOUT_MS, () -> "the leader never began installing a snapshot to the stopped " + lagging);
            attemptMs = warnings.list.stream().filter(e -> e.getFormattedMessage().contains(deadStream))
                    .mapToLong(ILoggingEvent::getTimeStamp).min().orElseThrow();
        } finally {
            appender.detachAppender(warnings);
        }
        RaftNode restarted = cluster.start(lagging);
        // Not ready until caught up: its own commit index cannot pass the end of its log (the entries
        // it had before the stop), so only the leader's tells how far behind it is.
        long[] appliedWhenReady = {-1};
        TestCluster.awaitTrue(() -> {
            boolean ready = restarted.admin().readiness().ready();
            if (ready) {
                appliedWhenReady[0] = restarted.stateMachine().appliedState().index();
            }
            return ready;
        }, Math.max(1_000, attemptMs + SNAPSHOT_CATCH_UP_MS - System.currentTimeMillis()),
                () -> lagging + " never ready: " + restarted.admin().readiness().reason());
        assertTrue(appliedWhenReady[0] >= index, lagging + " ready with " + appliedWhenReady[0] + " applied, behind the "
                + index + " the leader had committed");
        // Counted from that attempt: it must end and a new one install the snapshot by then.
        cluster.awaitConverged(index, Math.max(1_000, attemptMs + SNAPSHOT_CATCH_UP_MS - System.currentTimeMillis()));
        assertEquals(600, counter(restarted, "s", false));
        // Entries (laggingApplied, leaderStart) exist only inside snapshots now: it caught up by installing one.
        var installed = restarted.stateMachine().getLatestSnapshot();
        assertTrue(installed != null && installed.getIndex() >= leaderStart - 1,
                "restarted node's snapshot " + installed + ", leader log starts at " + leaderStart);
        Path sm = restarted.division().getRaftStorage().getStorageDir().getStateMachineDir().toPath();
        try (var children = Files.list(sm)) {
            assertTrue(children.anyMatch(p -> p.getFileName().toString().startsWith("snapshot.")), "snapshot in " + sm);
        }
        // Snapshots retained on the leader: at most two.
        Path leaderSm = leader.division().getRaftStorage().getStorageDir().getStateMachineDir().toPath();
        try (var children = Files.list(leaderSm)) {
            long count = children.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+")).count();
            assertTrue(count >= 1 && count <= 2, "snapshots kept: " + count);
        }
        addMany(restarted, "after-", "s", 10);
        assertIdentical();
    }

    @Test
    void aFourthNodeJoinsUnderLoadAndAnotherIsRemoved() throws Exception {
        cluster(3, s -> s.withSnapshots(50, 16 * 1024, 1, 0));
        RaftNode leader = cluster.awaitLeader(TIMEOUT_MS);
        addMany(leader, "pre-", "j", 100);
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicInteger done = new AtomicInteger();
        Thread load = new Thread(() -> {
            int i = 0;
            while (loading.get() && i < 100_000) {
                try {
                    addMany(cluster.awaitLeader(TIMEOUT_MS), "load-" + i + "-", "j", 10);
                    done.addAndGet(10);
                } catch (RuntimeException | AssertionError e) {
                    // a membership change may fail a batch; the final count check tells
                }
                i++;
            }
        });
        load.start();
        Peer fourth = TestCluster.newPeer("n4");
        RaftNode joined = cluster.startJoining(fourth);
        leader.admin().addPeer(fourth.id(), fourth.raftAddress(), fourth.httpAddress()).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        TestCluster.awaitTrue(() -> joined.stateMachine().appliedState().index() >= leader.stateMachine().appliedState().index() - 5,
                TIMEOUT_MS, () -> "n4 did not catch up: " + cluster.appliedIndexes());
        RaftNode toRemove = cluster.running.values().stream().filter(n -> n != leader && n != joined).findFirst().orElseThrow();
        leader.admin().removePeer(toRemove.id()).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        cluster.stop(toRemove.id());
        TestCluster.awaitTrue(() -> done.get() >= 200, TIMEOUT_MS, () -> "load made no progress: " + done.get());
        loading.set(false);
        load.join(TIMEOUT_MS);
        var status = leader.admin().status();
        assertEquals(3, status.members().size(), "members " + status.members());
        assertTrue(status.members().stream().anyMatch(m -> m.id().equals("n4") && m.httpAddress().equals(fourth.httpAddress())));
        long index = addMany(joined, "post-", "j", 10);
        cluster.awaitConverged(index, TIMEOUT_MS);
        assertEquals(counter(leader, "j", true), counter(joined, "j", true));
        TestCluster.awaitTrue(() -> joined.admin().readiness().ready(), TIMEOUT_MS,
                () -> "n4 not ready: " + joined.admin().readiness().reason());
        assertIdentical();
    }

    @Test
    void requestIdsAreForgottenAfterTheRetentionLimitAndRememberedBefore() {
        cluster(1, s -> s.withRequestRetentionEntries(5));
        RaftNode node = cluster.awaitLeader(TIMEOUT_MS);
        Replica.Applied first = add(node, "dup", "r", 1);
        assertEquals(first.index(), add(node, "dup", "r", 1).index(), "within retention: the first outcome");
        assertEquals(1, counter(node, "r", true));
        for (int i = 0; i < 6; i++) {
            add(node, "other" + i, "o", 1);
        }
        Replica.Applied again = add(node, "dup", "r", 1);
        assertTrue(again.index() > first.index() + 5, "past retention the id is new again: " + again.index());
        assertEquals(2, counter(node, "r", true));
        // Each remembered id has its record (REQUESTS) and its index row (REQUESTS_BY_INDEX), and pruning
        // drops both: at most the 5 entries of the retention window and the one being applied.
        long[] stored = node.stateMachine().read((view, index) -> {
            long[] count = new long[2];
            dev.ipam.core.store.Space[] spaces = {dev.ipam.core.store.Space.REQUESTS,
                    dev.ipam.core.store.Space.REQUESTS_BY_INDEX};
            for (int i = 0; i < 2; i++) {
                try (var cursor = view.scan(spaces[i], null, null)) {
                    for (var e = cursor.next(); e != null; e = cursor.next()) {
                        count[i]++;
                    }
                }
            }
            return count;
        });
        assertTrue(stored[0] <= 6, "request records kept: " + stored[0]);
        assertEquals(stored[0], stored[1], "one index row per request record");
    }

    @Test
    void aFullQueueRefusesCommandsInsteadOfGrowing() {
        cluster(1, s -> s.withPendingCommandsMax(10).withBatching(2, 0));
        RaftNode node = cluster.awaitLeader(TIMEOUT_MS);
        List<CompletableFuture<Replica.Applied>> futures = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            futures.add(node.replica().submit("q" + i, CounterCore.add("q", 1)));
        }
        int applied = 0;
        int refused = 0;
        for (CompletableFuture<Replica.Applied> f : futures) {
            Throwable error = f.handle((v, e) -> e).orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).join();
            if (error == null) {
                applied++;
            } else {
                assertTrue(error instanceof Replica.Unavailable && error.getMessage().startsWith(RaftReplica.OVERLOADED), error.toString());
                refused++;
            }
        }
        assertTrue(refused > 0, "nothing refused");
        assertEquals(2000, applied + refused);
        assertEquals(applied, counter(node, "q", true), "exactly the accepted commands were applied");
    }
}
