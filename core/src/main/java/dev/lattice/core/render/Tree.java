package dev.lattice.core.render;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the plain ordered trees rendered objects are made of. Nulls are left out: the API server rejects them. */
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

    /** The labels of an object made by {@link #object}; empty when it has none. */
    @SuppressWarnings("unchecked")
    public static Map<String, String> labels(Map<String, Object> object) {
        Object metadata = object.get("metadata");
        Object labels = metadata instanceof Map<?, ?> m ? m.get("labels") : null;
        return labels instanceof Map<?, ?> l ? (Map<String, String>) l : Map.of();
    }

    /** An object's head: apiVersion, kind and metadata. */
    public static Map<String, Object> object(String apiVersion, String kind, String namespace, String name, Map<String, String> labels) {
        return map("apiVersion", apiVersion, "kind", kind,
                "metadata", map("name", name, "namespace", namespace, "labels", orNull(labels)));
    }
}
