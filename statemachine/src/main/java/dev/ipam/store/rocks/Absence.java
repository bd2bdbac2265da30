package dev.ipam.store.rocks;

import dev.ipam.core.store.Space;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Answers "this key does not exist" for point reads of some spaces without asking RocksDB. Apply
 * looks up keys that are nearly always new (a request id, the name of a claim being created and of
 * its allocation); RocksDB answers those by searching every memtable's skip list and checking a
 * Bloom filter per table file, which in ipamd took a quarter of the apply thread.
 *
 * <p>Each space has a {@link Layers} filter holding every key committed since it was built. The
 * first is built on a thread of its own from a RocksDB snapshot, while the batch thread lists the
 * keys it commits after that snapshot; when the build is done, the batch thread adds that list and
 * starts using the new filters. Until the first build lands, and for a space whose filter would
 * outgrow {@link #MAX_CAPACITY}, every read goes to the database.
 *
 * <p>A filter that fills up {@linkplain Layers#grow grows by a layer} sized so the whole holds
 * {@link #GROWTH} times as many keys: new keys go to the newest layer, a read asks every layer, and
 * nothing is read from the database. Deleted keys stay in a filter (they cost a database read, not a
 * wrong answer) and count towards its capacity; only when a filter cannot grow (at
 * {@link #MAX_LAYERS} layers or at the cap) is it built again from a scan of the space, as one layer
 * sized for {@link #GROWTH} times the keys found, which sheds the deleted ones. Until session 13 every
 * saturation started such a scan: with 4-5 M keys per space, about 18% of a core of every node of a
 * 3-node cluster under load.
 *
 * <p>Everything but the build runs on the store's batch thread (one batch at a time).
 */
final class Absence implements AutoCloseable {
    /** Keys per space a filter is sized for at least. */
    static final long MIN_CAPACITY = 1L << 16;
    /** Beyond this many keys (about 20 MiB of filter) a space is read from the database only. */
    static final long MAX_CAPACITY = 1L << 24;
    /**
     * A build sizes a filter for this many times the keys it expects (up to {@link #MAX_CAPACITY}).
     * Each build reads every key of the space, so a space that grows to N keys is read about
     * N * GROWTH / (GROWTH - 1) times in all: 2N at 2, 1.33N at 4. At 2, the builds took 3-8% of a
     * node's CPU under sustained load (async-profiler, 3-node cluster at c=256).
     */
    static final long GROWTH = 4;
    /**
     * The most layers a filter grows to before it is built again. An absent key is looked up in every
     * layer (one cache line each); from {@link #MIN_CAPACITY} a filter reaches {@link #MAX_CAPACITY}
     * in five, so with the defaults only the cap starts a scan.
     */
    static final int MAX_LAYERS = 6;

    /** What a build reads: the keys of one space as of the snapshot the build was started with. */
    interface Source {
        /** A pinned state to build from; {@link Snapshot#close()} releases it (on any thread). */
        Snapshot snapshot();
    }

    interface Snapshot extends AutoCloseable {
        /** Estimated number of keys in {@code space} (RocksDB's estimate; may be off either way). */
        long estimatedKeys(Space space);

        /** Calls {@code keys} with every key of {@code space}; stops early when it returns false. */
        void forEachKey(Space space, KeyVisitor keys);

        @Override
        void close();
    }

    interface KeyVisitor {
        boolean visit(byte[] key);
    }

    private final Set<Space> spaces;
    private final Source source;
    private final long minCapacity;
    private final long maxCapacity;
    private final Consumer<RuntimeException> buildFailed;
    private final Map<Space, Layers> filters = new EnumMap<>(Space.class);
    private final Map<Space, Long> found = new EnumMap<>(Space.class);
    /** Keys committed since the running build's snapshot; null when no build runs. */
    private List<Committed> pending;
    private Thread builder;
    private volatile Object done;
    private volatile boolean closing;
    private long answered;
    private long builds;
    private long layersAdded;

    Absence(Set<Space> spaces, Source source, long minCapacity, Consumer<RuntimeException> buildFailed) {
        this(spaces, source, minCapacity, MAX_CAPACITY, buildFailed);
    }

    /** With another cap than {@link #MAX_CAPACITY} (tests: a space outgrows it in a few hundred keys). */
    Absence(Set<Space> spaces, Source source, long minCapacity, long maxCapacity, Consumer<RuntimeException> buildFailed) {
        if (minCapacity < 1 || maxCapacity < minCapacity || maxCapacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacities must satisfy 1 <= min <= max <= " + MAX_CAPACITY);
        }
        this.spaces = spaces;
        this.source = source;
        this.minCapacity = minCapacity;
        this.maxCapacity = maxCapacity;
        this.buildFailed = buildFailed;
        build();
    }

    /** True when {@code key} certainly does not exist in {@code space} (false: ask the database). */
    boolean absent(Space space, byte[] key) {
        if (builder != null) {
            install();
        }
        Layers filter = filters.get(space);
        if (filter != null && !filter.mightContain(key)) {
            answered++;
            return true;
        }
        return false;
    }

    /** A key was put in {@code space} and RocksDB has taken the write. */
    void put(Space space, byte[] key) {
        if (!spaces.contains(space)) {
            return;
        }
        if (builder != null) {
            install();
        }
        Layers filter = filters.get(space);
        if (filter != null) {
            filter.add(key);
        }
        if (pending != null) {
            pending.add(new Committed(space, key));
        }
        if (filter != null && filter.saturated() && !grow(filter) && pending == null) {
            build();
        }
    }

    /** Adds a layer to a full filter when it may take one; false when only a build can help. */
    private boolean grow(Layers filter) {
        if (!filter.grow(maxCapacity)) {
            return false;
        }
        layersAdded++;
        return true;
    }

    /** Reads answered without the database so far. */
    long answered() {
        return answered;
    }

    /** Builds started so far (the one at open included). */
    long builds() {
        return builds;
    }

    /** Layers added to full filters so far, instead of builds (tests). */
    long layersAdded() {
        return layersAdded;
    }

    /** The space's filter in use, or null (tests). */
    Layers filter(Space space) {
        return filters.get(space);
    }

    /** Waits until no build runs, installing each as it ends (tests; batch thread). */
    void awaitBuild() throws InterruptedException {
        for (Thread running = builder; running != null; running = builder) {
            running.join();
            install();
        }
    }

    /** Stops a running build and waits for it: the database may close after this returns. */
    @Override
    public void close() {
        closing = true;
        Thread running = builder;
        if (running == null) {
            return;
        }
        boolean interrupted = false;
        while (running.isAlive()) {
            try {
                running.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void build() {
        builds++;
        pending = new ArrayList<>();
        // The list starts before the snapshot: a key committed in between is in both, none in neither.
        Snapshot snapshot = source.snapshot();
        Map<Space, Long> sizes = new EnumMap<>(Space.class);
        for (Space space : spaces) {
            Layers current = filters.get(space);
            long floor = Math.max(snapshot.estimatedKeys(space), found.getOrDefault(space, 0L));
            floor = Math.max(floor, current == null ? 0 : current.added());
            sizes.put(space, Math.max(minCapacity, Math.min(maxCapacity, GROWTH * floor)));
        }
        done = null;
        builder = new Thread(() -> done = run(snapshot, sizes), "rocks-key-filter");
        builder.setDaemon(true);
        builder.start();
    }

    private Object run(Snapshot snapshot, Map<Space, Long> sizes) {
        try (snapshot) {
            Map<Space, KeyFilter> built = new EnumMap<>(Space.class);
            Map<Space, Long> counts = new EnumMap<>(Space.class);
            for (Space space : spaces) {
                long capacity = sizes.get(space);
                // Sized within the cap by build(). A space found to hold more is not kept (below), so
                // keys past the capacity are only counted.
                KeyFilter filter = new KeyFilter(capacity);
                long[] count = {0};
                snapshot.forEachKey(space, key -> {
                    if (++count[0] <= capacity) {
                        filter.add(key);
                    }
                    return !closing;
                });
                counts.put(space, count[0]);
                if (count[0] <= capacity) {
                    built.put(space, filter);
                }
            }
            return new Built(built, counts);
        } catch (RuntimeException e) {
            return e;
        }
    }

    /** A key committed while a build ran. */
    private record Committed(Space space, byte[] key) {
    }

    private record Built(Map<Space, KeyFilter> filters, Map<Space, Long> counts) {
    }

    /** Takes a finished build's filters, with the keys committed since its snapshot. */
    private void install() {
        Object result = done;
        if (result == null || closing) {
            return;
        }
        builder = null;
        done = null;
        List<Committed> committed = pending;
        pending = null;
        if (result instanceof RuntimeException e) {
            // Reads keep going to the database; the next saturation tries again.
            buildFailed.accept(e);
            return;
        }
        Built built = (Built) result;
        found.putAll(built.counts());
        for (Committed key : committed) {
            KeyFilter filter = built.filters().get(key.space());
            if (filter != null) {
                filter.add(key.key());
            }
        }
        built.filters().forEach((space, filter) -> filters.put(space, new Layers(filter)));
        // A space the build could not hold keeps its old filter: it took every key committed since.
        // A space past the cap loses it: no build can hold it, and a saturated filter kept would
        // start another build at every put.
        for (Space space : spaces) {
            if (found.get(space) > maxCapacity) {
                filters.remove(space);
            }
        }
        // A space that outgrew its estimate is rebuilt at once, sized from the count just taken; one
        // that filled up with the keys committed during the build grows a layer if it can.
        for (Space space : spaces) {
            Layers filter = filters.get(space);
            boolean missing = !built.filters().containsKey(space) && found.get(space) <= maxCapacity;
            if (missing || (filter != null && filter.saturated() && !grow(filter))) {
                build();
                return;
            }
        }
    }

    /**
     * Bits per key of the layers a filter grows by. An absent key passes a layered filter if any layer
     * lets it through, so the layers' false positive rates add up: with the 10 bits of a built filter
     * in every layer, 4 M keys in four layers let 2.1% of absent keys through to RocksDB, against
     * under 0.01% for one filter built for four times those keys. With 14 (which rounds to the same
     * power of two of blocks as 16 or 20) 0.2%, and the layers at the cap take the same memory as a
     * filter built there.
     */
    static final int GROWN_BITS_PER_KEY = 14;

    /**
     * One space's filter: {@link KeyFilter} layers, oldest first, of which only the newest takes new
     * keys. A lookup hashes the key once and asks every layer, newest first.
     */
    static final class Layers {
        private final List<KeyFilter> layers = new ArrayList<>(MAX_LAYERS);
        private KeyFilter newest;
        private long capacity;

        Layers(KeyFilter first) {
            newest = first;
            layers.add(first);
            capacity = first.capacity();
        }

        boolean mightContain(byte[] key) {
            long hash = KeyFilter.hash(key);
            for (int i = layers.size() - 1; i >= 0; i--) {
                if (layers.get(i).mightContainHash(hash)) {
                    return true;
                }
            }
            return false;
        }

        void add(byte[] key) {
            newest.add(key);
        }

        /** The newest layer holds more keys than it was sized for. */
        boolean saturated() {
            return newest.saturated();
        }

        /**
         * Adds a layer of {@code GROWTH - 1} times the capacity so far, so the whole holds
         * {@link #GROWTH} times as many keys; false (and nothing added) at {@link #MAX_LAYERS} layers
         * or when the layer would take the whole past {@code maxCapacity}.
         */
        boolean grow(long maxCapacity) {
            long next = (GROWTH - 1) * capacity;
            if (layers.size() >= MAX_LAYERS || capacity + next > maxCapacity) {
                return false;
            }
            newest = new KeyFilter(next, GROWN_BITS_PER_KEY);
            layers.add(newest);
            capacity += next;
            return true;
        }

        /** Keys the layers were sized for, together. */
        long capacity() {
            return capacity;
        }

        /** Keys added to all layers. */
        long added() {
            long added = 0;
            for (KeyFilter layer : layers) {
                added += layer.added();
            }
            return added;
        }

        int layers() {
            return layers.size();
        }
    }
}
