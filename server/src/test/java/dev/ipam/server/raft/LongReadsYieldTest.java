package dev.ipam.server.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.ratis.CounterCore;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that stops while a long read holds its state (a backup streaming to a slow client) tells
 * the read to end, so the stop does not wait for the client; the backup then breaks off.
 */
class LongReadsYieldTest {
    private static final long WAIT_MS = 30_000;

    @TempDir
    Path temp;
    private TestCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void stoppingANodeAsksItsLongReadsToEnd() throws Exception {
        cluster = new TestCluster(temp, 1, CounterCore::new, s -> s);
        cluster.startAll();
        RaftNode node = cluster.awaitLeader(WAIT_MS);
        assertFalse(node.replica().readsShouldYield(), "nothing waits for the state yet");
        CountDownLatch reading = new CountDownLatch(1);
        CompletableFuture<Long> read = node.replica().read(false, snapshot -> {
            reading.countDown();
            long start = System.nanoTime();
            while (!node.replica().readsShouldYield()) {
                if (System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(WAIT_MS)) {
                    return -1L;
                }
                Thread.onSpinWait();
            }
            return (System.nanoTime() - start) / 1_000_000;
        });
        assertTrue(reading.await(WAIT_MS, TimeUnit.MILLISECONDS));
        long stopStart = System.nanoTime();
        cluster.stop(node.id());
        long stopMs = (System.nanoTime() - stopStart) / 1_000_000;
        long heldMs = read.get(WAIT_MS, TimeUnit.MILLISECONDS);
        assertTrue(heldMs >= 0, "the read was never asked to end");
        assertTrue(stopMs < WAIT_MS, "the stop waited for the read's own limit: " + stopMs + " ms");
        assertEquals(0, cluster.running.size());
    }
}
