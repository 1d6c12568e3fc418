package dev.lattice.core.model;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The wire view of a model record: its fields in declaration order with their names, aliases and bounds.
 * One place reads {@link Field}, so the parser, the writer and the CRD generator agree.
 */
public final class ModelFields {

    /** One field of a record as it appears on the wire. */
    public record FieldInfo(String name, List<String> aliases, RecordComponent component, Field annotation) {
        public Type type() {
            return component.getGenericType();
        }

        public Class<?> rawType() {
            return component.getType();
        }

        public boolean required() {
            return annotation != null && annotation.required();
        }

        public long min() {
            return annotation == null ? Long.MIN_VALUE : annotation.min();
        }

        public long max() {
            return annotation == null ? Long.MAX_VALUE : annotation.max();
        }

        /** Most characters the field's value holds, when it is a string. */
        public int maxLength() {
            if (annotation != null && annotation.maxLength() > 0) {
                return annotation.maxLength();
            }
            return switch (format()) {
                case DNS_LABEL -> 63;
                case DNS_SUBDOMAIN -> 253;
                default -> Field.DEFAULT_MAX_LENGTH;
            };
        }

        public Field.Format format() {
            return annotation == null ? Field.Format.FREE : annotation.format();
        }

        public boolean keepEmpty() {
            return annotation != null && annotation.keepEmpty();
        }

        public String doc() {
            return annotation == null ? "" : annotation.doc();
        }
    }

    private static final ClassValue<List<FieldInfo>> CACHE = new ClassValue<>() {
        @Override
        protected List<FieldInfo> computeValue(Class<?> type) {
            if (!type.isRecord()) {
                throw new IllegalArgumentException(type + " is not a record");
            }
            List<FieldInfo> fields = new ArrayList<>();
            for (RecordComponent component : type.getRecordComponents()) {
                Field annotation = component.getAnnotation(Field.class);
                String name = annotation == null || annotation.name().isEmpty() ? component.getName() : annotation.name();
                List<String> aliases = annotation == null ? List.of() : List.of(annotation.aliases());
                fields.add(new FieldInfo(name, aliases, component, annotation));
            }
            return List.copyOf(fields);
        }
    };

    private static final ClassValue<Constructor<?>> CONSTRUCTORS = new ClassValue<>() {
        @Override
        protected Constructor<?> computeValue(Class<?> type) {
            Class<?>[] types = of(type).stream().map(FieldInfo::rawType).toArray(Class<?>[]::new);
            try {
                return type.getDeclaredConstructor(types);
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("no canonical constructor in " + type, e);
            }
        }
    };

    private static final ClassValue<Map<String, Integer>> INDEX = new ClassValue<>() {
        @Override
        protected Map<String, Integer> computeValue(Class<?> type) {
            Map<String, Integer> byName = new HashMap<>();
            List<FieldInfo> fields = of(type);
            for (int i = 0; i < fields.size(); i++) {
                byName.put(fields.get(i).name(), i);
                for (String alias : fields.get(i).aliases()) {
                    byName.put(alias, i);
                }
            }
            return Map.copyOf(byName);
        }
    };

    private ModelFields() {
    }

    public static List<FieldInfo> of(Class<?> recordType) {
        return CACHE.get(recordType);
    }

    /** The position of a field by its wire name or an alias; null when the record has no such field. */
    public static Integer indexOf(Class<?> recordType, String wireName) {
        return INDEX.get(recordType).get(wireName);
    }

    /** Builds a record from its field values in declaration order. */
    public static <T> T construct(Class<T> recordType, Object... values) throws InvocationTargetException {
        try {
            return recordType.cast(CONSTRUCTORS.get(recordType).newInstance(values));
        } catch (InstantiationException | IllegalAccessException e) {
            throw new IllegalStateException("cannot construct " + recordType, e);
        }
    }

    /** The wire spelling of an enum constant. */
    public static String wire(Enum<?> constant) {
        return constant instanceof Wire w ? w.wire() : constant.name();
    }

    /** The type argument {@code index} of a parameterised type such as {@code Map<String, T>}. */
    public static Type typeArgument(Type type, int index) {
        return ((ParameterizedType) type).getActualTypeArguments()[index];
    }

    public static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        throw new IllegalArgumentException("unsupported model type " + type);
    }
}
