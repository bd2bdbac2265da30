package dev.ipam.server.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ipam.core.Core;
import dev.ipam.core.store.Batch;
import dev.ipam.server.Replica;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batcher lingers for more commands only while other entries are in flight: a lone command goes
 * at once, whatever the linger time; commands that arrive while an entry is in flight share the next;
 * the linger ends when the entry ahead completes.
 */
class BatchLingerTest {
    private static final long TIMEOUT_MS = 30_000;
    /** The most RaftSettings allows: 100 ms. */
    private static final int LINGER_US = 100_000;
    private static final long LINGER_MS = LINGER_US / 1000;

    @TempDir
    Path temp;
    private TestCluster cluster;
    /** Commands whose apply is held until released. */
    private final Map<String, Hold> holds = new ConcurrentHashMap<>();

    private static final class Hold {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);
    }

    @AfterEach
    void tearDown() {
        holds.values().forEach(h -> h.released.countDown());
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Answers each command with the log index it was applied at; a held command waits in apply. */
    private final class IndexCore implements Core {
        @Override
        public String check(byte[] command) {
            return null;
        }

        @Override
        public byte[] apply(Batch batch, long index, long timestampMs, byte[] command) {
            Hold hold = holds.get(new String(command, StandardCharsets.UTF_8));
            if (hold != null) {
                hold.started.countDown();
                try {
                    hold.released.await(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return ByteBuffer.allocate(8).putLong(index).array();
        }
    }

    /** One node lingering up to {@link #LINGER_US}. */
    private RaftNode startOneNode() {
        cluster = new TestCluster(temp, 1, IndexCore::new, s -> s.withBatching(64, LINGER_US));
        cluster.startAll();
        return cluster.awaitLeader(TIMEOUT_MS);
    }

    private static CompletableFuture<Replica.Applied> submit(RaftNode node, String id, String command) {
        return node.replica().submit(id, command.getBytes(StandardCharsets.UTF_8));
    }

    private static long index(CompletableFuture<Replica.Applied> future) {
        return ByteBuffer.wrap(future.orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).join().result()).getLong();
    }

    /** Submits a command whose apply holds, and returns once apply has started on it: its entry is in flight. */
    private CompletableFuture<Replica.Applied> submitHeld(RaftNode node, String command) throws InterruptedException {
        Hold hold = new Hold();
        holds.put(command, hold);
        CompletableFuture<Replica.Applied> future = submit(node, command, command);
        assertTrue(hold.started.await(TIMEOUT_MS, TimeUnit.MILLISECONDS), command + " never reached apply");
        return future;
    }

    /**
     * Polls (every 50 us, at most {@link #TIMEOUT_MS}) until the batcher has taken every queued command;
     * with an entry held in flight it is then lingering for more.
     */
    private static void awaitBatcherTookAll(RaftNode node) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (node.replica().queuedCommands() > 0) {
            if (System.nanoTime() > deadline) {
                fail("the batcher did not take the queued commands in " + TIMEOUT_MS + " ms");
            }
            LockSupport.parkNanos(50_000);
        }
    }

    /**
     * Waits until the batcher, having sent what it took, is blocked on the in-flight limit. Taking a
     * command off the queue is not enough before submitting the next: without a linger the batcher still
     * polls the queue once more before it sends, and on a loaded machine (CI, once) a command submitted
     * in that moment joined the entry.
     */
    private static void awaitBatcherWaitingForInFlight(RaftNode node) {
        TestCluster.awaitTrue(() -> node.replica().queuedCommands() == 0 && node.replica().waitingForInFlight(),
                TIMEOUT_MS, () -> "the batcher did not send and wait at the in-flight limit; queued "
                        + node.replica().queuedCommands());
    }

    @Test
    void aLoneCommandDoesNotWaitTheLingerTime() {
        RaftNode node = startOneNode();
        index(submit(node, "warm", "warm"));
        long[] tookMs = new long[7];
        for (int i = 0; i < tookMs.length; i++) {
            long started = System.nanoTime();
            index(submit(node, "lone-" + i, "lone"));
            tookMs[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        }
        long[] sorted = tookMs.clone();
        Arrays.sort(sorted);
        // Waiting the linger would make every one take >= 100 ms; a median well under it allows a slow box.
        assertTrue(sorted[sorted.length / 2] < LINGER_MS / 2, "lone commands took " + Arrays.toString(tookMs)
                + " ms; the linger is " + LINGER_MS + " ms");
    }

    @Test
    void commandsArrivingWhileAnEntryIsInFlightShareTheNextEntry() throws Exception {
        RaftNode node = startOneNode();
        CompletableFuture<Replica.Applied> slow = submitHeld(node, "slow");
        CompletableFuture<Replica.Applied> second = submit(node, "second", "second");
        awaitBatcherTookAll(node); // second is taken; the batcher lingers behind the held entry
        CompletableFuture<Replica.Applied> third = submit(node, "third", "third");
        holds.get("slow").released.countDown();
        long slowIndex = index(slow);
        long secondIndex = index(second);
        assertNotEquals(slowIndex, secondIndex, "the held command's entry left before the others arrived");
        assertEquals(secondIndex, index(third), "commands that arrived while an entry was in flight share one entry");
    }

    @Test
    void atTheInFlightLimitLaterCommandsWaitAndShareTheNextEntry() throws Exception {
        cluster = new TestCluster(temp, 1, IndexCore::new, s -> s.withBatching(64, 0).withEntriesInFlightMax(1));
        cluster.startAll();
        RaftNode node = cluster.awaitLeader(TIMEOUT_MS);
        assertEquals(1, node.replica().inFlightLimit());
        CompletableFuture<Replica.Applied> slow = submitHeld(node, "slow");
        // No linger: below the limit each would leave in an entry of its own (the next test).
        CompletableFuture<Replica.Applied> second = submit(node, "second", "second");
        CompletableFuture<Replica.Applied> third = submit(node, "third", "third");
        holds.get("slow").released.countDown();
        long slowIndex = index(slow);
        assertNotEquals(slowIndex, index(second));
        assertEquals(index(second), index(third), "with one entry in flight allowed, the commands queued behind"
                + " it did not share the next entry");
    }

    @Test
    void belowTheInFlightLimitACommandLeavesWithoutWaitingForTheEntryAhead() throws Exception {
        cluster = new TestCluster(temp, 1, IndexCore::new, s -> s.withBatching(64, 0).withEntriesInFlightMax(2));
        cluster.startAll();
        RaftNode node = cluster.awaitLeader(TIMEOUT_MS);
        CompletableFuture<Replica.Applied> slow = submitHeld(node, "slow");
        CompletableFuture<Replica.Applied> second = submit(node, "second", "second");
        awaitBatcherWaitingForInFlight(node); // second left in an entry of its own, behind the held one
        CompletableFuture<Replica.Applied> third = submit(node, "third", "third");
        holds.get("slow").released.countDown();
        long slowIndex = index(slow);
        long secondIndex = index(second);
        assertNotEquals(slowIndex, secondIndex);
        assertNotEquals(secondIndex, index(third), "second waited for third although the limit allowed it to go");
    }

    @Test
    void inAGroupTheDefaultLimitIsTwoEntriesInFlight() throws Exception {
        cluster = new TestCluster(temp, 2, IndexCore::new, s -> s.withBatching(64, 0));
        cluster.startAll();
        RaftNode leader = cluster.awaitLeader(TIMEOUT_MS);
        TestCluster.awaitTrue(() -> leader.replica().inFlightLimit() == RaftSettings.ENTRIES_IN_FLIGHT_GROUP, TIMEOUT_MS,
                () -> "in-flight limit " + leader.replica().inFlightLimit());
        CompletableFuture<Replica.Applied> slow = submitHeld(leader, "slow");
        CompletableFuture<Replica.Applied> second = submit(leader, "second", "second");
        awaitBatcherWaitingForInFlight(leader); // second is the other entry allowed in flight
        CompletableFuture<Replica.Applied> third = submit(leader, "third", "third");
        TestCluster.awaitTrue(() -> leader.replica().queuedCommands() == 0 || leader.replica().waitingForInFlight(),
                TIMEOUT_MS, () -> "the batcher neither took third nor waited");
        assertTrue(leader.replica().waitingForInFlight() && leader.replica().queuedCommands() == 1,
                "a third entry left while two were in flight");
        CompletableFuture<Replica.Applied> fourth = submit(leader, "fourth", "fourth");
        holds.get("slow").released.countDown();
        long slowIndex = index(slow);
        long secondIndex = index(second);
        assertNotEquals(slowIndex, secondIndex);
        assertNotEquals(secondIndex, index(third));
        assertEquals(index(third), index(fourth), "with two entries in flight, the commands behind them did not wait"
                + " to share the next entry");
    }

    @Test
    void theLingerEndsWhenAnEntryInFlightCompletes() throws Exception {
        RaftNode node = startOneNode();
        long[] tookMs = new long[3];
        for (int round = 0; round < tookMs.length; round++) {
            String held = "slow-" + round;
            CompletableFuture<Replica.Applied> slow = submitHeld(node, held);
            CompletableFuture<Replica.Applied> next = submit(node, "next-" + round, "next");
            awaitBatcherTookAll(node); // next lingers behind the held entry, for up to 100 ms
            long lingering = System.nanoTime();
            holds.get(held).released.countDown();
            index(slow);
            index(next);
            tookMs[round] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lingering);
        }
        // Waiting out the linger would take >= 100 ms every round; the fastest round shows whether it ended early.
        assertTrue(Arrays.stream(tookMs).min().getAsLong() < LINGER_MS / 2, "after the entry ahead completed, the"
                + " lingering command took " + Arrays.toString(tookMs) + " ms; the linger is " + LINGER_MS + " ms");
    }
}
