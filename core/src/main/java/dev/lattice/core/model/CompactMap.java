package dev.lattice.core.model;

import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * An immutable map of a few entries, kept in the order given in one array of keys and values. A LinkedHashMap of one
 * entry takes about 200 bytes (with its read-only wrapper, 230), and this about 40; a status condition (six fields)
 * 350 against 90. The model's maps and the daemon's cached statuses are mostly such maps, a fleet's worth of each.
 * Keys are found by scanning, so {@link #MAX} bounds the maps made so. Null values are kept, as YAML and JSON may
 * hold them. Equal to any map of the same entries, as every map is.
 */
public final class CompactMap<K, V> extends AbstractMap<K, V> {
    /** The most entries a compact map holds; a larger map is better served by hashing. */
    public static final int MAX = 16;

    /** Keys and values, alternating, in order. */
    private final Object[] keysAndValues;

    private CompactMap(Object[] keysAndValues) {
        this.keysAndValues = keysAndValues;
    }

    /** {@code map}'s entries in its order (at most {@link #MAX}). */
    public static <K, V> CompactMap<K, V> copyOf(Map<? extends K, ? extends V> map) {
        return copyOf(map, Function.identity(), Function.identity());
    }

    /**
     * {@code map}'s entries in its order (at most {@link #MAX}), each key and value made by {@code key} and
     * {@code value}: one pass, no map in between.
     */
    public static <A, B, K, V> CompactMap<K, V> copyOf(Map<A, B> map, Function<? super A, ? extends K> key,
                                                       Function<? super B, ? extends V> value) {
        if (map.size() > MAX) {
            throw new IllegalArgumentException(map.size() + " entries: a compact map holds at most " + MAX);
        }
        Object[] array = new Object[map.size() * 2];
        int[] at = {0};
        map.forEach((k, v) -> {
            array[at[0]++] = key.apply(k);
            array[at[0]++] = value.apply(v);
        });
        return new CompactMap<>(array);
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
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        int i = indexOf(key);
        return i < 0 ? null : (V) keysAndValues[i + 1];
    }

    private int indexOf(Object key) {
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i] == key || Objects.equals(keysAndValues[i], key)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void forEach(BiConsumer<? super K, ? super V> action) {
        for (int i = 0; i < keysAndValues.length; i += 2) {
            action.accept((K) keysAndValues[i], (V) keysAndValues[i + 1]);
        }
    }

    @Override
    public int hashCode() {
        int hash = 0;
        for (int i = 0; i < keysAndValues.length; i += 2) {
            hash += Objects.hashCode(keysAndValues[i]) ^ Objects.hashCode(keysAndValues[i + 1]);
        }
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof Map<?, ?> other) || other.size() != size()) {
            return false;
        }
        for (int i = 0; i < keysAndValues.length; i += 2) {
            Object key = keysAndValues[i];
            Object value = keysAndValues[i + 1];
            if (value == null ? other.get(key) != null || !other.containsKey(key) : !value.equals(other.get(key))) {
                return false;
            }
        }
        return true;
    }

    /** The keys, in order; iterating them makes no entries. */
    @Override
    public Set<K> keySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return CompactMap.this.size();
            }

            @Override
            public boolean contains(Object o) {
                return containsKey(o);
            }

            @Override
            public Iterator<K> iterator() {
                return new Walk<>(0);
            }
        };
    }

    /** The values, in order; iterating them makes no entries. */
    @Override
    public Collection<V> values() {
        return new AbstractCollection<>() {
            @Override
            public int size() {
                return CompactMap.this.size();
            }

            @Override
            public Iterator<V> iterator() {
                return new Walk<>(1);
            }
        };
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return CompactMap.this.size();
            }

            @Override
            public Iterator<Entry<K, V>> iterator() {
                return new Walk<>(-1);
            }
        };
    }

    /** Walks the keys ({@code 0}), the values ({@code 1}) or the entries ({@code -1}, each made as it is reached). */
    private final class Walk<T> implements Iterator<T> {
        private final int what;
        private int next;

        Walk(int what) {
            this.what = what;
        }

        @Override
        public boolean hasNext() {
            return next < keysAndValues.length;
        }

        @Override
        @SuppressWarnings("unchecked")
        public T next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            int at = next;
            next += 2;
            return (T) (what < 0 ? new SimpleImmutableEntry<>(keysAndValues[at], keysAndValues[at + 1]) : keysAndValues[at + what]);
        }
    }
}
