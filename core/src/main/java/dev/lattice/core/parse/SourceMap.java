package dev.lattice.core.parse;

import java.util.HashMap;
import java.util.Map;

/**
 * Where each field of one parsed object was written, by path ({@code spec.nodes.controlPlane.replicas},
 * {@code metadata.labels[app.kubernetes.io/name]}, {@code spec.taints[0]}). A path that was not written
 * resolves to its closest written ancestor, so every check can point at the user's text.
 */
public final class SourceMap {
    private final String file;
    private final Location document;
    private final Map<String, Location> keys;
    private final Map<String, Location> values;

    public SourceMap(String file, Location document) {
        this(file, document, new HashMap<>(), new HashMap<>());
    }

    private SourceMap(String file, Location document, Map<String, Location> keys, Map<String, Location> values) {
        this.file = file;
        this.document = document;
        this.keys = keys;
        this.values = values;
    }

    void record(String path, Location key, Location value) {
        // Paths repeat across objects (a daemon holds a thousand services' maps): one copy of each.
        path = path.intern();
        if (key != null) {
            keys.putIfAbsent(path, key);
        }
        values.putIfAbsent(path, value);
    }

    /**
     * This map without the place of each field: every path resolves to where the object starts. For objects kept long
     * after they were read and checked (a daemon's thousands of live objects), whose problems were found already.
     */
    public SourceMap withoutFields() {
        // Read only from here on, and holding no map of its own: a daemon keeps one per live object.
        return new SourceMap(file, document, Map.of(), Map.of());
    }

    public String file() {
        return file;
    }

    /** Where the object's document starts. */
    public Location document() {
        return document;
    }

    /** Where the value at {@code path} was written. */
    public Location value(String path) {
        for (String p = path; p != null; p = parent(p)) {
            Location found = values.get(p);
            if (found != null) {
                return found;
            }
        }
        return document;
    }

    /** Where the key of {@code path} was written (the value's place when it had no key). */
    public Location key(String path) {
        Location found = keys.get(path);
        return found != null ? found : value(path);
    }

    public boolean has(String path) {
        return values.containsKey(path);
    }

    /** {@code parent.child}, or {@code parent[child]} when the child has dots of its own. */
    public static String child(String parent, String key) {
        if (key.contains(".") || key.contains("[") || key.contains("/")) {
            return parent + "[" + key + "]";
        }
        return parent.isEmpty() ? key : parent + "." + key;
    }

    public static String index(String parent, int i) {
        return parent + "[" + i + "]";
    }

    static String parent(String path) {
        if (path.isEmpty()) {
            return null;
        }
        if (path.endsWith("]")) {
            int open = path.lastIndexOf('[');
            return open < 0 ? null : path.substring(0, open);
        }
        int dot = path.lastIndexOf('.');
        return dot < 0 ? "" : path.substring(0, dot);
    }
}
