package dev.ipam.store.rocks;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A least-recently-used cache of point reads, bounded in entries and in bytes: a hit may be
 * "absent" (the key is known not to exist). Write-through: the owner puts every committed write,
 * deletes included, so a cached answer is always the committed one. Not thread-safe.
 */
final class ObjectCache {
    /** A cached answer: {@code value} null means the key does not exist. */
    record Hit(byte[] value) {
    }

    private static final Hit ABSENT = new Hit(null);
    /** Bytes charged per entry beyond key and value: the map node, the key wrapper and the hit. */
    private static final int ENTRY_OVERHEAD = 96;

    private final int maxEntries;
    private final long maxBytes;
    private final LinkedHashMap<Key, Hit> entries = new LinkedHashMap<>(1024, 0.75f, true);
    private long bytes;

    ObjectCache(int maxEntries, long maxBytes) {
        if (maxEntries < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("cache bounds must be positive: entries=" + maxEntries
                    + " bytes=" + maxBytes);
        }
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    /** The cached answer for {@code key}, or null when the cache does not know. */
    Hit get(byte[] key) {
        return entries.get(new Key(key));
    }

    /** Records the committed value of {@code key} (null: it does not exist). */
    void put(byte[] key, byte[] value) {
        Hit hit = value == null ? ABSENT : new Hit(value);
        Hit previous = entries.put(new Key(key), hit);
        if (previous != null) {
            bytes -= cost(key, previous);
        }
        bytes += cost(key, hit);
        Iterator<Map.Entry<Key, Hit>> eldest = entries.entrySet().iterator();
        while ((entries.size() > maxEntries || bytes > maxBytes) && eldest.hasNext()) {
            Map.Entry<Key, Hit> entry = eldest.next();
            bytes -= cost(entry.getKey().bytes, entry.getValue());
            eldest.remove();
        }
    }

    int size() {
        return entries.size();
    }

    long bytes() {
        return bytes;
    }

    private static long cost(byte[] key, Hit hit) {
        return ENTRY_OVERHEAD + key.length + (hit.value() == null ? 0 : hit.value().length);
    }

    /** A byte-array key compared by content. */
    private static final class Key {
        final byte[] bytes;
        private final int hash;

        Key(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
