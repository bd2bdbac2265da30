package dev.ipam.core.alloc;

import dev.ipam.core.model.Strategy;
import dev.ipam.core.store.BigEndian;
import dev.ipam.core.store.Batch;
import dev.ipam.core.store.Decoded;
import dev.ipam.core.store.Entry;
import dev.ipam.core.store.Space;

/**
 * The buddy allocator over a binary prefix trie. Per pool, Space.FREE holds every maximal aligned
 * free block under (pool id, prefix length, address), plus the pool's header ({@link PoolState}) under
 * the bare pool id. A claim for /n takes a free block of length <= n chosen by the strategy and splits
 * it down to /n, inserting the upper halves as free blocks; a release inserts the block and merges it
 * with its buddy while the buddy is free. Each operation touches O(address bits) keys, each an
 * O(log blocks) store lookup, whatever the pool size or fill.
 *
 * <p>LeastUtilized pools also keep, in Space.USAGE, one row per trie node that strictly contains an
 * allocated block: the addresses allocated under it and the length of its largest free block.
 *
 * <p>Everything here is a deterministic function of the stored rows; broken invariants throw.
 */
public final class Allocator {
    private static final byte[] EMPTY = new byte[0];
    /** "No free block below this node" in a USAGE row. */
    private static final int NONE = 0xFF;

    /** Who holds an allocated block: a claim's allocation or a child pool. */
    public enum Holder {
        ALLOCATION, CHILD_POOL
    }

    private final Batch batch;

    public Allocator(Batch batch) {
        this.batch = batch;
    }

    // ------------------------------------------------------------------ keys

    static byte[] headerKey(long poolId) {
        byte[] key = new byte[8];
        BigEndian.putLong(key, 0, poolId);
        return key;
    }

    static byte[] nodeKey(long poolId, int width, int length, long hi, long lo) {
        byte[] key = new byte[9 + width / 8];
        BigEndian.putLong(key, 0, poolId);
        key[8] = (byte) length;
        if (width == 32) {
            key[9] = (byte) (lo >>> 24);
            key[10] = (byte) (lo >>> 16);
            key[11] = (byte) (lo >>> 8);
            key[12] = (byte) lo;
        } else {
            BigEndian.putLong(key, 9, hi);
            BigEndian.putLong(key, 17, lo);
        }
        return key;
    }

    static byte[] lengthPrefix(long poolId, int length) {
        byte[] key = new byte[9];
        BigEndian.putLong(key, 0, poolId);
        key[8] = (byte) length;
        return key;
    }

    static long keyHi(byte[] key, int width) {
        return width == 32 ? 0 : BigEndian.getLong(key, 9);
    }

    static long keyLo(byte[] key, int width) {
        if (width == 32) {
            return ((key[9] & 0xFFL) << 24) | ((key[10] & 0xFFL) << 16) | ((key[11] & 0xFFL) << 8) | (key[12] & 0xFFL);
        }
        return BigEndian.getLong(key, 17);
    }

    // ------------------------------------------------------------------ pool lifecycle

    /** Creates the free space of a new pool: its whole block is one free block. */
    public PoolState create(long poolId, Block pool, Strategy strategy) {
        check(pool.length() >= 1, "pools of length 0 are not supported");
        if (batch.get(Space.FREE, headerKey(poolId)) != null) {
            throw broken("pool id " + poolId + " already in use");
        }
        PoolState state = new PoolState(pool, strategy);
        insertFree(poolId, state, pool.length(), pool.hi(), pool.lo());
        save(poolId, state);
        return state;
    }

    public PoolState load(long poolId) {
        byte[] bytes = batch.get(Space.FREE, headerKey(poolId));
        if (bytes == null) {
            throw broken("pool id " + poolId + " has no allocator header");
        }
        // Taken, not shared: the caller changes it, and save caches it again under its new bytes.
        return Decoded.cache().take(bytes, PoolState.class, PoolState::decode);
    }

    /** Removes an unused pool's rows. The pool must hold no allocation and no child pool. */
    public void drop(long poolId, PoolState state) {
        if (!(state.allocations == 0 && state.children == 0)) {
            throw broken("dropping a pool in use: " + state);
        }
        if (!(state.allocatedHi == 0 && state.allocatedLo == 0)) {
            throw broken("unused pool with allocated addresses: " + state);
        }
        for (int length = 0; length <= state.width; length++) {
            if (state.counts[length] != (length == state.poolLength ? 1 : 0)) {
                throw broken("unused pool not whole: " + state);
            }
        }
        batch.delete(Space.FREE, nodeKey(poolId, state.width, state.poolLength, state.baseHi, state.baseLo));
        batch.delete(Space.FREE, headerKey(poolId));
    }

    private void save(long poolId, PoolState state) {
        byte[] bytes = state.encode();
        // Cached as is: every change to a state ends in a save, so the bytes stay its encoding until
        // they are replaced (load takes the state out of the cache, so no one else holds it).
        Decoded.cache().put(bytes, state);
        batch.put(Space.FREE, headerKey(poolId), bytes);
    }

    // ------------------------------------------------------------------ allocation

    /**
     * Allocates a /length block with the pool's strategy; null when no free block fits (nothing is
     * written then). The caller has checked length against the pool's bounds.
     */
    public Block allocate(long poolId, PoolState state, int length, Holder holder) {
        if (!(length >= state.poolLength && length <= state.width)) {
            throw broken("length " + length + " outside " + state.pool());
        }
        int freeLength = -1;
        long freeHi = 0;
        long freeLo = 0;
        switch (state.strategy) {
            case FirstFit -> {
                for (int l = state.poolLength; l <= length; l++) {
                    if (state.counts[l] > 0 && (freeLength < 0
                            || Block.compare(state.lowestHi[l], state.lowestLo[l], freeHi, freeLo) < 0)) {
                        freeLength = l;
                        freeHi = state.lowestHi[l];
                        freeLo = state.lowestLo[l];
                    }
                }
            }
            case BestFit -> {
                for (int l = length; l >= state.poolLength; l--) {
                    if (state.counts[l] > 0) {
                        freeLength = l;
                        freeHi = state.lowestHi[l];
                        freeLo = state.lowestLo[l];
                        break;
                    }
                }
            }
            case LeastUtilized -> {
                long[] found = leastUtilized(poolId, state, length);
                if (found != null) {
                    freeLength = (int) found[0];
                    freeHi = found[1];
                    freeLo = found[2];
                }
            }
        }
        if (freeLength < 0) {
            return null;
        }
        take(poolId, state, freeLength, freeHi, freeLo, length, freeHi, freeLo, holder);
        return new Block(state.family, freeHi, freeLo, length);
    }

    /** Allocates exactly {@code block} if it is free; false (nothing written) when any of it is taken. */
    public boolean allocateSpecific(long poolId, PoolState state, Block block, Holder holder) {
        if (!state.pool().contains(block)) {
            throw broken(block + " outside pool " + state.pool());
        }
        int width = state.width;
        for (int l = state.poolLength; l <= block.length(); l++) {
            if (state.counts[l] == 0) {
                continue;
            }
            long hi = Block.maskHi(width, block.hi(), l);
            long lo = Block.maskLo(width, block.lo(), l);
            if (batch.get(Space.FREE, nodeKey(poolId, width, l, hi, lo)) != null) {
                take(poolId, state, l, hi, lo, block.length(), block.hi(), block.lo(), holder);
                return true;
            }
        }
        return false;
    }

    /** Removes free block (freeLength, free) and splits it down to the target /length inside it. */
    private void take(long poolId, PoolState state, int freeLength, long freeHi, long freeLo, int length,
                      long targetHi, long targetLo, Holder holder) {
        int width = state.width;
        removeFree(poolId, state, freeLength, freeHi, freeLo);
        for (int l = freeLength + 1; l <= length; l++) {
            long pathHi = Block.maskHi(width, targetHi, l);
            long pathLo = Block.maskLo(width, targetLo, l);
            insertFree(poolId, state, l, pathHi ^ Block.sizeHi(width, l), pathLo ^ Block.sizeLo(width, l));
        }
        U128 allocated = state.allocated().plus(U128.pow2(width - length));
        state.allocatedHi = allocated.hi();
        state.allocatedLo = allocated.lo();
        count(state, holder, +1);
        if (state.strategy == Strategy.LeastUtilized) {
            updateUsage(poolId, state, length, targetHi, targetLo, true);
        }
        save(poolId, state);
    }

    /** Returns an allocated block to the pool, merging it with free buddies. */
    public void release(long poolId, PoolState state, Block block, Holder holder) {
        int width = state.width;
        if (!state.pool().contains(block)) {
            throw broken(block + " outside pool " + state.pool());
        }
        if (batch.get(Space.FREE, nodeKey(poolId, width, block.length(), block.hi(), block.lo())) != null) {
            throw broken("releasing free block " + block);
        }
        int length = block.length();
        long hi = block.hi();
        long lo = block.lo();
        while (length > state.poolLength) {
            long buddyHi = hi ^ Block.sizeHi(width, length);
            long buddyLo = lo ^ Block.sizeLo(width, length);
            if (state.counts[length] == 0 || batch.get(Space.FREE, nodeKey(poolId, width, length, buddyHi, buddyLo)) == null) {
                break;
            }
            removeFree(poolId, state, length, buddyHi, buddyLo);
            length--;
            hi = Block.maskHi(width, hi, length);
            lo = Block.maskLo(width, lo, length);
        }
        insertFree(poolId, state, length, hi, lo);
        U128 allocated = state.allocated().minus(block.size());
        state.allocatedHi = allocated.hi();
        state.allocatedLo = allocated.lo();
        count(state, holder, -1);
        if (state.strategy == Strategy.LeastUtilized) {
            updateUsage(poolId, state, block.length(), block.hi(), block.lo(), false);
        }
        save(poolId, state);
    }

    private static void count(PoolState state, Holder holder, int delta) {
        if (holder == Holder.ALLOCATION) {
            state.allocations += delta;
            check(state.allocations >= 0, "negative allocation count");
        } else {
            state.children += delta;
            check(state.children >= 0, "negative child pool count");
        }
    }

    private void insertFree(long poolId, PoolState state, int length, long hi, long lo) {
        batch.put(Space.FREE, nodeKey(poolId, state.width, length, hi, lo), EMPTY);
        if (state.counts[length]++ == 0
                || Block.compare(hi, lo, state.lowestHi[length], state.lowestLo[length]) < 0) {
            state.lowestHi[length] = hi;
            state.lowestLo[length] = lo;
        }
    }

    private void removeFree(long poolId, PoolState state, int length, long hi, long lo) {
        byte[] key = nodeKey(poolId, state.width, length, hi, lo);
        batch.delete(Space.FREE, key);
        if (state.counts[length] <= 0) {
            throw broken("free count underflow at /" + length);
        }
        if (--state.counts[length] == 0) {
            state.lowestHi[length] = 0;
            state.lowestLo[length] = 0;
        } else if (state.lowestHi[length] == hi && state.lowestLo[length] == lo) {
            Entry next = batch.first(Space.FREE, key, lengthPrefix(poolId, length + 1));
            if (next == null) {
                throw broken("free count says /" + length + " blocks remain, none found");
            }
            state.lowestHi[length] = keyHi(next.key(), state.width);
            state.lowestLo[length] = keyLo(next.key(), state.width);
        }
    }

    // ------------------------------------------------------------------ LeastUtilized

    /** Returns {length, hi, lo} of the free block to split, or null when nothing fits. */
    private long[] leastUtilized(long poolId, PoolState state, int length) {
        int width = state.width;
        int l = state.poolLength;
        long hi = state.baseHi;
        long lo = state.baseLo;
        if (batch.get(Space.FREE, nodeKey(poolId, width, l, hi, lo)) != null) {
            return new long[] {l, hi, lo};
        }
        byte[] root = batch.get(Space.USAGE, nodeKey(poolId, width, l, hi, lo));
        if (root == null || usageBest(root) > length) {
            return null;
        }
        while (true) {
            if (l >= length) {
                throw broken("LeastUtilized descended past /" + length);
            }
            int child = l + 1;
            long rightHi = hi | Block.sizeHi(width, child);
            long rightLo = lo | Block.sizeLo(width, child);
            NodeInfo left = info(poolId, state, child, hi, lo);
            NodeInfo right = info(poolId, state, child, rightHi, rightLo);
            boolean leftFits = left.best <= length;
            boolean rightFits = right.best <= length;
            if (!leftFits && !rightFits) {
                throw broken("usage row of /" + l + " promised a fit below it");
            }
            boolean goRight = rightFits && (!leftFits || right.free.compareTo(left.free) > 0);
            NodeInfo chosen = goRight ? right : left;
            if (goRight) {
                hi = rightHi;
                lo = rightLo;
            }
            l = child;
            if (chosen.isFree) {
                return new long[] {l, hi, lo};
            }
        }
    }

    private record NodeInfo(U128 free, int best, boolean isFree) {
    }

    private NodeInfo info(long poolId, PoolState state, int length, long hi, long lo) {
        byte[] key = nodeKey(poolId, state.width, length, hi, lo);
        if (batch.get(Space.FREE, key) != null) {
            return new NodeInfo(U128.pow2(state.width - length), length, true);
        }
        byte[] usage = batch.get(Space.USAGE, key);
        if (usage == null) {
            return new NodeInfo(U128.ZERO, NONE, false);
        }
        return new NodeInfo(U128.pow2(state.width - length).minus(usageAllocated(usage)), usageBest(usage), false);
    }

    private int childBest(long poolId, PoolState state, int length, long hi, long lo) {
        byte[] key = nodeKey(poolId, state.width, length, hi, lo);
        if (batch.get(Space.FREE, key) != null) {
            return length;
        }
        byte[] usage = batch.get(Space.USAGE, key);
        return usage == null ? NONE : usageBest(usage);
    }

    /** Updates the rows of every strict ancestor of the block, bottom-up, after the FREE rows changed. */
    private void updateUsage(long poolId, PoolState state, int length, long hi, long lo, boolean add) {
        int width = state.width;
        U128 delta = U128.pow2(width - length);
        for (int l = length - 1; l >= state.poolLength; l--) {
            long nodeHi = Block.maskHi(width, hi, l);
            long nodeLo = Block.maskLo(width, lo, l);
            byte[] key = nodeKey(poolId, width, l, nodeHi, nodeLo);
            byte[] row = batch.get(Space.USAGE, key);
            U128 allocated = row == null ? U128.ZERO : usageAllocated(row);
            allocated = add ? allocated.plus(delta) : allocated.minus(delta);
            if (allocated.isZero()) {
                batch.delete(Space.USAGE, key);
                continue;
            }
            int child = l + 1;
            int best = Math.min(childBest(poolId, state, child, nodeHi, nodeLo),
                    childBest(poolId, state, child, nodeHi | Block.sizeHi(width, child),
                            nodeLo | Block.sizeLo(width, child)));
            batch.put(Space.USAGE, key, usageRow(allocated, best));
        }
    }

    static byte[] usageRow(U128 allocated, int best) {
        byte[] row = new byte[17];
        BigEndian.putLong(row, 0, allocated.hi());
        BigEndian.putLong(row, 8, allocated.lo());
        row[16] = (byte) best;
        return row;
    }

    static U128 usageAllocated(byte[] row) {
        return new U128(BigEndian.getLong(row, 0), BigEndian.getLong(row, 8));
    }

    static int usageBest(byte[] row) {
        return row[16] & 0xFF;
    }

    /** For messages without concatenation: one that builds its message must test first and throw {@link #broken}. */
    static void check(boolean condition, String message) {
        if (!condition) {
            throw broken(message);
        }
    }

    /** The error for a broken invariant (messages are built only then: building them was a tenth of a claim's cost). */
    static IllegalStateException broken(String message) {
        return new IllegalStateException("allocator invariant broken: " + message);
    }
}
