package dev.ipam.core.store;

import java.util.Arrays;

/**
 * An ordered map from byte-string keys (unsigned order, as {@link ReadView} promises) to byte[]
 * values: a B+ tree whose leaves are linked both ways. It replaced TreeMap in {@link MemoryStore}:
 * with a node per entry and a rebalancing walk back up the tree, TreeMap inserts were a quarter of
 * the in-memory core's CPU, most of it waiting for memory; here an insert touches about four nodes.
 * Leaves keep at least half their room used (merge or borrow on removal), so the tree stays as
 * shallow as its size allows. Not thread-safe; the arrays passed in are kept, not copied.
 */
public final class BytesMap {
    /** Keys per leaf and children per inner node, at most. */
    static final int DEFAULT_FANOUT = 64;

    private final int max;
    private final int minLeaf;
    private final int minChildren;
    private Node root;
    private int size;

    public BytesMap() {
        this(DEFAULT_FANOUT);
    }

    /** A tree of the given fanout (at least 3; tests use small ones to exercise every split and merge). */
    BytesMap(int fanout) {
        if (fanout < 3) {
            throw new IllegalArgumentException("fanout must be at least 3, was " + fanout);
        }
        this.max = fanout;
        this.minLeaf = fanout / 2;
        this.minChildren = (fanout + 1) / 2;
        this.root = new Leaf(fanout);
    }

    private abstract static class Node {
        int count;
        final byte[][] keys;

        Node(int capacity) {
            keys = new byte[capacity][];
        }
    }

    /** keys[0..count) with their values; next and prev link the leaves in key order. */
    private static final class Leaf extends Node {
        final byte[][] values;
        Leaf next;
        Leaf prev;

        Leaf(int max) {
            super(max + 1);
            values = new byte[max + 1][];
        }
    }

    /** count children; keys[i] (i < count - 1) is the smallest key under children[i + 1]. */
    private static final class Inner extends Node {
        final Node[] children;

        Inner(int max) {
            super(max);
            children = new Node[max + 1];
        }
    }

    public int size() {
        return size;
    }

    private static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    /** Index of the child of {@code inner} whose range holds {@code key}. */
    private static int childIndex(Inner inner, byte[] key) {
        int low = 0;
        int high = inner.count - 1; // number of separators
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (compare(inner.keys[mid], key) <= 0) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /** In a leaf: the index of key, or -(insertion point) - 1. */
    private static int search(Leaf leaf, byte[] key) {
        int low = 0;
        int high = leaf.count - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int order = compare(leaf.keys[mid], key);
            if (order < 0) {
                low = mid + 1;
            } else if (order > 0) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -(low + 1);
    }

    private Leaf leafFor(byte[] key) {
        Node node = root;
        while (node instanceof Inner inner) {
            node = inner.children[childIndex(inner, key)];
        }
        return (Leaf) node;
    }

    // ------------------------------------------------------------------ fingers

    /** How many recently used leaves are tried before a search from the root. */
    static final int FINGERS = 4;
    private final Leaf[] fingers = new Leaf[FINGERS];
    private int nextFinger;

    /**
     * A recently used leaf whose range holds key, or null. A leaf's range runs from its first key to
     * the next leaf's first key (every separator is the smallest key under it, which {@link #check}
     * verifies), so two comparisons with keys in cache replace a descent through every level. Apply
     * works on a few places at a time (the end of the audit trail, a pool's free list, the claims
     * of the moment), so most reads and writes land in one of them. Puts, removes and the writer's
     * reads ({@link #find}) set fingers; any rebalance clears them (a merge drops a leaf).
     */
    private Leaf finger(byte[] key) {
        for (Leaf leaf : fingers) {
            if (leaf != null && leaf.count > 0 && compare(key, leaf.keys[0]) >= 0
                    && (leaf.next == null || compare(key, leaf.next.keys[0]) < 0)) {
                return leaf;
            }
        }
        return null;
    }

    private void remember(Leaf leaf) {
        for (Leaf finger : fingers) {
            if (finger == leaf) {
                return;
            }
        }
        fingers[nextFinger] = leaf;
        nextFinger = (nextFinger + 1) % FINGERS;
    }

    /** The value at key, or null. Uses the fingers but never sets them: safe beside other readers. */
    public byte[] get(byte[] key) {
        return lookup(key, false);
    }

    /**
     * {@link #get}, for the map's one writer: a leaf found from the root becomes a finger (reads of
     * keys about to be rewritten are what apply does most). MemoryStore calls it from the batch, on the
     * apply thread, while other threads may {@link #get} under its read lock: they read the fingers
     * and this writes them, a race that is harmless because every finger written is a leaf of the tree
     * as it is (no commit runs meanwhile), readers check a finger's range before use, and a rebalance
     * clears the fingers under the write lock before any reader can see a dropped leaf.
     */
    public byte[] find(byte[] key) {
        return lookup(key, true);
    }

    private byte[] lookup(byte[] key, boolean rememberLeaf) {
        Leaf leaf = finger(key);
        if (leaf == null) {
            leaf = leafFor(key);
            if (rememberLeaf) {
                remember(leaf);
            }
        }
        int at = search(leaf, key);
        return at >= 0 ? leaf.values[at] : null;
    }

    // ------------------------------------------------------------------ put

    /** Sets key to value; returns the previous value or null. */
    public byte[] put(byte[] key, byte[] value) {
        if (key == null || value == null) {
            throw new NullPointerException("null key or value");
        }
        Leaf leaf = finger(key);
        if (leaf != null) {
            int at = search(leaf, key);
            if (at >= 0) {
                byte[] previous = leaf.values[at];
                leaf.values[at] = value;
                return previous;
            }
            if (leaf.count < max) { // no split; at >= 1 (key > keys[0]), so no separator changes
                insertAt(leaf, -at - 1, key, value);
                return null;
            }
        }
        Object[] result = new Object[1];
        Node split = insert(root, key, value, result);
        if (split != null) {
            Inner top = new Inner(max);
            top.children[0] = root;
            top.children[1] = split;
            top.keys[0] = smallest(split);
            top.count = 2;
            root = top;
        }
        return (byte[]) result[0];
    }

    private static byte[] smallest(Node node) {
        while (node instanceof Inner inner) {
            node = inner.children[0];
        }
        return node.keys[0];
    }

    /** Inserts under node; returns a new right sibling when node split, else null. */
    private Node insert(Node node, byte[] key, byte[] value, Object[] previous) {
        if (node instanceof Leaf leaf) {
            int at = search(leaf, key);
            if (at >= 0) {
                previous[0] = leaf.values[at];
                leaf.values[at] = value;
                return null;
            }
            insertAt(leaf, -at - 1, key, value);
            remember(leaf);
            return leaf.count > max ? splitLeaf(leaf) : null;
        }
        Inner inner = (Inner) node;
        int child = childIndex(inner, key);
        Node split = insert(inner.children[child], key, value, previous);
        if (split == null) {
            return null;
        }
        // children[child + 1] = split, separator keys[child] = its smallest key
        System.arraycopy(inner.children, child + 1, inner.children, child + 2, inner.count - child - 1);
        System.arraycopy(inner.keys, child, inner.keys, child + 1, inner.count - 1 - child);
        inner.children[child + 1] = split;
        inner.keys[child] = smallest(split);
        inner.count++;
        return inner.count > max ? splitInner(inner) : null;
    }

    /** Puts a new entry at index at of a leaf with room for it. */
    private void insertAt(Leaf leaf, int at, byte[] key, byte[] value) {
        System.arraycopy(leaf.keys, at, leaf.keys, at + 1, leaf.count - at);
        System.arraycopy(leaf.values, at, leaf.values, at + 1, leaf.count - at);
        leaf.keys[at] = key;
        leaf.values[at] = value;
        leaf.count++;
        size++;
    }

    /** Takes the entry at index at out of a leaf; returns its value. */
    private byte[] removeAt(Leaf leaf, int at) {
        byte[] removed = leaf.values[at];
        System.arraycopy(leaf.keys, at + 1, leaf.keys, at, leaf.count - at - 1);
        System.arraycopy(leaf.values, at + 1, leaf.values, at, leaf.count - at - 1);
        leaf.count--;
        leaf.keys[leaf.count] = null;
        leaf.values[leaf.count] = null;
        size--;
        return removed;
    }

    private Leaf splitLeaf(Leaf leaf) {
        Leaf right = new Leaf(max);
        int keep = leaf.count / 2;
        int moved = leaf.count - keep;
        System.arraycopy(leaf.keys, keep, right.keys, 0, moved);
        System.arraycopy(leaf.values, keep, right.values, 0, moved);
        Arrays.fill(leaf.keys, keep, leaf.count, null);
        Arrays.fill(leaf.values, keep, leaf.count, null);
        right.count = moved;
        leaf.count = keep;
        right.next = leaf.next;
        if (right.next != null) {
            right.next.prev = right;
        }
        right.prev = leaf;
        leaf.next = right;
        return right;
    }

    private Inner splitInner(Inner inner) {
        Inner right = new Inner(max);
        int keep = inner.count / 2; // children kept
        int moved = inner.count - keep;
        System.arraycopy(inner.children, keep, right.children, 0, moved);
        // separators keys[keep .. count-2] go right; keys[keep - 1] moves up (recomputed by the parent)
        System.arraycopy(inner.keys, keep, right.keys, 0, moved - 1);
        Arrays.fill(inner.children, keep, inner.count, null);
        Arrays.fill(inner.keys, keep - 1, inner.count - 1, null);
        right.count = moved;
        inner.count = keep;
        return right;
    }

    // ------------------------------------------------------------------ remove

    /** Removes key; returns its value or null. */
    public byte[] remove(byte[] key) {
        Leaf leaf = finger(key);
        if (leaf != null) {
            int at = search(leaf, key);
            if (at < 0) {
                return null;
            }
            // not the first key (its separator would change) and no underflow: no other node changes
            if (leaf == root || (at > 0 && leaf.count > minLeaf)) {
                return removeAt(leaf, at);
            }
        }
        Object[] result = new Object[1];
        delete(root, key, result);
        if (root instanceof Inner inner && inner.count == 1) {
            root = inner.children[0];
        }
        return (byte[]) result[0];
    }

    private void delete(Node node, byte[] key, Object[] removed) {
        if (node instanceof Leaf leaf) {
            int at = search(leaf, key);
            if (at < 0) {
                return;
            }
            removed[0] = removeAt(leaf, at);
            return;
        }
        Inner inner = (Inner) node;
        int child = childIndex(inner, key);
        Node below = inner.children[child];
        delete(below, key, removed);
        if (removed[0] == null) {
            return;
        }
        if (child > 0 && below.count > 0) {
            // the smallest key under this child may have been the one removed
            inner.keys[child - 1] = smallest(below);
        }
        boolean under = below instanceof Leaf ? below.count < minLeaf : below.count < minChildren;
        if (under) {
            rebalance(inner, child);
        }
    }

    /** children[child] of parent is under its minimum: borrow from a sibling or merge with one. */
    private void rebalance(Inner parent, int child) {
        Arrays.fill(fingers, null); // a merge drops a leaf; a finger must never point at one
        Node node = parent.children[child];
        Node left = child > 0 ? parent.children[child - 1] : null;
        Node right = child + 1 < parent.count ? parent.children[child + 1] : null;
        boolean leaves = node instanceof Leaf;
        int min = leaves ? minLeaf : minChildren;
        if (left != null && left.count > min) {
            if (leaves) {
                borrowFromLeft((Leaf) left, (Leaf) node);
            } else {
                borrowFromLeft((Inner) left, (Inner) node, parent.keys[child - 1]);
            }
            parent.keys[child - 1] = smallest(node);
        } else if (right != null && right.count > min) {
            if (leaves) {
                borrowFromRight((Leaf) node, (Leaf) right);
            } else {
                borrowFromRight((Inner) node, (Inner) right, parent.keys[child]);
            }
            parent.keys[child] = smallest(right);
            if (child > 0) {
                parent.keys[child - 1] = smallest(node); // an emptied leaf's smallest is the one borrowed
            }
        } else if (left != null) {
            merge(parent, child - 1);
        } else if (right != null) {
            merge(parent, child);
        }
    }

    private static void borrowFromLeft(Leaf left, Leaf node) {
        System.arraycopy(node.keys, 0, node.keys, 1, node.count);
        System.arraycopy(node.values, 0, node.values, 1, node.count);
        left.count--;
        node.keys[0] = left.keys[left.count];
        node.values[0] = left.values[left.count];
        left.keys[left.count] = null;
        left.values[left.count] = null;
        node.count++;
    }

    private static void borrowFromRight(Leaf node, Leaf right) {
        node.keys[node.count] = right.keys[0];
        node.values[node.count] = right.values[0];
        node.count++;
        System.arraycopy(right.keys, 1, right.keys, 0, right.count - 1);
        System.arraycopy(right.values, 1, right.values, 0, right.count - 1);
        right.count--;
        right.keys[right.count] = null;
        right.values[right.count] = null;
    }

    /** separator: the parent's key between left and node (the smallest key under node). */
    private static void borrowFromLeft(Inner left, Inner node, byte[] separator) {
        System.arraycopy(node.children, 0, node.children, 1, node.count);
        System.arraycopy(node.keys, 0, node.keys, 1, node.count - 1);
        node.children[0] = left.children[left.count - 1];
        node.keys[0] = separator;
        node.count++;
        left.children[left.count - 1] = null;
        left.keys[left.count - 2] = null;
        left.count--;
    }

    /** separator: the parent's key between node and right (the smallest key under right). */
    private static void borrowFromRight(Inner node, Inner right, byte[] separator) {
        node.children[node.count] = right.children[0];
        node.keys[node.count - 1] = separator;
        node.count++;
        System.arraycopy(right.children, 1, right.children, 0, right.count - 1);
        System.arraycopy(right.keys, 1, right.keys, 0, right.count - 2);
        right.count--;
        right.children[right.count] = null;
        right.keys[right.count - 1] = null;
    }

    /** Merges parent.children[at + 1] into parent.children[at] and drops the separator between them. */
    private static void merge(Inner parent, int at) {
        Node left = parent.children[at];
        Node right = parent.children[at + 1];
        if (left instanceof Leaf l) {
            Leaf r = (Leaf) right;
            System.arraycopy(r.keys, 0, l.keys, l.count, r.count);
            System.arraycopy(r.values, 0, l.values, l.count, r.count);
            l.count += r.count;
            l.next = r.next;
            if (l.next != null) {
                l.next.prev = l;
            }
        } else {
            Inner l = (Inner) left;
            Inner r = (Inner) right;
            l.keys[l.count - 1] = parent.keys[at];
            System.arraycopy(r.keys, 0, l.keys, l.count, r.count - 1);
            System.arraycopy(r.children, 0, l.children, l.count, r.count);
            l.count += r.count;
        }
        System.arraycopy(parent.children, at + 2, parent.children, at + 1, parent.count - at - 2);
        System.arraycopy(parent.keys, at + 1, parent.keys, at, parent.count - at - 2);
        parent.count--;
        parent.children[parent.count] = null;
        parent.keys[parent.count - 1] = null;
    }

    // ------------------------------------------------------------------ navigation

    /** The first entry with a key >= {@code key} (any key when null), or null. */
    public Entry ceiling(byte[] key) {
        if (key == null) {
            return first();
        }
        Leaf leaf = leafFor(key);
        int at = search(leaf, key);
        return entryAtOrAfter(leaf, at >= 0 ? at : -at - 1);
    }

    /** The first entry with a key > {@code key}, or null. */
    public Entry higher(byte[] key) {
        Leaf leaf = leafFor(key);
        int at = search(leaf, key);
        return entryAtOrAfter(leaf, at >= 0 ? at + 1 : -at - 1);
    }

    /** The last entry with a key < {@code key} (the last entry when null), or null. */
    public Entry lower(byte[] key) {
        if (key == null) {
            return last();
        }
        Leaf leaf = leafFor(key);
        int at = search(leaf, key);
        int before = (at >= 0 ? at : -at - 1) - 1;
        if (before >= 0) {
            return new Entry(leaf.keys[before], leaf.values[before]);
        }
        Leaf prev = leaf.prev;
        return prev == null ? null : new Entry(prev.keys[prev.count - 1], prev.values[prev.count - 1]);
    }

    /** The first entry in [from, to) (null bounds are open), or null. */
    public Entry first(byte[] fromInclusive, byte[] toExclusive) {
        return below(ceiling(fromInclusive), toExclusive);
    }

    /** The first entry after {@code key} and before {@code toExclusive} (null: open), or null. */
    public Entry higher(byte[] key, byte[] toExclusive) {
        return below(higher(key), toExclusive);
    }

    /** The last entry in [from, to) (null bounds are open), or null. */
    public Entry last(byte[] fromInclusive, byte[] toExclusive) {
        Entry entry = lower(toExclusive);
        return entry == null || (fromInclusive != null && compare(entry.key(), fromInclusive) < 0) ? null : entry;
    }

    private static Entry below(Entry entry, byte[] toExclusive) {
        return entry == null || (toExclusive != null && compare(entry.key(), toExclusive) >= 0) ? null : entry;
    }

    public Entry first() {
        Node node = root;
        while (node instanceof Inner inner) {
            node = inner.children[0];
        }
        return node.count == 0 ? null : new Entry(node.keys[0], ((Leaf) node).values[0]);
    }

    public Entry last() {
        Node node = root;
        while (node instanceof Inner inner) {
            node = inner.children[inner.count - 1];
        }
        return node.count == 0 ? null : new Entry(node.keys[node.count - 1], ((Leaf) node).values[node.count - 1]);
    }

    private static Entry entryAtOrAfter(Leaf leaf, int at) {
        if (at < leaf.count) {
            return new Entry(leaf.keys[at], leaf.values[at]);
        }
        Leaf next = leaf.next;
        return next == null ? null : new Entry(next.keys[0], next.values[0]);
    }

    /**
     * A cursor over [from, to) (null bounds are open) that follows the leaf links: valid only while
     * the map does not change (what a batch reading its store's committed maps needs).
     */
    public Cursor scan(byte[] fromInclusive, byte[] toExclusive) {
        Leaf start;
        int at;
        if (fromInclusive == null) {
            Node node = root;
            while (node instanceof Inner inner) {
                node = inner.children[0];
            }
            start = (Leaf) node;
            at = 0;
        } else {
            start = leafFor(fromInclusive);
            int found = search(start, fromInclusive);
            at = found >= 0 ? found : -found - 1;
        }
        Leaf first = start;
        int firstAt = at;
        return new Cursor() {
            private Leaf leaf = first;
            private int index = firstAt;

            @Override
            public Entry next() {
                if (leaf == null) {
                    return null;
                }
                if (index >= leaf.count) {
                    leaf = leaf.next;
                    index = 0;
                    if (leaf == null) {
                        return null;
                    }
                }
                byte[] key = leaf.keys[index];
                if (toExclusive != null && compare(key, toExclusive) >= 0) {
                    leaf = null;
                    return null;
                }
                return new Entry(key, leaf.values[index++]);
            }

            @Override
            public void close() {
                leaf = null;
            }
        };
    }

    // ------------------------------------------------------------------ checks (tests)

    /** Verifies every structural invariant; throws IllegalStateException naming the first broken one. */
    void check() {
        int[] counted = new int[1];
        int depth = check(root, null, null, true, counted, 0, new int[] {-1});
        if (counted[0] != size) {
            throw new IllegalStateException("size " + size + " but " + counted[0] + " entries (depth " + depth + ")");
        }
        // the leaf chain visits every entry in order, both ways
        Node node = root;
        while (node instanceof Inner inner) {
            node = inner.children[0];
        }
        Leaf leaf = (Leaf) node;
        if (leaf.prev != null) {
            throw new IllegalStateException("first leaf has a prev");
        }
        int chained = 0;
        byte[] previous = null;
        for (; leaf != null; leaf = leaf.next) {
            if (leaf.next != null && leaf.next.prev != leaf) {
                throw new IllegalStateException("leaf links disagree");
            }
            for (int i = 0; i < leaf.count; i++) {
                if (previous != null && compare(previous, leaf.keys[i]) >= 0) {
                    throw new IllegalStateException("leaf chain out of order");
                }
                previous = leaf.keys[i];
                chained++;
            }
        }
        if (chained != size) {
            throw new IllegalStateException("leaf chain has " + chained + " entries, size " + size);
        }
    }

    private int check(Node node, byte[] low, byte[] high, boolean isRoot, int[] counted, int depth, int[] leafDepth) {
        if (node instanceof Leaf leaf) {
            if (!isRoot && leaf.count < minLeaf) {
                throw new IllegalStateException("leaf with " + leaf.count + " < " + minLeaf + " keys");
            }
            if (leaf.count > max) {
                throw new IllegalStateException("leaf over capacity");
            }
            for (int i = 0; i < leaf.count; i++) {
                byte[] key = leaf.keys[i];
                if ((low != null && compare(key, low) < 0) || (high != null && compare(key, high) >= 0)
                        || (i > 0 && compare(leaf.keys[i - 1], key) >= 0)) {
                    throw new IllegalStateException("leaf key out of its range or order");
                }
                if (leaf.values[i] == null) {
                    throw new IllegalStateException("null value");
                }
            }
            for (int i = leaf.count; i < leaf.keys.length; i++) {
                if (leaf.keys[i] != null || leaf.values[i] != null) {
                    throw new IllegalStateException("stale slot in a leaf");
                }
            }
            if (leafDepth[0] < 0) {
                leafDepth[0] = depth;
            } else if (leafDepth[0] != depth) {
                throw new IllegalStateException("leaves at depths " + leafDepth[0] + " and " + depth);
            }
            counted[0] += leaf.count;
            return depth;
        }
        Inner inner = (Inner) node;
        if (inner.count < (isRoot ? 2 : minChildren) || inner.count > max) {
            throw new IllegalStateException("inner node with " + inner.count + " children");
        }
        for (int i = 0; i < inner.count; i++) {
            byte[] from = i == 0 ? low : inner.keys[i - 1];
            byte[] to = i == inner.count - 1 ? high : inner.keys[i];
            if (i > 0 && !Arrays.equals(inner.keys[i - 1], smallest(inner.children[i]))) {
                throw new IllegalStateException("separator is not the smallest key of its child");
            }
            check(inner.children[i], from, to, false, counted, depth + 1, leafDepth);
        }
        for (int i = inner.count; i < inner.children.length; i++) {
            if (inner.children[i] != null) {
                throw new IllegalStateException("stale child slot");
            }
        }
        for (int i = inner.count - 1; i < inner.keys.length; i++) {
            if (inner.keys[i] != null) {
                throw new IllegalStateException("stale separator slot");
            }
        }
        return depth;
    }
}
