package dev.ipam.jepsen;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Concurrent clients doing claim / release / read on independent pools, Jepsen-style: each worker is
 * a process; after an indeterminate op the worker takes a fresh process number (process +
 * concurrency), since the old one may still have a request in flight. Each worker releases only
 * claims it saw acknowledged. Requests go to a random node, so followers serve reads too.
 */
public final class Workload {
    /**
     * @param opsPerPool operations (claim, release, read) per pool before the workload stops
     * @param heldMax claims one worker keeps per pool before it prefers releasing
     */
    public record Settings(int concurrency, int pools, int opsPerPool, long durationMs, int prefixLengthMin,
                           int prefixLengthMax, int heldMax, long seed) {
        public Settings {
            if (concurrency < 1 || pools < 1 || opsPerPool < 1 || prefixLengthMin > prefixLengthMax
                    || prefixLengthMin < POOL_PREFIX_LENGTH || prefixLengthMax > 32) {
                throw new IllegalArgumentException("bad workload settings: " + this);
            }
        }
    }

    /** Every pool is a /24 out of 10.64.0.0/10 (pure data: these addresses never touch a network). */
    public static final int POOL_PREFIX_LENGTH = 24;

    public static String poolName(int index) {
        return "p" + index;
    }

    public static Cidr poolCidr(int index) {
        return new Cidr(((10L << 24) | (64L << 16)) + ((long) index << 8), POOL_PREFIX_LENGTH);
    }

    private final Settings settings;
    private final History history;
    private final IpamHttp client;
    private final List<String> httpAddresses;
    private final Map<String, String> nodeByAddress;
    private final AtomicLong names = new AtomicLong();
    private final AtomicInteger[] remaining;

    /** @param nodes node id to http address ({@code ip:port}) */
    public Workload(Settings settings, History history, IpamHttp client, Map<String, String> nodes) {
        this.settings = settings;
        this.history = history;
        this.client = client;
        this.httpAddresses = new ArrayList<>(nodes.values());
        this.nodeByAddress = new HashMap<>();
        nodes.forEach((id, address) -> nodeByAddress.put(address, id));
        this.remaining = new AtomicInteger[settings.pools()];
        for (int i = 0; i < settings.pools(); i++) {
            remaining[i] = new AtomicInteger(settings.opsPerPool());
        }
    }

    /** Runs the workers until every pool used its ops or the duration passed; returns ops completed. */
    public int run() throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(settings.concurrency());
        long deadlineNs = System.nanoTime() + settings.durationMs() * 1_000_000L;
        List<Future<Integer>> workers = new ArrayList<>();
        for (int w = 0; w < settings.concurrency(); w++) {
            int worker = w;
            workers.add(pool.submit(() -> worker(worker, deadlineNs)));
        }
        pool.shutdown();
        int done = 0;
        try {
            for (Future<Integer> worker : workers) {
                done += worker.get();
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a workload worker crashed", e.getCause());
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
        return done;
    }

    private int worker(int worker, long deadlineNs) {
        Random random = Schedule.seeded(settings.seed() * 1_000_003L + worker);
        int process = worker;
        Map<Integer, List<String>> held = new HashMap<>();
        int done = 0;
        while (System.nanoTime() < deadlineNs && !Thread.currentThread().isInterrupted()) {
            int poolIndex = pickPool(random);
            if (poolIndex < 0) {
                break;
            }
            String pool = poolName(poolIndex);
            String address = httpAddresses.get(random.nextInt(httpAddresses.size()));
            String node = nodeByAddress.get(address);
            List<String> mine = held.computeIfAbsent(poolIndex, k -> new ArrayList<>());
            double dice = random.nextDouble();
            boolean release = !mine.isEmpty() && (mine.size() >= settings.heldMax() ? dice < 0.6 : dice < 0.3);
            boolean read = !release && dice > 0.7;
            IpamHttp.Outcome outcome;
            Op invoke;
            if (release) {
                String name = mine.remove(random.nextInt(mine.size()));
                OpValue.Release value = new OpValue.Release(pool, name, null);
                invoke = history.invoke(process, node, Op.RELEASE, value);
                outcome = client.release(address, value);
            } else if (read) {
                invoke = history.invoke(process, node, Op.READ, new OpValue.Read(pool, null));
                outcome = client.read(address, pool, false);
            } else {
                int length = settings.prefixLengthMin()
                        + random.nextInt(settings.prefixLengthMax() - settings.prefixLengthMin() + 1);
                String name = pool + "-c" + names.incrementAndGet();
                OpValue.Claim value = new OpValue.Claim(pool, name, length, null);
                invoke = history.invoke(process, node, Op.CLAIM, value);
                outcome = client.claim(address, value);
                if (outcome.type() == Op.Type.OK) {
                    mine.add(name);
                }
            }
            history.complete(invoke, outcome.type(), outcome.value(), outcome.error());
            done++;
            if (outcome.type() == Op.Type.INFO) {
                process += settings.concurrency();
            }
        }
        return done;
    }

    /** A random pool that still has ops to run (taking one), or -1 when all are used up. */
    private int pickPool(Random random) {
        int start = random.nextInt(remaining.length);
        for (int i = 0; i < remaining.length; i++) {
            int index = (start + i) % remaining.length;
            if (remaining[index].getAndUpdate(left -> left > 0 ? left - 1 : 0) > 0) {
                return index;
            }
        }
        return -1;
    }
}
