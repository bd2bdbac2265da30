package dev.ipam.core.bench;

import dev.ipam.core.Codec;
import dev.ipam.core.Command;
import dev.ipam.core.Ipam;
import dev.ipam.core.Result;
import dev.ipam.core.alloc.Allocator;
import dev.ipam.core.alloc.Block;
import dev.ipam.core.alloc.PoolState;
import dev.ipam.core.model.IPClaim;
import dev.ipam.core.model.IPFamily;
import dev.ipam.core.model.IPPool;
import dev.ipam.core.model.Refs;
import dev.ipam.core.model.Strategy;
import dev.ipam.core.store.Batch;
import dev.ipam.core.store.MemoryStore;
import dev.ipam.core.store.Space;
import dev.ipam.core.store.Store;
import dev.ipam.store.rocks.RocksStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Claim+release throughput of the whole core path (encoded command -> Ipam.apply -> encoded result)
 * over a pluggable store. One "pair" is a CreateClaim and its DeleteClaim, each a separate command;
 * commands are applied {@code batch} at a time per store batch (as one Raft entry would carry them).
 *
 * <pre>
 *   mvn -o -q -pl statemachine test-compile exec:java [-Dbench.stores=memory,rocks -Dbench.batch=1
 *       -Dbench.rounds=5 -Dbench.pairs=20000 -Dbench.quick=true]
 * </pre>
 *
 * Other stores: call {@link #runAll(String, Supplier)} with their factory.
 */
public final class ClaimBenchmark {
    private static final String ACTOR = "bench";
    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();
    private final int rounds;
    private final int pairs;
    private final int batchCommands;
    /** Appended to each printed figure (marks the warm-up run). */
    private String labelSuffix = "";

    /** @param batchCommands commands per store batch (one Raft entry's worth) */
    public ClaimBenchmark(int rounds, int pairs, int batchCommands) {
        this.rounds = rounds;
        this.pairs = pairs;
        this.batchCommands = batchCommands;
    }

    /** {@code -Dbench.stores=memory,rocks} (default both): which stores to run, in that order. */
    public static void main(String[] args) {
        for (String name : System.getProperty("bench.stores", "memory,rocks").split(",")) {
            switch (name.trim()) {
                case "memory" -> runAll("memory", MemoryStore::new);
                case "rocks" -> runAll("rocks", ClaimBenchmark::rocksOnTempDir);
                default -> throw new IllegalArgumentException("unknown store " + name + " (memory, rocks)");
            }
        }
    }

    /** A RocksStore in a fresh temporary directory; {@link #dispose} closes it and deletes the directory. */
    static Store rocksOnTempDir() {
        try {
            return RocksStore.open(java.nio.file.Files.createTempDirectory("ipam-bench-rocks"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void dispose(Store store) {
        store.close();
        if (store instanceof RocksStore rocks) {
            RocksStore.deleteTree(rocks.directory());
        }
    }

    public static void runAll(String storeName, Supplier<Store> stores) {
        int rounds = Integer.getInteger("bench.rounds", 5);
        int pairs = Integer.getInteger("bench.pairs", 20_000);
        int batch = Integer.getInteger("bench.batch", 1);
        ClaimBenchmark bench = new ClaimBenchmark(rounds, pairs, batch);
        System.out.printf(Locale.ROOT, "%nstore=%s commandsPerBatch=%d rounds=%d pairsPerRound=%d (medians;"
                + " a pair = CreateClaim + DeleteClaim through Ipam.apply)%n", storeName, batch, rounds, pairs);
        // The first scenario ran while the JIT still compiled the core, and read 20-35% below the same
        // scenario run later: the 99%/1% ratio compared a warm run with a cold one. The quick variant
        // had no warm-up until session 24, and its /24 figure read 57-65 k pairs per CPU-second against
        // the full run's 102 k.
        bench.labelSuffix = "  (JIT warm-up, not counted)";
        bench.filled(stores, 32, 0.50);
        bench.labelSuffix = "";
        if (Boolean.getBoolean("bench.quick")) { // A/B runs while optimising: two representative scenarios
            bench.filled(stores, 24, 0.50);
            bench.ipv6(stores);
            return;
        }
        double v24low = bench.filled(stores, 24, 0.01);
        double v24mid = bench.filled(stores, 24, 0.50);
        double v24high = bench.filled(stores, 24, 0.99);
        double v32low = bench.filled(stores, 32, 0.01);
        double v32mid = bench.filled(stores, 32, 0.50);
        double v32high = bench.filled(stores, 32, 0.99);
        System.out.printf(Locale.ROOT, "  cost(99%%)/cost(1%%) by cpu: /24 %.2fx  /32 %.2fx  (50%%: %.2fx %.2fx;"
                + " target <= 2x)%n", v24low / v24high, v32low / v32high, v24low / v24mid, v32low / v32mid);
        bench.ipv6(stores);
        bench.manyPools(stores, 10_000);

        System.out.printf(Locale.ROOT, "%nstore=%s allocator only (Allocator over the store's batches, no objects,"
                + " no codec; what go-ipam's in-memory figure measures)%n", storeName);
        double a24low = bench.allocatorFilled(stores, 24, 0.01);
        bench.allocatorFilled(stores, 24, 0.50);
        double a24high = bench.allocatorFilled(stores, 24, 0.99);
        double a32low = bench.allocatorFilled(stores, 32, 0.01);
        bench.allocatorFilled(stores, 32, 0.50);
        double a32high = bench.allocatorFilled(stores, 32, 0.99);
        System.out.printf(Locale.ROOT, "  cost(99%%)/cost(1%%) by cpu: /24 %.2fx  /32 %.2fx  (target <= 2x)%n",
                a24low / a24high, a32low / a32high);
        if (storeName.equals("memory")) {
            bench.rowsPerPair();
        }
    }

    /**
     * Prints the rows a claim+release pair writes, by space: what a store's cost per pair scales with.
     * /24 claims in a /8 holding 2,000, each release 32 pairs after its claim (as in the measured loops);
     * the rows are the same on every store, so this runs on MemoryStore only.
     */
    void rowsPerPair() {
        java.util.Map<Space, long[]> counts = new java.util.EnumMap<>(Space.class); // puts, deletes, bytes
        try (MemoryStore store = new MemoryStore()) {
            Ipam ipam = new Ipam();
            long[] index = {0};
            java.util.function.Consumer<Command> apply = command -> {
                index[0]++;
                try (Batch batch = store.batch()) {
                    // The command's writes collect in an overlay, are counted, then go to the store's batch.
                    dev.ipam.core.store.Overlay writes = new dev.ipam.core.store.Overlay(batch);
                    Result result = Codec.decodeResult(ipam.apply(writes, index[0], index[0] * 1000,
                            Codec.encodeCommand(command)));
                    if (!result.ok()) {
                        throw new IllegalStateException(command + " -> " + result.code() + " " + result.message());
                    }
                    writes.forEachWrite((space, key, value) -> {
                        long[] c = counts.computeIfAbsent(space, s -> new long[3]);
                        c[value == null ? 1 : 0]++;
                        c[2] += key.length + (value == null ? 0 : value.length);
                        if (value == null) {
                            batch.delete(space, key);
                        } else {
                            batch.put(space, key, value);
                        }
                    });
                    batch.commit();
                }
            };
            apply.accept(new Command.CreateProject(ACTOR, "p", null, null, null));
            apply.accept(pool("p", "big", "10.0.0.0/8", IPFamily.IPv4));
            for (int i = 0; i < 2_000; i++) {
                apply.accept(claim("p", "held" + i, IPFamily.IPv4, 24, "big"));
            }
            int pairs = 1_000;
            int lag = 32;
            for (int i = 0; i < pairs + lag; i++) {
                if (i == lag) {
                    counts.clear();
                }
                apply.accept(claim("p", "bench" + i, IPFamily.IPv4, 24, "big"));
                if (i >= lag) {
                    apply.accept(release("p", "bench" + (i - lag)));
                }
            }
            System.out.printf(Locale.ROOT, "%nrows written per claim+release pair (/24 claims in a /8 holding 2,000;"
                    + " the same on every store)%n");
            long[] all = new long[3];
            counts.forEach((space, c) -> {
                System.out.printf(Locale.ROOT, "  %-20s %6.2f puts %6.2f deletes %7.0f B%n", space,
                        c[0] / (double) pairs, c[1] / (double) pairs, c[2] / (double) pairs);
                for (int k = 0; k < 3; k++) {
                    all[k] += c[k];
                }
            });
            System.out.printf(Locale.ROOT, "  %-20s %6.2f puts %6.2f deletes %7.0f B%n", "all", all[0] / (double) pairs,
                    all[1] / (double) pairs, all[2] / (double) pairs);
        }
    }

    /** The allocator alone on a /8: fill with /24 blocks plus scattered holes, then allocate+release pairs. */
    public double allocatorFilled(Supplier<Store> stores, int length, double fill) {
        Store store = stores.get();
        try {
            return allocatorFilled(store, length, fill);
        } finally {
            dispose(store);
        }
    }

    private double allocatorFilled(Store store, int length, double fill) {
        long poolId = 1;
        Block pool = Block.parse("10.0.0.0/8").block();
        try (Batch batch = store.batch()) {
            new Allocator(batch).create(poolId, pool, Strategy.FirstFit);
            batch.commit();
        }
        int blocks = 1 << 16;
        int target = (int) (blocks * fill);
        int extra = blocks / 200 * 2;
        List<Block> holes = new ArrayList<>();
        try (Batch batch = store.batch()) {
            Allocator allocator = new Allocator(batch);
            PoolState state = allocator.load(poolId);
            for (int i = 0; i < target + extra; i++) {
                Block block = allocator.allocate(poolId, state, 24, Allocator.Holder.ALLOCATION);
                if (i >= target && (i - target) % 2 == 0) {
                    holes.add(block);
                }
            }
            for (Block hole : holes) {
                allocator.release(poolId, state, hole, Allocator.Holder.ALLOCATION);
            }
            batch.commit();
        }
        int repeat = pairs;
        Block[] held = new Block[WINDOW];
        Runnable loop = () -> {
            int pending = 0;
            Batch batch = null;
            Allocator allocator = null;
            for (int r = 0; r < repeat; r++) {
                for (int half = 0; half < 2; half++) {
                    if (batch == null) {
                        batch = store.batch();
                        allocator = new Allocator(batch);
                    }
                    PoolState state = allocator.load(poolId);
                    int slot = r % WINDOW;
                    if (half == 0) {
                        held[slot] = allocator.allocate(poolId, state, length, Allocator.Holder.ALLOCATION);
                    } else {
                        int old = (slot + WINDOW / 2) % WINDOW;
                        if (held[old] != null) {
                            allocator.release(poolId, state, held[old], Allocator.Holder.ALLOCATION);
                            held[old] = null;
                        }
                    }
                    if (++pending == batchCommands) {
                        batch.commit();
                        batch = null;
                        pending = 0;
                    }
                }
            }
            if (batch != null) {
                batch.commit();
            }
        };
        for (int warm = 0; warm < 2; warm++) {
            loop.run();
        }
        double[] wall = new double[rounds];
        double[] cpu = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            long cpuStart = THREADS.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            loop.run();
            wall[round] = repeat * 1e9 / (System.nanoTime() - start);
            cpu[round] = repeat * 1e9 / Math.max(1, THREADS.getCurrentThreadCpuTime() - cpuStart);
        }
        Arrays.sort(wall);
        Arrays.sort(cpu);
        System.out.printf(Locale.ROOT, "  %-40s wall %,9.0f pairs/s %7.2f us/pair | cpu %,9.0f pairs/s %7.2f us/pair%n",
                String.format(Locale.ROOT, "/8 pool, /%d blocks at %2.0f%% fill", length, fill * 100),
                wall[rounds / 2], 1e6 / wall[rounds / 2], cpu[rounds / 2], 1e6 / cpu[rounds / 2]);
        return cpu[rounds / 2];
    }

    /** Applies encoded commands, {@code batchCommands} per store batch. */
    private final class Driver {
        final Store store;
        final Ipam ipam = new Ipam();
        long index;

        Driver(Store store) {
            this.store = store;
        }

        Result one(Command command) {
            index++;
            byte[] result;
            try (Batch batch = store.batch()) {
                result = ipam.apply(batch, index, index * 1000, Codec.encodeCommand(command));
                batch.commit();
            }
            Result decoded = Codec.decodeResult(result);
            if (!decoded.ok()) {
                throw new IllegalStateException(command + " -> " + decoded.code() + " " + decoded.message());
            }
            return decoded;
        }

        long lastCpuNs;
        long lastAllocatedBytes;

        /** Runs the encoded commands in a loop {@code repeat} times; returns elapsed ns (lastCpuNs: thread CPU). */
        long loop(byte[][] commands, int repeat) {
            long allocatedStart = allocatedBytes();
            long cpuStart = THREADS.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            int pending = 0;
            Batch batch = null;
            for (int r = 0; r < repeat; r++) {
                for (byte[] command : commands) {
                    if (batch == null) {
                        batch = store.batch();
                        index++;
                    }
                    byte[] result = ipam.apply(batch, index, index * 1000, command);
                    if (result[1] != 2 && result[1] != (byte) (200 << 1) && result.length < 3) {
                        throw new IllegalStateException("unexpected result");
                    }
                    if (++pending == batchCommands) {
                        batch.commit();
                        batch = null;
                        pending = 0;
                    }
                }
            }
            if (batch != null) {
                batch.commit();
            }
            lastCpuNs = THREADS.getCurrentThreadCpuTime() - cpuStart;
            lastAllocatedBytes = allocatedBytes() - allocatedStart;
            return System.nanoTime() - start;
        }
    }

    /** Bytes this thread has allocated so far (HotSpot), or 0: a load-independent cost figure. */
    private static long allocatedBytes() {
        return THREADS instanceof com.sun.management.ThreadMXBean hotspot
                ? hotspot.getThreadAllocatedBytes(Thread.currentThread().getId()) : 0;
    }

    private static Command.CreateClaim claim(String project, String name, IPFamily family, int length, String pool) {
        return new Command.CreateClaim(ACTOR, project, "default", name, null, null,
                new IPClaim.Spec(family, length, new Refs.PoolRef(pool, null), null, null, null, null));
    }

    private static Command.DeleteClaim release(String project, String name) {
        return new Command.DeleteClaim(ACTOR, project, "default", name, 0);
    }

    private static Command.CreatePool pool(String project, String name, String cidr, IPFamily family) {
        return new Command.CreatePool(ACTOR, project, name, null, null, new IPPool.Spec(cidr, family, null, null,
                new IPPool.AllocationSettings(null, null, Strategy.FirstFit), null, null));
    }

    private double measure(String label, Driver driver, byte[][] pair) {
        return measure(label, driver, pair, pairs, pair.length / 2);
    }

    /** Claims held at once by the pair loop: each claim is released WINDOW/2 pairs later. */
    private static final int WINDOW = 64;

    /**
     * A cycle of claim/release commands where each release targets the claim made WINDOW/2 pairs
     * earlier, so that a batch of commands never claims and releases the same block (which would
     * cancel out inside the batch and flatter the figure). The first cycle's early releases miss.
     */
    private static byte[][] window(java.util.function.IntFunction<Command> claim,
                                   java.util.function.IntFunction<Command> release) {
        return window(WINDOW, claim, release);
    }

    private static byte[][] window(int size, java.util.function.IntFunction<Command> claim,
                                   java.util.function.IntFunction<Command> release) {
        byte[][] commands = new byte[2 * size][];
        for (int i = 0; i < size; i++) {
            commands[2 * i] = Codec.encodeCommand(claim.apply(i));
            commands[2 * i + 1] = Codec.encodeCommand(release.apply((i + size / 2) % size));
        }
        return commands;
    }

    /** Median pairs/s over the rounds by wall clock, and by this thread's CPU time (the box is shared). */
    private double measure(String label, Driver driver, byte[][] commands, int totalPairs, int pairsPerLoop) {
        int repeat = Math.max(1, totalPairs / pairsPerLoop);
        driver.loop(commands, Math.max(1, repeat / 4)); // warm-up
        double[] wall = new double[rounds];
        double[] cpu = new double[rounds];
        double[] allocated = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            long elapsedNs = driver.loop(commands, repeat);
            wall[round] = (double) repeat * pairsPerLoop * 1e9 / elapsedNs;
            cpu[round] = (double) repeat * pairsPerLoop * 1e9 / Math.max(1, driver.lastCpuNs);
            allocated[round] = (double) driver.lastAllocatedBytes / ((double) repeat * pairsPerLoop);
        }
        Arrays.sort(allocated);
        Arrays.sort(wall);
        Arrays.sort(cpu);
        double median = wall[rounds / 2];
        double cpuMedian = cpu[rounds / 2];
        System.out.printf(Locale.ROOT, "  %-40s wall %,9.0f pairs/s %7.2f us/pair | cpu %,9.0f pairs/s %7.2f us/pair"
                + " (best %,.0f) | %,6.0f B/pair%s%n", label, median, 1e6 / median, cpuMedian, 1e6 / cpuMedian,
                cpu[rounds - 1], allocated[rounds / 2], labelSuffix);
        return cpuMedian;
    }

    /**
     * A /8 filled to {@code fill} with /24 claims (plus scattered /24 holes: 0.5% of the pool is
     * claimed beyond the fill and every other one of those released), then pairs of /length.
     */
    public double filled(Supplier<Store> stores, int length, double fill) {
        Store store = stores.get();
        try {
            return filled(new Driver(store), length, fill);
        } finally {
            dispose(store);
        }
    }

    private double filled(Driver driver, int length, double fill) {
        driver.one(new Command.CreateProject(ACTOR, "p", null, null, null));
        driver.one(pool("p", "big", "10.0.0.0/8", IPFamily.IPv4));
        int blocks = 1 << 16;
        int target = (int) (blocks * fill);
        int extra = blocks / 200 * 2;
        List<String> holes = new ArrayList<>();
        for (int i = 0; i < target + extra; i++) {
            driver.one(claim("p", "fill" + i, IPFamily.IPv4, 24, "big"));
            if (i >= target && (i - target) % 2 == 0) {
                holes.add("fill" + i);
            }
        }
        for (String hole : holes) {
            driver.one(release("p", hole));
        }
        byte[][] pair = window(i -> claim("p", "bench" + i, IPFamily.IPv4, length, "big"),
                i -> release("p", "bench" + i));
        return measure(String.format(Locale.ROOT, "/8 pool, /%d claims at %2.0f%% fill", length, fill * 100), driver,
                pair);
    }

    public double ipv6(Supplier<Store> stores) {
        Store store = stores.get();
        try {
            return ipv6(new Driver(store));
        } finally {
            dispose(store);
        }
    }

    private double ipv6(Driver driver) {
        driver.one(new Command.CreateProject(ACTOR, "p", null, null, null));
        driver.one(pool("p", "v6", "2001:db8::/32", IPFamily.IPv6));
        for (int i = 0; i < 10_000; i++) {
            driver.one(claim("p", "fill" + i, IPFamily.IPv6, 64, "v6"));
        }
        byte[][] pair = window(i -> claim("p", "bench" + i, IPFamily.IPv6, 64, "v6"), i -> release("p", "bench" + i));
        return measure("IPv6 /32 pool, /64 claims (10k held)", driver, pair);
    }

    public double manyPools(Supplier<Store> stores, int poolCount) {
        Store store = stores.get();
        try {
            return manyPools(new Driver(store), poolCount);
        } finally {
            dispose(store);
        }
    }

    private double manyPools(Driver driver, int poolCount) {
        driver.one(new Command.CreateProject(ACTOR, "p", null, null, null));
        for (int i = 0; i < poolCount; i++) {
            driver.one(pool("p", "pool" + i, "10." + (i >> 8) + "." + (i & 0xFF) + ".0/24", IPFamily.IPv4));
        }
        byte[][] pair = window(1000, i -> claim("p", "bench" + i, IPFamily.IPv4, 28,
                "pool" + (int) ((i * 7919L) % poolCount)), i -> release("p", "bench" + i));
        return measure(poolCount + " pools, /28 claims across them", driver, pair, pairs, 1000);
    }
}
