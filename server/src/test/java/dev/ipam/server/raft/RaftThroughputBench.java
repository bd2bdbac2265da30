package dev.ipam.server.raft;

import dev.ipam.ratis.CounterCore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Raft layer's ceiling without HTTP: commands submitted straight to the replica of the leader,
 * with a counter core, at fixed concurrency. Prints figures; asserts nothing about speed.
 * Run: mvn -o -q -pl server test -Dtest=RaftThroughputBench -Dsurefire.excludedGroups= -Dbench.nodes=3
 */
@Tag("slow")
class RaftThroughputBench {
    @TempDir
    Path temp;
    private TestCluster cluster;
    private java.util.function.Function<String, byte[]> command = name -> CounterCore.add("k" + (name.hashCode() & 63), 1);

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void throughput() throws Exception {
        int nodes = Integer.getInteger("bench.nodes", 3);
        long durationMs = Long.getLong("bench.durationMs", 5000);
        boolean ipam = "ipam".equals(System.getProperty("bench.core"));
        cluster = new TestCluster(temp, nodes, ipam ? dev.ipam.core.Ipam::new : CounterCore::new, s -> s);
        cluster.startAll();
        RaftNode leader = cluster.awaitLeader(30_000);
        if (ipam) {
            leader.replica().submit("project", dev.ipam.core.Codec.encodeCommand(dev.ipam.core.Harness.project("p"))).join();
            leader.replica().submit("pool", dev.ipam.core.Codec.encodeCommand(dev.ipam.core.Harness.pool("p", "pool", "10.0.0.0/8"))).join();
            command = name -> dev.ipam.core.Codec.encodeCommand(
                    dev.ipam.core.Harness.claim("p", name, dev.ipam.core.model.IPFamily.IPv4, 32, "pool"));
        }
        RaftNode target = "follower".equals(System.getProperty("bench.via"))
                ? cluster.running.values().stream().filter(n -> n != leader).findFirst().orElse(leader) : leader;
        for (int concurrency : new int[] {1, 16, 64, 256}) {
            run(target, concurrency, 1000, "warm" + concurrency);
            run(target, concurrency, durationMs, "c" + concurrency);
        }
    }

    @Test
    void readLatency() {
        int nodes = Integer.getInteger("bench.nodes", 3);
        cluster = new TestCluster(temp, nodes, CounterCore::new, s -> s);
        cluster.startAll();
        RaftNode leader = cluster.awaitLeader(30_000);
        RaftNode follower = cluster.running.values().stream().filter(n -> n != leader).findFirst().orElse(leader);
        leader.replica().submit("w", CounterCore.add("k", 1)).join();
        for (RaftNode node : new RaftNode[] {leader, follower}) {
            long[] took = new long[200];
            for (int i = 0; i < took.length; i++) {
                long t0 = System.nanoTime();
                node.replica().read(true, s -> CounterCore.value(s.view(), "k")).join();
                took[i] = System.nanoTime() - t0;
            }
            Arrays.sort(took);
            System.out.printf(Locale.ROOT, "BENCH read on %s (%s): p50=%.2fms p99=%.2fms%n", node.id(),
                    node == leader ? "leader" : "follower", took[100] / 1e6, took[198] / 1e6);
        }
    }

    /**
     * Linearizable reads at fixed concurrency on the leader and on a follower, with no writes: what a
     * read costs when every read needs its own leadership confirmation. CPU is the whole JVM's (all
     * nodes). Run: mvn -o -q -pl server test -Dtest=RaftThroughputBench#readThroughput -Dsurefire.excludedGroups=
     */
    @Test
    void readThroughput() throws Exception {
        long durationMs = Long.getLong("bench.durationMs", 5000);
        cluster = new TestCluster(temp, 3, CounterCore::new, s -> s);
        cluster.startAll();
        RaftNode leader = cluster.awaitLeader(30_000);
        RaftNode follower = cluster.running.values().stream().filter(n -> n != leader).findFirst().orElseThrow();
        leader.replica().submit("w", CounterCore.add("k", 1)).join();
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        for (RaftNode node : new RaftNode[] {leader, follower}) {
            for (int concurrency : new int[] {1, 16, 64}) {
                reads(node, concurrency, 1000);
                long cpu0 = os.getProcessCpuTime();
                long start = System.nanoTime();
                long[] sorted = reads(node, concurrency, durationMs);
                double seconds = (System.nanoTime() - start) / 1e9;
                double cpuUs = (os.getProcessCpuTime() - cpu0) / 1e3 / Math.max(1, sorted.length);
                System.out.printf(Locale.ROOT, "BENCH reads on %s c=%d: %.0f reads/s p50=%.2fms p99=%.2fms cpu=%.0fus/read%n",
                        node == leader ? "leader" : "follower", concurrency, sorted.length / seconds,
                        sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6, cpuUs);
            }
        }
    }

    /** Latencies of the linearizable reads done on {@code node} for {@code durationMs}, sorted. */
    private static long[] reads(RaftNode node, int concurrency, long durationMs) throws InterruptedException {
        return load(concurrency, durationMs, i -> node.replica().read(true, s -> CounterCore.value(s.view(), "k")));
    }

    /** Runs {@code operation(i)} at {@code concurrency} for {@code durationMs}; the latencies, sorted. */
    private static long[] load(int concurrency, long durationMs, java.util.function.IntFunction<CompletableFuture<?>> operation)
            throws InterruptedException {
        Semaphore window = new Semaphore(concurrency);
        long[] latencies = new long[2_000_000];
        AtomicInteger done = new AtomicInteger();
        long end = System.nanoTime() + durationMs * 1_000_000;
        int issued = 0;
        while (System.nanoTime() < end && issued < latencies.length) {
            window.acquire();
            long t0 = System.nanoTime();
            operation.apply(issued++).whenComplete((v, e) -> {
                int slot = done.getAndIncrement();
                if (slot < latencies.length) {
                    latencies[slot] = System.nanoTime() - t0;
                }
                window.release();
            });
        }
        window.acquire(concurrency);
        long[] sorted = Arrays.copyOf(latencies, Math.min(done.get(), latencies.length));
        Arrays.sort(sorted);
        return sorted;
    }

    private void run(RaftNode node, int concurrency, long durationMs, String prefix) throws InterruptedException {
        long start = System.nanoTime();
        long[] sorted = load(concurrency, durationMs, i -> node.replica().submit(prefix + "-" + i, command.apply(prefix + "-" + i)));
        long elapsed = System.nanoTime() - start;
        if (!prefix.startsWith("warm")) {
            System.out.printf(Locale.ROOT, "BENCH nodes=%d concurrency=%d ops=%d ops/s=%.0f p50=%.2fms p99=%.2fms applied=%d%n",
                    cluster.running.size(), concurrency, sorted.length, sorted.length / (elapsed / 1e9),
                    sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6,
                    node.stateMachine().appliedState().index());
        }
    }
}
