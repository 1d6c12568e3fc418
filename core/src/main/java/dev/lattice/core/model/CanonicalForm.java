package dev.lattice.core.model;

import java.lang.reflect.InvocationTargetException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An object as plain maps, lists, strings, numbers and booleans, in the canonical shape and field order:
 * what Lattice writes to a cluster and prints with {@code -o yaml|json}. Absent fields and empty collections
 * are left out; quantities print in their canonical Kubernetes form.
 */
public final class CanonicalForm {
    private CanonicalForm() {
    }

    public static Map<String, Object> of(LatticeObject object) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("apiVersion", LatticeObject.API_VERSION);
        out.put("kind", object.kind().kindName());
        List<ModelFields.FieldInfo> fields = ModelFields.of(object.getClass());
        for (ModelFields.FieldInfo field : fields) {
            Object value = read(object, field);
            Object tree = tree(value);
            if (tree != null && !isEmptyStatus(field, value)) {
                out.put(field.name(), tree);
            }
        }
        return out;
    }

    private static boolean isEmptyStatus(ModelFields.FieldInfo field, Object value) {
        if (!field.name().equals("status") || value == null) {
            return false;
        }
        try {
            return value.equals(value.getClass().getField("EMPTY").get(null));
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    /** The plain form of a model record, as a map (empty when every field is absent). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object value) {
        Object tree = tree(value);
        return tree == null ? new LinkedHashMap<>() : new LinkedHashMap<>((Map<String, Object>) tree);
    }

    /** The plain form of any model value; null for absent values and empty collections. */
    public static Object tree(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof String || value instanceof Boolean || value instanceof Integer || value instanceof Long) {
            return value;
        }
        if (value instanceof BigDecimal d) {
            BigDecimal s = d.stripTrailingZeros();
            return s.scale() <= 0 ? (Object) s.toBigIntegerExact() : s;
        }
        if (value instanceof Quantity q) {
            return q.toString();
        }
        if (value instanceof Enum<?> e) {
            return ModelFields.wire(e);
        }
        if (value instanceof List<?> list) {
            List<Object> out = list.stream().map(CanonicalForm::tree).filter(java.util.Objects::nonNull).toList();
            return out.isEmpty() ? null : out;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> {
                Object t = tree(v);
                out.put(String.valueOf(k), t == null && v instanceof String ? "" : t);
            });
            out.values().removeIf(java.util.Objects::isNull);
            return out.isEmpty() ? null : out;
        }
        if (value instanceof InstanceType.Named named) {
            return named.name();
        }
        if (value.getClass().isRecord()) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (ModelFields.FieldInfo field : ModelFields.of(value.getClass())) {
                Object fieldValue = read(value, field);
                Object t = tree(fieldValue);
                if (t != null) {
                    out.put(field.name(), t);
                } else if (fieldValue != null && field.keepEmpty()) {
                    out.put(field.name(), Map.of());
                }
            }
            return out.isEmpty() ? null : out;
        }
        throw new IllegalArgumentException("no plain form for " + value.getClass());
    }

    private static Object read(Object record, ModelFields.FieldInfo field) {
        try {
            return field.component().getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + field.name() + " of " + record.getClass(), e);
        }
    }
}
