package dev.ipam.core.store;

import java.util.function.Function;

/**
 * What apply decoded or encoded lately, found by the identity of the stored bytes. Every claim and
 * release reads its pool, its pool's allocator header and its project, which the command before it
 * rewrote, and a release reads back the claim and allocation a create wrote; decoding them again was
 * a fifth of the core's CPU. Stores hand back the arrays they were given (MemoryStore's maps,
 * RocksStore's in-memory copies and object cache), so a value cached when it was written is found
 * when it is read.
 *
 * <p>A hit is what decoding would give: an entry is used only when the bytes are the same array, and
 * what is cached must be immutable, or copied by the caller, and satisfy {@code
 * decode(encode(x)).equals(x)}. The same array means the same bytes because no one changes an array
 * once a store has it: stores keep the arrays they are given, so one changed afterwards would corrupt
 * the store itself ({@link Batch#put}). Until session 18 each entry also kept a copy of its bytes and a
 * hit compared them (11% of the bytes the in-memory benchmark allocated); that guarded only against
 * a breach of that rule. With {@code -Dipam.decoded.verify=true} (set for every test run) each hit is
 * decoded anyway and compared, and a difference throws, so a caller that changes a stored array fails
 * its tests. One cache per thread (apply is single-threaded); direct-mapped, {@value #SLOTS} slots,
 * so it holds at most that many values.
 */
public final class Decoded {
    static final int SLOTS = 1024;
    /** Set for every test run: hits are decoded anyway and compared (and other shortcuts checked likewise). */
    public static final boolean VERIFY = Boolean.getBoolean("ipam.decoded.verify");
    private static final ThreadLocal<Decoded> CACHE = ThreadLocal.withInitial(Decoded::new);

    private final byte[][] arrays = new byte[SLOTS][];
    private final Object[] values = new Object[SLOTS];

    private Decoded() {
    }

    /** This thread's cache. */
    public static Decoded cache() {
        return CACHE.get();
    }

    private static int slot(byte[] bytes) {
        int hash = System.identityHashCode(bytes);
        return (hash ^ (hash >>> 16)) & (SLOTS - 1);
    }

    /** The value {@code bytes} decode to as a {@code type}: cached, or decoded by {@code decoder} and cached. */
    public <T> T get(byte[] bytes, Class<T> type, Function<byte[], T> decoder) {
        int slot = slot(bytes);
        T hit = hit(slot, bytes, type, decoder);
        if (hit != null) {
            return hit;
        }
        T decoded = decoder.apply(bytes);
        remember(slot, bytes, decoded);
        return decoded;
    }

    /**
     * {@link #get} for a caller that will change the value: a hit leaves the cache (so it is never
     * shared, and never found again for {@code bytes} once changed), a miss is decoded and not cached.
     * The caller caches the changed value with {@link #put} when it writes its new encoding. This
     * spares copying what is taken: the allocator's pool header was copied on every claim and release,
     * up to 3 KB for an IPv6 pool.
     */
    public <T> T take(byte[] bytes, Class<T> type, Function<byte[], T> decoder) {
        int slot = slot(bytes);
        T hit = hit(slot, bytes, type, decoder);
        if (hit == null) {
            return decoder.apply(bytes);
        }
        arrays[slot] = null;
        values[slot] = null;
        return hit;
    }

    /** The cached value for this very array, as a {@code type}; else null. */
    private <T> T hit(int slot, byte[] bytes, Class<T> type, Function<byte[], T> decoder) {
        Object cached = values[slot];
        if (!(arrays[slot] == bytes && type.isInstance(cached))) {
            return null;
        }
        T hit = type.cast(cached);
        if (VERIFY) {
            T decoded = decoder.apply(bytes);
            if (!decoded.equals(hit)) {
                throw new IllegalStateException("decoded-value cache held " + hit + " for bytes that decode as "
                        + decoded);
            }
        }
        return hit;
    }

    /** The value cached for {@code bytes} (this very array), or null: never decodes. */
    public Object peek(byte[] bytes) {
        int slot = slot(bytes);
        return arrays[slot] == bytes ? values[slot] : null;
    }

    /** Caches {@code value}, just encoded as {@code bytes}. */
    public void put(byte[] bytes, Object value) {
        remember(slot(bytes), bytes, value);
    }

    private void remember(int slot, byte[] bytes, Object value) {
        arrays[slot] = bytes;
        values[slot] = value;
    }
}
