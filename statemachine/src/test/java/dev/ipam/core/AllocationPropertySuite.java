package dev.ipam.core;

import static dev.ipam.core.Harness.ACTOR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ipam.core.alloc.Allocator;
import dev.ipam.core.alloc.PoolState;
import dev.ipam.core.model.IPAllocation;
import dev.ipam.core.model.IPClaim;
import dev.ipam.core.model.IPFamily;
import dev.ipam.core.model.IPPool;
import dev.ipam.core.model.Kind;
import dev.ipam.core.model.ReclaimPolicy;
import dev.ipam.core.model.Refs;
import dev.ipam.core.model.Resource;
import dev.ipam.core.model.Strategy;
import dev.ipam.core.store.Cursor;
import dev.ipam.core.store.Entry;
import dev.ipam.core.store.Overlay;
import dev.ipam.core.store.Space;
import dev.ipam.core.store.Store;
import inet.ipaddr.IPAddress;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Model-based test: long seeded random sequences of pool, child-pool, claim, specific-CIDR claim,
 * release and pool deletion commands, IPv4 and IPv6, each checked against a naive reference that
 * keeps allocated blocks as BigInteger intervals. After every step: the same choice (or the same
 * rejection), and the stored free blocks, usage rows and pool counters equal a recount from the
 * reference; allocations never overlap and stay inside their pool.
 *
 * <p>Rerun a failure with {@code -Dseed=N}; {@code -Dsteps=N} and {@code -Dsequences=N} scale it.
 */
public abstract class AllocationPropertySuite {
    protected abstract Store newStore();

    private static final int POOLS_MAX = 8;

    @Test
    void randomSequencesMatchTheReference() {
        check(Integer.getInteger("sequences", 4), Integer.getInteger("steps", 300));
    }

    /** The long soak: {@code mvn -o -q -pl statemachine test -Dsurefire.excludedGroups= -Dgroups=slow}. */
    @Test
    @org.junit.jupiter.api.Tag("slow")
    void longRandomSequencesMatchTheReference() {
        check(40, 1500);
    }

    private void check(int sequences, int steps) {
        long seed = Long.getLong("seed", System.nanoTime());
        System.out.println("AllocationPropertySuite seed=" + seed + " (rerun with -Dseed=" + seed + ")");
        for (int sequence = 0; sequence < sequences; sequence++) {
            long sequenceSeed = seed + sequence;
            Run run = new Run(newStore(), new Random(sequenceSeed));
            try {
                run.go(steps);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("failed with -Dseed=" + seed + " (sequence " + sequence + ", seed "
                        + sequenceSeed + ", step " + run.step + ", last command " + run.last + "): " + e, e);
            }
        }
    }

    /** An allocated block in the reference: held by a claim's allocation or a child pool. */
    record RefBlock(BigInteger start, int length, String holder) {
    }

    static final class RefPool {
        final String name;
        final IPFamily family;
        final BigInteger start;
        final int length;
        final Strategy strategy;
        final String parent;
        final TreeMap<BigInteger, RefBlock> allocated = new TreeMap<>();

        RefPool(String name, IPFamily family, BigInteger start, int length, Strategy strategy, String parent) {
            this.name = name;
            this.family = family;
            this.start = start;
            this.length = length;
            this.strategy = strategy;
            this.parent = parent;
        }

        BigInteger size(int prefixLength) {
            return BigInteger.ONE.shiftLeft(family.bits - prefixLength);
        }

        BigInteger end() {
            return start.add(size(length));
        }

        /** The maximal aligned free blocks: the free intervals cut into CIDR blocks. */
        List<RefBlock> freeBlocks() {
            List<RefBlock> out = new ArrayList<>();
            BigInteger cursor = start;
            for (RefBlock block : allocated.values()) {
                cut(cursor, block.start(), out);
                cursor = block.start().add(size(block.length()));
            }
            cut(cursor, end(), out);
            return out;
        }

        private void cut(BigInteger from, BigInteger to, List<RefBlock> out) {
            while (from.compareTo(to) < 0) {
                int hostBits = family.bits - length;
                int k = from.signum() == 0 ? hostBits : Math.min(hostBits, from.getLowestSetBit());
                while (from.add(BigInteger.ONE.shiftLeft(k)).compareTo(to) > 0) {
                    k--;
                }
                out.add(new RefBlock(from, family.bits - k, "free"));
                from = from.add(BigInteger.ONE.shiftLeft(k));
            }
        }

        boolean isFree(BigInteger blockStart, int blockLength) {
            BigInteger blockEnd = blockStart.add(size(blockLength));
            for (RefBlock block : allocated.values()) {
                BigInteger end = block.start().add(size(block.length()));
                if (block.start().compareTo(blockEnd) < 0 && blockStart.compareTo(end) < 0) {
                    return false;
                }
            }
            return true;
        }

        /** The reference's choice for a /n claim, or null when nothing fits. */
        BigInteger choose(int n) {
            List<RefBlock> free = freeBlocks();
            RefBlock chosen = null;
            switch (strategy) {
                case FirstFit -> {
                    for (RefBlock block : free) {
                        if (block.length() <= n) {
                            return block.start();
                        }
                    }
                }
                case BestFit -> {
                    for (RefBlock block : free) {
                        if (block.length() <= n && (chosen == null || block.length() > chosen.length())) {
                            chosen = block;
                        }
                    }
                    return chosen == null ? null : chosen.start();
                }
                case LeastUtilized -> {
                    return leastUtilized(free, n);
                }
            }
            return null;
        }

        private BigInteger leastUtilized(List<RefBlock> free, int n) {
            BigInteger nodeStart = start;
            int nodeLength = length;
            if (!fits(free, nodeStart, nodeLength, n)) {
                return null;
            }
            while (true) {
                if (entirelyFree(free, nodeStart, nodeLength)) {
                    return nodeStart;
                }
                BigInteger right = nodeStart.add(size(nodeLength + 1));
                boolean leftFits = fits(free, nodeStart, nodeLength + 1, n);
                boolean rightFits = fits(free, right, nodeLength + 1, n);
                boolean goRight = rightFits && (!leftFits
                        || freeIn(free, right, nodeLength + 1).compareTo(freeIn(free, nodeStart, nodeLength + 1)) > 0);
                if (goRight) {
                    nodeStart = right;
                }
                nodeLength++;
            }
        }

        private boolean within(RefBlock block, BigInteger nodeStart, int nodeLength) {
            return block.length() >= nodeLength && block.start().compareTo(nodeStart) >= 0
                    && block.start().compareTo(nodeStart.add(size(nodeLength))) < 0;
        }

        private boolean covers(RefBlock block, BigInteger nodeStart, int nodeLength) {
            return block.length() <= nodeLength && block.start().compareTo(nodeStart) <= 0
                    && nodeStart.compareTo(block.start().add(size(block.length()))) < 0;
        }

        boolean entirelyFree(List<RefBlock> free, BigInteger nodeStart, int nodeLength) {
            return free.stream().anyMatch(block -> covers(block, nodeStart, nodeLength));
        }

        boolean fits(List<RefBlock> free, BigInteger nodeStart, int nodeLength, int n) {
            if (nodeLength > n) {
                return false;
            }
            for (RefBlock block : free) {
                if (covers(block, nodeStart, nodeLength) || (within(block, nodeStart, nodeLength)
                        && block.length() <= n)) {
                    return true;
                }
            }
            return false;
        }

        BigInteger freeIn(List<RefBlock> free, BigInteger nodeStart, int nodeLength) {
            BigInteger total = BigInteger.ZERO;
            for (RefBlock block : free) {
                if (covers(block, nodeStart, nodeLength)) {
                    return size(nodeLength);
                }
                if (within(block, nodeStart, nodeLength)) {
                    total = total.add(size(block.length()));
                }
            }
            return total;
        }

        String cidr(BigInteger address, int prefixLength) {
            byte[] raw = address.toByteArray();
            byte[] bytes = new byte[family.bits / 8];
            int copy = Math.min(raw.length, bytes.length);
            System.arraycopy(raw, raw.length - copy, bytes, bytes.length - copy, copy);
            IPAddress ip = family == IPFamily.IPv4 ? new IPv4Address(bytes, prefixLength)
                    : new IPv6Address(bytes, prefixLength);
            return ip.toPrefixBlock().toCanonicalString();
        }
    }

    record RefClaim(String pool, BigInteger start, int length, boolean retain) {
    }

    final class Run {
        final Harness harness;
        final Random random;
        final TreeMap<String, RefPool> pools = new TreeMap<>();
        final TreeMap<String, RefClaim> claims = new TreeMap<>();
        /** Retained allocations by claim name. */
        final TreeMap<String, RefClaim> retained = new TreeMap<>();
        int step;
        Command last;
        int names;

        Run(Store store, Random random) {
            this.harness = new Harness(store);
            this.random = random;
            harness.ok(Harness.project("p"));
        }

        void go(int steps) {
            for (step = 0; step < steps; step++) {
                int choice = random.nextInt(100);
                if (pools.isEmpty() || (choice < 6 && pools.size() < POOLS_MAX)) {
                    createRootPool();
                } else if (choice < 12 && pools.size() < POOLS_MAX) {
                    createChildPool();
                } else if (choice < 55) {
                    claim(false);
                } else if (choice < 65) {
                    claim(true);
                } else if (choice < 92) {
                    release();
                } else if (choice < 96) {
                    deleteRetained();
                } else {
                    deletePool();
                }
                verify();
            }
        }

        private <T> T pick(java.util.Collection<T> values) {
            List<T> list = new ArrayList<>(values);
            return list.get(random.nextInt(list.size()));
        }

        Result run(Command command) {
            last = command;
            return harness.run(command);
        }

        void createRootPool() {
            boolean v6 = random.nextBoolean();
            IPFamily family = v6 ? IPFamily.IPv6 : IPFamily.IPv4;
            int length = v6 ? 40 + random.nextInt(60) : 12 + random.nextInt(14);
            BigInteger start = new BigInteger(family.bits, random).shiftRight(family.bits - length)
                    .shiftLeft(family.bits - length);
            Strategy strategy = Strategy.values()[random.nextInt(3)];
            String name = "pool" + (names++);
            RefPool ref = new RefPool(name, family, start, length, strategy, null);
            Result result = run(new Command.CreatePool(ACTOR, "p", name, null, null,
                    Harness.rootSpec(ref.cidr(start, length), family, strategy)));
            assertEquals(201, result.code(), result.message());
            pools.put(name, ref);
        }

        void createChildPool() {
            RefPool parent = pick(pools.values());
            int length = Math.min(parent.family.bits, parent.length + random.nextInt(6));
            String name = "pool" + (names++);
            Strategy strategy = Strategy.values()[random.nextInt(3)];
            BigInteger expected = parent.choose(length);
            Result result = run(new Command.CreatePool(ACTOR, "p", name, null, null, new IPPool.Spec(null, null,
                    new Refs.LocalRef(parent.name), length, new IPPool.AllocationSettings(null, null, strategy), null,
                    null)));
            if (expected == null) {
                assertEquals(507, result.code(), result.message());
                return;
            }
            assertEquals(201, result.code(), result.message());
            assertEquals(parent.cidr(expected, length), ((IPPool) result.object()).status().allocatedCIDR());
            parent.allocated.put(expected, new RefBlock(expected, length, "pool:" + name));
            pools.put(name, new RefPool(name, parent.family, expected, length, strategy, parent.name));
        }

        void claim(boolean specific) {
            RefPool pool = pick(pools.values());
            int length = Math.min(pool.family.bits, pool.length + random.nextInt(pool.family == IPFamily.IPv4 ? 9 : 24));
            String name = "claim" + (names++);
            boolean retain = random.nextInt(4) == 0;
            ReclaimPolicy policy = retain ? ReclaimPolicy.Retain : ReclaimPolicy.Delete;
            BigInteger expected;
            IPClaim.Spec spec;
            if (specific) {
                BigInteger offset = new BigInteger(length - pool.length, random).shiftLeft(pool.family.bits - length);
                BigInteger start = pool.start.add(offset);
                expected = pool.isFree(start, length) ? start : null;
                spec = new IPClaim.Spec(pool.family, length, new Refs.PoolRef(pool.name, null), null,
                        pool.cidr(start, length), null, policy);
            } else {
                expected = pool.choose(length);
                spec = new IPClaim.Spec(pool.family, length, new Refs.PoolRef(pool.name, null), null, null, null,
                        policy);
            }
            Result result = run(Harness.claim("p", name, spec));
            if (expected == null) {
                assertEquals(specific ? 409 : 507, result.code(), result.message());
                return;
            }
            assertEquals(201, result.code(), result.message());
            assertEquals(pool.cidr(expected, length), ((IPClaim) result.object()).status().allocatedCIDR());
            pool.allocated.put(expected, new RefBlock(expected, length, "claim:" + name));
            claims.put(name, new RefClaim(pool.name, expected, length, retain));
        }

        void release() {
            if (claims.isEmpty()) {
                return;
            }
            String name = pick(claims.keySet());
            RefClaim claim = claims.remove(name);
            Result result = run(Harness.deleteClaim("p", name));
            assertEquals(200, result.code(), result.message());
            if (claim.retain()) {
                retained.put(name, claim);
            } else {
                pools.get(claim.pool()).allocated.remove(claim.start());
            }
        }

        void deleteRetained() {
            if (retained.isEmpty()) {
                return;
            }
            String name = pick(retained.keySet());
            RefClaim claim = retained.remove(name);
            Result result = run(new Command.DeleteAllocation(ACTOR, "p", "default",
                    IPAllocation.nameFor("default", name), 0));
            assertEquals(200, result.code(), result.message());
            pools.get(claim.pool()).allocated.remove(claim.start());
        }

        void deletePool() {
            RefPool pool = pick(pools.values());
            Result result = run(Harness.deletePool("p", pool.name));
            if (!pool.allocated.isEmpty()) {
                assertEquals(409, result.code(), result.message());
                return;
            }
            assertEquals(200, result.code(), result.message());
            pools.remove(pool.name);
            if (pool.parent != null) {
                pools.get(pool.parent).allocated.remove(pool.start);
            }
        }

        // ------------------------------------------------------------------ invariants

        void verify() {
            Store store = harness.store;
            for (RefPool ref : pools.values()) {
                byte[] value = store.get(Space.OBJECTS, Keys.object(Kind.POOL, "p", "", ref.name));
                Codec.StoredPool stored = Codec.decodePool(value);
                PoolState state;
                try (Overlay view = new Overlay(store)) {
                    state = new Allocator(view).load(stored.id());
                }
                List<RefBlock> free = ref.freeBlocks();
                // Free blocks: the stored rows are exactly the reference's maximal aligned blocks.
                List<String> storedFree = new ArrayList<>();
                byte[] prefix = Context.encodeLong(stored.id());
                try (Cursor cursor = store.scan(Space.FREE, prefix, Keys.prefixEnd(prefix))) {
                    for (Entry entry = cursor.next(); entry != null; entry = cursor.next()) {
                        if (entry.key().length > 8) {
                            storedFree.add(cidrOfKey(ref, entry.key()));
                        }
                    }
                }
                List<String> expectedFree = new ArrayList<>();
                long[] counts = new long[ref.family.bits + 1];
                for (RefBlock block : free) {
                    expectedFree.add(block.length() + " " + ref.cidr(block.start(), block.length()));
                    counts[block.length()]++;
                }
                expectedFree.sort(null);
                storedFree.sort(null);
                assertEquals(expectedFree, storedFree, "free blocks of " + ref.name);
                for (int length = 0; length <= ref.family.bits; length++) {
                    assertEquals(counts[length], state.freeBlocks(length), "free count /" + length + " " + ref.name);
                }
                // Counters equal a recount.
                BigInteger allocated = BigInteger.ZERO;
                long allocations = 0;
                long children = 0;
                for (RefBlock block : ref.allocated.values()) {
                    allocated = allocated.add(ref.size(block.length()));
                    if (block.holder().startsWith("pool:")) {
                        children++;
                    } else {
                        allocations++;
                    }
                }
                assertEquals(allocated, state.allocated().toBigInteger(), "allocated " + ref.name);
                assertEquals(allocations, state.allocations(), "allocations " + ref.name);
                assertEquals(children, state.children(), "children " + ref.name);
                int largest = free.stream().mapToInt(RefBlock::length).min().orElse(0);
                IPPool.Status status = stored.pool().status();
                assertEquals(largest, status.largestFreePrefix(), "largestFreePrefix " + ref.name);
                BigInteger total = ref.size(ref.length);
                assertEquals(saturate(allocated), status.capacity().allocated(), "status allocated " + ref.name);
                assertEquals(saturate(total.subtract(allocated)), status.capacity().available());
                assertEquals(allocated.multiply(BigInteger.valueOf(100)).divide(total).intValue(),
                        status.utilizationPercent(), "utilization " + ref.name);
                if (ref.strategy == Strategy.LeastUtilized) {
                    verifyUsage(ref, stored.id(), free);
                } else {
                    byte[] usagePrefix = Context.encodeLong(stored.id());
                    assertEquals(null, store.first(Space.USAGE, usagePrefix, Keys.prefixEnd(usagePrefix)),
                            "usage rows for a " + ref.strategy + " pool");
                }
            }
            verifyAllocations();
        }

        private long saturate(BigInteger value) {
            return value.bitLength() > 63 ? Long.MAX_VALUE : value.longValue();
        }

        private String cidrOfKey(RefPool ref, byte[] key) {
            int length = key[8] & 0xFF;
            BigInteger address = new BigInteger(1, Arrays.copyOfRange(key, 9, key.length));
            return length + " " + ref.cidr(address, length);
        }

        /** USAGE rows: one per trie node strictly containing an allocated block, with its counts. */
        private void verifyUsage(RefPool ref, long poolId, List<RefBlock> free) {
            TreeMap<String, String> expected = new TreeMap<>();
            for (RefBlock block : ref.allocated.values()) {
                for (int length = ref.length; length < block.length(); length++) {
                    BigInteger node = block.start().shiftRight(ref.family.bits - length)
                            .shiftLeft(ref.family.bits - length);
                    BigInteger nodeAllocated = ref.size(length).subtract(ref.freeIn(free, node, length));
                    int best = 0xFF;
                    for (RefBlock f : free) {
                        if (ref.within(f, node, length)) {
                            best = Math.min(best, f.length());
                        }
                    }
                    expected.put(length + " " + ref.cidr(node, length), nodeAllocated + " " + best);
                }
            }
            TreeMap<String, String> actual = new TreeMap<>();
            byte[] prefix = Context.encodeLong(poolId);
            try (Cursor cursor = harness.store.scan(Space.USAGE, prefix, Keys.prefixEnd(prefix))) {
                for (Entry entry = cursor.next(); entry != null; entry = cursor.next()) {
                    byte[] v = entry.value();
                    BigInteger allocated = new BigInteger(1, Arrays.copyOfRange(v, 0, 16));
                    actual.put(cidrOfKey(ref, entry.key()), allocated + " " + (v[16] & 0xFF));
                }
            }
            assertEquals(expected, actual, "usage rows of " + ref.name);
        }

        /** Every stored allocation lies inside its pool and overlaps no other of the same pool. */
        private void verifyAllocations() {
            Map<String, List<dev.ipam.core.alloc.Block>> byPool = new TreeMap<>();
            Reads.Page page = Reads.list(harness.store, Kind.ALLOCATION, "p", null, Reads.LIMIT_MAX, null);
            assertEquals(null, page.continueKey());
            for (Resource resource : page.items()) {
                IPAllocation allocation = (IPAllocation) resource;
                dev.ipam.core.alloc.Block block = dev.ipam.core.alloc.Block.parse(allocation.status().allocatedCIDR())
                        .block();
                String poolName = allocation.spec().poolRef().name();
                RefPool pool = pools.get(poolName);
                assertTrue(pool != null, "allocation of unknown pool " + poolName);
                dev.ipam.core.alloc.Block poolBlock = dev.ipam.core.alloc.Block.parse(
                        pool.cidr(pool.start, pool.length)).block();
                assertTrue(poolBlock.contains(block), block + " outside " + poolBlock);
                for (dev.ipam.core.alloc.Block other : byPool.computeIfAbsent(poolName, k -> new ArrayList<>())) {
                    if (other.overlaps(block)) {
                        fail(block + " overlaps " + other + " in " + poolName);
                    }
                }
                byPool.get(poolName).add(block);
            }
            assertEquals(claims.size() + retained.size(), page.items().size(), "allocation count");
        }
    }
}
