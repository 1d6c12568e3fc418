package dev.lattice.core.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Null-safe, order-keeping immutable copies for record components. */
public final class Immutable {
    private Immutable() {
    }

    public static <T> List<T> list(List<T> list) {
        if (list == null || list.isEmpty()) {
            return Collections.emptyList();
        }
        return Collections.unmodifiableList(new java.util.ArrayList<>(list));
    }

    /**
     * An immutable copy that keeps insertion order, so output is as deterministic as input. Most of the model's maps
     * hold a few entries (a container, a port, a label), and the daemon holds a fleet's model: those are held in one
     * array ({@link CompactMap}), the empty ones as the one empty map (which, like the others, answers a lookup of
     * null rather than refusing it).
     */
    public static <K, V> Map<K, V> map(Map<K, V> map) {
        if (map == null || map.isEmpty()) {
            return Collections.emptyMap();
        }
        if (map instanceof CompactMap<K, V> compact) {
            return compact;
        }
        return map.size() <= CompactMap.MAX ? CompactMap.copyOf(map) : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
