package dev.lattice.core.model;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;

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

    private ModelFields() {
    }

    public static List<FieldInfo> of(Class<?> recordType) {
        return CACHE.get(recordType);
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
