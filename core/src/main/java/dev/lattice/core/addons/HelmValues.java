package dev.lattice.core.addons;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A chart's values, built as {@code --set} reads them ({@code a.b.c} is a path of nested maps) but typed as a values
 * file holds them: a string stays a string ({@code "true"} in a node selector), a list is a list.
 */
public final class HelmValues {
    private final Map<String, Object> tree = new LinkedHashMap<>();

    /** Sets {@code value} at {@code path} (keys joined by dots), making the maps on the way. */
    @SuppressWarnings("unchecked")
    public HelmValues set(String path, Object value) {
        String[] keys = path.split("\\.");
        Map<String, Object> node = tree;
        for (int i = 0; i < keys.length - 1; i++) {
            node = (Map<String, Object>) node.computeIfAbsent(keys[i], k -> new LinkedHashMap<String, Object>());
        }
        node.put(keys[keys.length - 1], value);
        return this;
    }

    /** The values so far, not to be changed. */
    public Map<String, Object> tree() {
        return Collections.unmodifiableMap(tree);
    }
}
