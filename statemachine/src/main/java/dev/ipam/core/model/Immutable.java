package dev.ipam.core.model;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Defensive copies that keep records immutable and their maps sorted (deterministic order). */
final class Immutable {
    private Immutable() {
    }

    static SortedMap<String, String> sorted(Map<String, String> map) {
        if (map == null || map.isEmpty()) {
            return Collections.emptySortedMap();
        }
        return Collections.unmodifiableSortedMap(new TreeMap<>(map));
    }

    static <T> List<T> list(List<T> list) {
        return list == null || list.isEmpty() ? List.of() : List.copyOf(list);
    }
}
