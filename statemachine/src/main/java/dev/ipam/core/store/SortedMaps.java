package dev.ipam.core.store;

import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/** {@link ReadView}'s range reads over one sorted map of unsigned-byte keys: what every in-memory map answers with. */
public final class SortedMaps {
    private SortedMaps() {
    }

    /** An empty map ordered as {@link ReadView} promises (unsigned bytes). */
    public static TreeMap<byte[], byte[]> newMap() {
        return new TreeMap<>(Arrays::compareUnsigned);
    }

    /** The keys in [from, to); a null bound is open. */
    public static NavigableMap<byte[], byte[]> range(NavigableMap<byte[], byte[]> map, byte[] from, byte[] to) {
        if (from == null && to == null) {
            return map;
        }
        if (from == null) {
            return map.headMap(to, false);
        }
        if (to == null) {
            return map.tailMap(from, true);
        }
        if (Arrays.compareUnsigned(from, to) >= 0) {
            return Collections.emptyNavigableMap();
        }
        return map.subMap(from, true, to, false);
    }

    public static Entry first(NavigableMap<byte[], byte[]> map, byte[] fromInclusive, byte[] toExclusive) {
        Map.Entry<byte[], byte[]> entry = fromInclusive == null ? map.firstEntry() : map.ceilingEntry(fromInclusive);
        if (entry == null || (toExclusive != null && Arrays.compareUnsigned(entry.getKey(), toExclusive) >= 0)) {
            return null;
        }
        return new Entry(entry.getKey(), entry.getValue());
    }

    public static Entry last(NavigableMap<byte[], byte[]> map, byte[] fromInclusive, byte[] toExclusive) {
        Map.Entry<byte[], byte[]> entry = toExclusive == null ? map.lastEntry() : map.lowerEntry(toExclusive);
        if (entry == null || (fromInclusive != null && Arrays.compareUnsigned(entry.getKey(), fromInclusive) < 0)) {
            return null;
        }
        return new Entry(entry.getKey(), entry.getValue());
    }

    /** A cursor over [from, to) of a map nothing changes while it is read. */
    public static Cursor scan(NavigableMap<byte[], byte[]> map, byte[] fromInclusive, byte[] toExclusive) {
        Iterator<Map.Entry<byte[], byte[]>> iterator = range(map, fromInclusive, toExclusive).entrySet().iterator();
        return new Cursor() {
            @Override
            public Entry next() {
                if (!iterator.hasNext()) {
                    return null;
                }
                Map.Entry<byte[], byte[]> entry = iterator.next();
                return new Entry(entry.getKey(), entry.getValue());
            }

            @Override
            public void close() {
            }
        };
    }
}
