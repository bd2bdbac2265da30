package dev.ipam.store.rocks;

/**
 * A blocked Bloom filter over byte-string keys: {@link #mightContain} false means the key was never
 * {@linkplain #add added}. Every probe of one key falls in one 64-byte block (one cache line), so
 * a lookup costs one memory access instead of one per probe; with 10 bits per key the false positive
 * rate stays near 1% up to {@link #capacity()} keys and grows past it. Keys cannot be removed: the
 * owner rebuilds the filter from the database once {@link #saturated()}. Not thread-safe.
 */
final class KeyFilter {
    static final int BITS_PER_KEY = 10;
    private static final int PROBES = 6;
    private static final int WORDS_PER_BLOCK = 8;

    private final long[] words;
    private final int blockMask;
    private final long capacity;
    private long added;

    /** The largest capacity a filter takes (its bits then take 256 MiB). */
    static final long MAX_CAPACITY = 1L << 27;

    /** A filter sized for {@code capacity} keys: a power of two of blocks, at least one. */
    KeyFilter(long capacity) {
        this(capacity, BITS_PER_KEY);
    }

    /** A filter of at least {@code bitsPerKey} bits per key of its capacity. */
    KeyFilter(long capacity, int bitsPerKey) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be in [1, " + MAX_CAPACITY + "]: " + capacity);
        }
        long blocksWanted = (capacity * bitsPerKey + 511) / 512;
        int blocks = 1;
        while (blocks < blocksWanted) {
            blocks <<= 1;
        }
        this.words = new long[blocks * WORDS_PER_BLOCK];
        this.blockMask = blocks - 1;
        this.capacity = capacity;
    }

    /** Records {@code key}; a key the filter already (possibly) holds does not count again. */
    void add(byte[] key) {
        long hash = hash(key);
        int base = block(hash);
        long probes = mix(hash ^ 0x632BE59BD9B4E019L);
        boolean fresh = false;
        for (int i = 0; i < PROBES; i++, probes >>>= 9) {
            int bit = (int) (probes & 511);
            long mask = 1L << bit;
            int word = base + (bit >>> 6);
            if ((words[word] & mask) == 0) {
                words[word] |= mask;
                fresh = true;
            }
        }
        if (fresh) {
            added++;
        }
    }

    /** False only when {@code key} was never added. */
    boolean mightContain(byte[] key) {
        return mightContainHash(hash(key));
    }

    /** {@link #mightContain} of the key whose {@link #hash} this is (layers hash a key once). */
    boolean mightContainHash(long hash) {
        int base = block(hash);
        long probes = mix(hash ^ 0x632BE59BD9B4E019L);
        for (int i = 0; i < PROBES; i++, probes >>>= 9) {
            int bit = (int) (probes & 511);
            if ((words[base + (bit >>> 6)] & (1L << bit)) == 0) {
                return false;
            }
        }
        return true;
    }

    /** Keys added (those that set at least one new bit). */
    long added() {
        return added;
    }

    long capacity() {
        return capacity;
    }

    /** More keys than it was sized for: false positives climb, time to rebuild. */
    boolean saturated() {
        return added > capacity;
    }

    long bytes() {
        return 8L * words.length;
    }

    private int block(long hash) {
        return (int) (hash & blockMask) * WORDS_PER_BLOCK;
    }

    /**
     * 64-bit hash of the whole key: eight bytes at a time through a multiply-xorshift, then
     * MurmurHash3's finaliser. The block comes from its low bits and the probes from a second
     * finalising of it, so the bits within a block do not follow from the block chosen.
     */
    static long hash(byte[] key) {
        long h = 0x9E3779B97F4A7C15L ^ key.length;
        int i = 0;
        for (; i + 8 <= key.length; i += 8) {
            // One 8-byte load (big-endian, as eight byte loads shifted together would read it).
            long v = dev.ipam.core.store.BigEndian.getLong(key, i);
            h = (h ^ v) * 0xC2B2AE3D27D4EB4FL;
            h ^= h >>> 29;
        }
        for (; i < key.length; i++) {
            h = (h ^ (key[i] & 0xFF)) * 0x100000001B3L;
        }
        return mix(h);
    }

    /** MurmurHash3's 64-bit finaliser: each output bit depends on every input bit. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h;
    }
}
