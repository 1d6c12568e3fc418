package dev.lattice.core.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A YAML/JSON tree that remembers where each node was written. Immutable. */
public sealed interface YNode permits YNode.Scalar, YNode.Mapping, YNode.Sequence {

    Location location();

    /** How a reader would name this node's type in an error message. */
    String describe();

    /** The resolved type of a scalar under the YAML 1.2 core schema. */
    enum ScalarType { STRING, INT, FLOAT, BOOL, NULL }

    record Scalar(String value, ScalarType type, Location location) implements YNode {
        public boolean isNull() {
            return type == ScalarType.NULL;
        }

        @Override
        public String describe() {
            switch (type) {
                case INT:
                case FLOAT:
                    return "a number (" + value + ")";
                case BOOL:
                    return "a boolean (" + value + ")";
                case NULL:
                    return "null";
                default:
                    return "a string (\"" + value + "\")";
            }
        }
    }

    record Entry(Scalar key, YNode value) {
    }

    record Mapping(List<Entry> entries, Location location) implements YNode {
        public Mapping {
            entries = List.copyOf(entries);
        }

        public Optional<Entry> entry(String key) {
            return entries.stream().filter(e -> e.key().value().equals(key)).findFirst();
        }

        public Optional<YNode> get(String key) {
            return entry(key).map(Entry::value);
        }

        /** A copy with {@code key} set to {@code value}, replacing or appending. */
        public Mapping with(Scalar key, YNode value) {
            List<Entry> copy = new ArrayList<>(entries);
            copy.removeIf(e -> e.key().value().equals(key.value()));
            copy.add(new Entry(key, value));
            return new Mapping(copy, location);
        }

        public Mapping without(String key) {
            List<Entry> copy = new ArrayList<>(entries);
            copy.removeIf(e -> e.key().value().equals(key));
            return new Mapping(copy, location);
        }

        @Override
        public String describe() {
            return "a mapping";
        }
    }

    record Sequence(List<YNode> items, Location location) implements YNode {
        public Sequence {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return "a list";
        }
    }
}
