package dev.lattice.daemon.reconciler;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * An immutable map of a few entries, kept in the order given in one array of keys and values: a status condition (six
 * fields) held so takes 90 bytes where a LinkedHashMap takes 350, and a fleet's statuses are mostly such maps. Keys are
 * found by scanning, so {@link #MAX} bounds the maps made so. Null values are kept, as JSON may hold them.
 */
final class CompactMap extends AbstractMap<String, Object> {
    /** The most entries a compact map holds; a larger map is better served by hashing. */
    static final int MAX = 16;

    private final Object[] keysAndValues;

    private CompactMap(Object[] keysAndValues) {
        this.keysAndValues = keysAndValues;
    }

    /** {@code map}'s entries in its order (at most {@link #MAX}), with its keys as strings. */
    static CompactMap copyOf(Map<?, ?> map) {
        return copyOf(map, UnaryOperator.identity(), UnaryOperator.identity());
    }

    /**
     * {@code map}'s entries in its order (at most {@link #MAX}), each key (as a string) and value made by {@code key}
     * and {@code value}: one pass, no map in between.
     */
    static CompactMap copyOf(Map<?, ?> map, UnaryOperator<String> key, UnaryOperator<Object> value) {
        if (map.size() > MAX) {
            throw new IllegalArgumentException(map.size() + " entries: a compact map holds at most " + MAX);
        }
        Object[] array = new Object[map.size() * 2];
        int[] at = {0};
        map.forEach((k, v) -> {
            array[at[0]++] = key.apply(String.valueOf(k));
            array[at[0]++] = value.apply(v);
        });
        return new CompactMap(array);
    }

    @Override
    public int size() {
        return keysAndValues.length / 2;
    }

    @Override
    public boolean containsKey(Object key) {
        return indexOf(key) >= 0;
    }

    @Override
    public Object get(Object key) {
        int i = indexOf(key);
        return i < 0 ? null : keysAndValues[i + 1];
    }

    private int indexOf(Object key) {
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i] == key || keysAndValues[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super Object> action) {
        for (int i = 0; i < keysAndValues.length; i += 2) {
            action.accept((String) keysAndValues[i], keysAndValues[i + 1]);
        }
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return CompactMap.this.size();
            }

            @Override
            public Iterator<Entry<String, Object>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < keysAndValues.length;
                    }

                    @Override
                    public Entry<String, Object> next() {
                        if (!hasNext()) {
                            throw new NoSuchElementException();
                        }
                        Entry<String, Object> entry = new SimpleImmutableEntry<>((String) keysAndValues[next], keysAndValues[next + 1]);
                        next += 2;
                        return entry;
                    }
                };
            }
        };
    }
}
