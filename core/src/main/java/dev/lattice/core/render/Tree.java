package dev.lattice.core.render;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small ordered trees for output, and the empty-as-absent helpers rendered records use. Nulls are left out: the API server rejects them. */
public final class Tree {
    private Tree() {
    }

    /** A map of the given keys and values, in order, without the null values. */
    public static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                m.put((String) keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return m;
    }

    /** The list, or null when it is empty (so that {@link #map} leaves it out). */
    public static <T> List<T> orNull(List<T> list) {
        return list.isEmpty() ? null : list;
    }

    /** The map, or null when it is empty. */
    public static <V> Map<String, V> orNull(Map<String, V> map) {
        return map.isEmpty() ? null : map;
    }

    /** The node at {@code path} below {@code tree}: map keys, and list indexes as numbers; null where there is none. */
    @SuppressWarnings("unchecked")
    public static <T> T at(Object tree, String... path) {
        Object node = tree;
        for (String key : path) {
            if (node instanceof List<?> l) {
                int i = Integer.parseInt(key);
                node = i < l.size() ? l.get(i) : null;
            } else if (node instanceof Map<?, ?> m) {
                node = m.get(key);
            } else {
                return null;
            }
        }
        return (T) node;
    }
}
