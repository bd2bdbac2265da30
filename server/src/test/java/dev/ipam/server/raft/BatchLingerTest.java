package dev.ipam.server.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.core.Core;
import dev.ipam.core.store.Batch;
import dev.ipam.server.Replica;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batcher lingers for more commands only while other entries are in flight: a lone command goes
 * at once, whatever the linger time; commands that arrive while an entry is in flight share the next.
 */
class BatchLingerTest {
    private static final long TIMEOUT_MS = 30_000;
    /** The most RaftSettings allows: 100 ms. */
    private static final int LINGER_US = 100_000;

    @TempDir
    Path temp;
    private TestCluster cluster;
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void tearDown() {
        release.countDown();
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Answers each command with the log index it was applied at; "slow" holds apply until released. */
    private final class IndexCore implements Core {
        @Override
        public String check(byte[] command) {
            return null;
        }

        @Override
        public byte[] apply(Batch batch, long index, long timestampMs, byte[] command) {
            if (new String(command, StandardCharsets.UTF_8).equals("slow")) {
                try {
                    release.await(TIMEOUT_MS, TimeUnit.MILLISECONDS);
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
        java.util.Arrays.sort(sorted);
        // Waiting the linger would make every one take >= 100 ms; a median well under it allows a slow box.
        assertTrue(sorted[sorted.length / 2] < LINGER_US / 1000 / 2, "lone commands took "
                + java.util.Arrays.toString(tookMs) + " ms; the linger is " + LINGER_US / 1000 + " ms");
    }

    @Test
    void commandsArrivingWhileAnEntryIsInFlightShareTheNextEntry() throws Exception {
        RaftNode node = startOneNode();
        CompletableFuture<Replica.Applied> slow = submit(node, "slow", "slow");
        // Let the slow command's entry leave the batcher; it then stays in flight until released.
        Thread.sleep(50);
        CompletableFuture<Replica.Applied> second = submit(node, "second", "second");
        Thread.sleep(20); // inside the 100 ms linger: the batcher is still waiting for more
        CompletableFuture<Replica.Applied> third = submit(node, "third", "third");
        release.countDown();
        long slowIndex = index(slow);
        long secondIndex = index(second);
        assertNotEquals(slowIndex, secondIndex, "the slow command's entry left before the others arrived");
        assertEquals(secondIndex, index(third), "commands that arrived while an entry was in flight share one entry");
    }

    @Test
    void theLingerEndsWhenAnEntryInFlightCompletes() throws Exception {
        RaftNode node = startOneNode();
        CompletableFuture<Replica.Applied> slow = submit(node, "slow", "slow");
        Thread.sleep(50);
        CompletableFuture<Replica.Applied> second = submit(node, "second", "second"); // lingers behind slow
        Thread.sleep(10);
        release.countDown(); // slow completes: second's entry goes now, not at the end of the 100 ms linger
        index(slow);
        Thread.sleep(80); // still inside the linger second would have waited out
        CompletableFuture<Replica.Applied> third = submit(node, "third", "third");
        assertNotEquals(index(second), index(third), "the linger outlived the entry it was waiting behind");
    }
}
