package dev.lattice.core.parse;

import dev.lattice.core.model.ModelFields;
import dev.lattice.core.model.ModelFields.FieldInfo;
import dev.lattice.core.model.Quantity;
import dev.lattice.core.text.Suggestions;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Binds a located YAML tree to the model records, reading the wire names and bounds from
 * {@link dev.lattice.core.model.Field}. Every mismatch (unknown field, wrong type, value out of range, unknown
 * enum value, bad quantity) becomes a located problem; binding goes on past it so all problems show at once.
 * A field whose value was wrong binds as absent.
 */
final class Binder {
    /**
     * Most characters of a string that no field bounds more tightly (list items, map values such as annotations,
     * free-form content): what Kubernetes allows all of an object's annotations together, so an object kubectl applied
     * (its last-applied-configuration annotation) still reads back.
     */
    static final int MAX_STRING = 256 * 1024;
    /** Most characters of a map key: a label key with its prefix is 317. */
    static final int MAX_KEY = 512;
    /** Bounds of any number with a fraction (money): what status can hold, to the nano-unit. */
    private static final BigDecimal MAX_DECIMAL = new BigDecimal("1e18");
    private static final int MAX_DECIMAL_SCALE = 9;
    /** The largest quantity Kubernetes counts in an int64: 2^63 - 1 units (just under 8Ei). */
    private static final BigDecimal MAX_QUANTITY = BigDecimal.valueOf(Long.MAX_VALUE);

    private final Problems problems;
    private final SourceMap sources;
    private boolean failed;

    Binder(Problems problems, SourceMap sources) {
        this.problems = problems;
        this.sources = sources;
    }

    /** Whether any value could not be bound. */
    boolean failed() {
        return failed;
    }

    <T> T bindRecord(YNode node, Class<T> type, String path) {
        return type.cast(bind(node, type, path));
    }

    Object bind(YNode node, Type type, String path) {
        if (node instanceof YNode.Scalar s && s.isNull()) {
            return null;
        }
        Class<?> raw = ModelFields.raw(type);
        if (raw == String.class) {
            return string(node, path);
        }
        if (raw == Integer.class) {
            Long v = integer(node, Integer.MIN_VALUE, Integer.MAX_VALUE);
            return v == null ? null : v.intValue();
        }
        if (raw == Long.class) {
            return integer(node, Long.MIN_VALUE, Long.MAX_VALUE);
        }
        if (raw == Boolean.class) {
            return bool(node);
        }
        if (raw == BigDecimal.class) {
            return decimal(node);
        }
        if (raw == Quantity.class) {
            return quantity(node);
        }
        if (raw.isEnum()) {
            return enumValue(node, raw, path);
        }
        if (raw == List.class) {
            return list(node, ModelFields.typeArgument(type, 0), path);
        }
        if (raw == Map.class) {
            return map(node, ModelFields.typeArgument(type, 1), path);
        }
        if (raw == Object.class) {
            return plain(node, path);
        }
        if (raw.isRecord()) {
            return record(node, raw, path);
        }
        if (raw.isSealed()) {
            return union(node, raw, path);
        }
        throw new IllegalStateException("no binding for model type " + type);
    }

    private Object record(YNode node, Class<?> type, String path) {
        if (!(node instanceof YNode.Mapping mapping)) {
            return wrongType(node, "a mapping of fields", path);
        }
        List<FieldInfo> fields = ModelFields.of(type);
        Object[] args = new Object[fields.size()];
        YNode.Scalar[] setBy = new YNode.Scalar[fields.size()];
        for (YNode.Entry entry : mapping.entries()) {
            String key = entry.key().value();
            Integer index = ModelFields.indexOf(type, key);
            if (index == null) {
                List<String> names = fields.stream().map(FieldInfo::name).toList();
                problems.error(entry.key().location(), "unknown field " + Problem.quote(key) + in(path),
                        Suggestions.hint(key, names));
                failed = true;
                continue;
            }
            FieldInfo field = fields.get(index);
            if (setBy[index] != null) {
                problems.error(entry.key().location(), "\"" + key + "\" and \"" + setBy[index].value()
                        + "\" are the same field" + in(path), "keep one of them");
                failed = true;
                continue;
            }
            setBy[index] = entry.key();
            String childPath = SourceMap.child(path, field.name());
            sources.record(childPath, entry.key().location(), entry.value().location());
            if (field.required() && entry.value() instanceof YNode.Scalar s && s.isNull()) {
                problems.error(entry.value().location(), "\"" + field.name() + "\" needs a value" + in(path));
                failed = true;
                continue;
            }
            Object value = bind(entry.value(), field.type(), childPath);
            args[index] = value == null ? null : checkBounds(value, field, entry.value());
        }
        for (int i = 0; i < fields.size(); i++) {
            if (setBy[i] == null && fields.get(i).required()) {
                problems.error(mapping.location(), "missing required field \"" + fields.get(i).name() + "\"" + in(path));
                failed = true;
            }
        }
        return construct(type, args, node);
    }

    private Object construct(Class<?> type, Object[] args, YNode node) {
        try {
            return ModelFields.construct(type, args);
        } catch (InvocationTargetException e) {
            problems.error(node.location(), String.valueOf(e.getCause().getMessage()));
            failed = true;
            return null;
        }
    }

    private Object checkBounds(Object value, FieldInfo field, YNode node) {
        if (value instanceof String text) {
            return checkString(text, field, node);
        }
        if (value instanceof Number n && !(value instanceof BigDecimal)) {
            long v = n.longValue();
            if (v < field.min() || v > field.max()) {
                problems.error(node.location(), "\"" + field.name() + "\" must be " + range(field) + ", got " + v);
                failed = true;
                return null;
            }
        }
        if (value instanceof BigDecimal d && (field.min() != Long.MIN_VALUE && d.compareTo(BigDecimal.valueOf(field.min())) < 0
                || field.max() != Long.MAX_VALUE && d.compareTo(BigDecimal.valueOf(field.max())) > 0)) {
            problems.error(node.location(), "\"" + field.name() + "\" must be " + range(field) + ", got " + d.toPlainString());
            failed = true;
            return null;
        }
        return value;
    }

    private String checkString(String text, FieldInfo field, YNode node) {
        String problem = switch (field.format()) {
            case DNS_LABEL -> Names.dnsLabelProblem(field.name(), text);
            case DNS_SUBDOMAIN -> Names.dnsSubdomainProblem(field.name(), text);
            case FREE -> text.length() > field.maxLength()
                    ? "\"" + field.name() + "\" is " + text.length() + " characters long, at most " + field.maxLength() + " are allowed"
                    : null;
        };
        if (problem != null) {
            problems.error(node.location(), problem);
            failed = true;
            return null;
        }
        return text;
    }

    private static String range(FieldInfo field) {
        if (field.max() == Long.MAX_VALUE) {
            return "at least " + field.min();
        }
        if (field.min() == Long.MIN_VALUE) {
            return "at most " + field.max();
        }
        return "between " + field.min() + " and " + field.max();
    }

    /** A sealed type with a scalar form (a one-string record) and an object form (another record). */
    private Object union(YNode node, Class<?> type, String path) {
        Class<?> scalarForm = null;
        Class<?> objectForm = null;
        for (Class<?> permitted : type.getPermittedSubclasses()) {
            List<FieldInfo> fields = ModelFields.of(permitted);
            if (fields.size() == 1 && fields.get(0).rawType() == String.class) {
                scalarForm = permitted;
            } else {
                objectForm = permitted;
            }
        }
        if (node instanceof YNode.Mapping) {
            return record(node, objectForm, path);
        }
        String name = string(node, path);
        if (name == null) {
            return null;
        }
        try {
            return scalarForm.getDeclaredConstructor(String.class).newInstance(name);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct " + scalarForm, e);
        }
    }

    private List<Object> list(YNode node, Type itemType, String path) {
        if (!(node instanceof YNode.Sequence seq)) {
            return wrongType(node, "a list", path);
        }
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < seq.items().size(); i++) {
            YNode item = seq.items().get(i);
            String itemPath = SourceMap.index(path, i);
            sources.record(itemPath, null, item.location());
            Object value = bind(item, itemType, itemPath);
            if (value != null) {
                out.add(value);
            } else if (item instanceof YNode.Scalar s && s.isNull()) {
                problems.error(item.location(), "empty list item" + in(path), "remove the lone \"-\"");
                failed = true;
            }
        }
        return out;
    }

    private Map<String, Object> map(YNode node, Type valueType, String path) {
        if (!(node instanceof YNode.Mapping mapping)) {
            return wrongType(node, "a mapping", path);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (YNode.Entry entry : mapping.entries()) {
            if (!keyWithinBound(entry.key())) {
                continue;
            }
            String childPath = SourceMap.child(path, entry.key().value());
            sources.record(childPath, entry.key().location(), entry.value().location());
            Object value = bind(entry.value(), valueType, childPath);
            if (value != null) {
                out.put(entry.key().value(), value);
            } else if (entry.value() instanceof YNode.Scalar s && s.isNull() && ModelFields.raw(valueType) == String.class) {
                out.put(entry.key().value(), "");
            }
        }
        return out;
    }

    private boolean keyWithinBound(YNode.Scalar key) {
        if (key.value().length() <= MAX_KEY) {
            return true;
        }
        problems.error(key.location(), "key " + Problem.quote(key.value()) + " is " + key.value().length()
                + " characters long, at most " + MAX_KEY + " are allowed");
        failed = true;
        return false;
    }

    private String string(YNode node, String path) {
        if (node instanceof YNode.Scalar s && s.type() == YNode.ScalarType.STRING) {
            if (s.value().length() > MAX_STRING) {
                problems.error(node.location(), "a string of " + s.value().length() + " characters" + in(path)
                        + ", at most " + MAX_STRING + " are allowed");
                failed = true;
                return null;
            }
            return s.value();
        }
        if (node instanceof YNode.Scalar s) {
            problems.error(node.location(), "expected a string, got " + s.describe(),
                    "put the value in quotes: " + Problem.quote(s.value()));
            failed = true;
            return null;
        }
        return wrongType(node, "a string", path);
    }

    private Long integer(YNode node, long min, long max) {
        if (node instanceof YNode.Scalar s && s.type() == YNode.ScalarType.INT) {
            try {
                long v = yamlInteger(s.value());
                if (v >= min && v <= max) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // falls through to the range error below
            }
            problems.error(node.location(), "number " + Problem.quote(s.value()) + " is out of range");
            failed = true;
            return null;
        }
        String hint = node instanceof YNode.Scalar s && s.type() == YNode.ScalarType.STRING && s.value().matches("[0-9]+")
                ? "remove the quotes: " + s.value() : null;
        problems.error(node.location(), "expected a whole number, got " + node.describe(), hint);
        failed = true;
        return null;
    }

    private Boolean bool(YNode node) {
        if (node instanceof YNode.Scalar s && s.type() == YNode.ScalarType.BOOL) {
            return Boolean.parseBoolean(s.value().toLowerCase(java.util.Locale.ROOT));
        }
        problems.error(node.location(), "expected true or false, got " + node.describe());
        failed = true;
        return null;
    }

    private BigDecimal decimal(YNode node) {
        if (node instanceof YNode.Scalar s && (s.type() == YNode.ScalarType.INT || s.type() == YNode.ScalarType.FLOAT)) {
            BigDecimal d = null;
            try {
                d = new BigDecimal(s.value());
            } catch (NumberFormatException e) {
                // falls through: .inf and .nan are floats in YAML but no amount of money
            }
            if (d != null && d.abs().compareTo(MAX_DECIMAL) <= 0 && d.stripTrailingZeros().scale() <= MAX_DECIMAL_SCALE) {
                return d;
            }
            if (d != null) {
                problems.error(node.location(), "number " + Problem.quote(s.value()) + " is out of range",
                        "amounts are at most 10^18 with at most " + MAX_DECIMAL_SCALE + " decimal places");
                failed = true;
                return null;
            }
        }
        problems.error(node.location(), "expected a number, got " + node.describe());
        failed = true;
        return null;
    }

    private Quantity quantity(YNode node) {
        if (node instanceof YNode.Scalar s && s.type() != YNode.ScalarType.BOOL) {
            Optional<Quantity> q = Quantity.tryParse(s.value());
            if (q.isPresent() && !q.get().isNegative() && q.get().value().compareTo(MAX_QUANTITY) <= 0) {
                return q.get();
            }
            if (q.isPresent() && !q.get().isNegative()) {
                problems.error(node.location(), "quantity " + Problem.quote(s.value()) + " is too large",
                        "Kubernetes counts quantities in 64 bits: less than 8Ei (at most 9223372036854775807)");
                failed = true;
                return null;
            }
            problems.error(node.location(), "invalid quantity " + Problem.quote(s.value()), quantityHint(s.value()));
            failed = true;
            return null;
        }
        problems.error(node.location(), "expected a quantity such as 16Gi or 500m, got " + node.describe());
        failed = true;
        return null;
    }

    private static String quantityHint(String text) {
        String t = text.trim();
        if (t.matches("[0-9.]+\\s*[KMGTPE]i?B")) {
            String number = t.replaceAll("[^0-9.]", "");
            char unit = t.replaceAll("[0-9.\\s]", "").charAt(0);
            return "Kubernetes quantities have no \"B\": write " + number + unit + "i (binary) or " + number + unit + " (decimal)";
        }
        if (t.startsWith("-")) {
            return "a quantity here cannot be negative";
        }
        return "write a number with an optional suffix: m, k, M, G, T, P, E or Ki, Mi, Gi, Ti, Pi, Ei (e.g. 500m, 16Gi)";
    }

    private Object enumValue(YNode node, Class<?> type, String path) {
        String text = string(node, path);
        if (text == null) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (Object constant : type.getEnumConstants()) {
            String wire = ModelFields.wire((Enum<?>) constant);
            if (wire.equals(text)) {
                return constant;
            }
            names.add(wire);
        }
        problems.error(node.location(), "unknown value " + Problem.quote(text) + in(path) + "; expected one of: "
                + String.join(", ", names), Suggestions.closest(text, names).map(c -> "did you mean \"" + c + "\"?").orElse(null));
        failed = true;
        return null;
    }

    /**
     * Free-form content, as plain Java values in document order, within the bounds of the rest: keys and strings
     * as long as elsewhere, numbers that JSON (and so the API server) can hold.
     */
    private Object plain(YNode node, String path) {
        if (node instanceof YNode.Mapping m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (YNode.Entry e : m.entries()) {
                if (keyWithinBound(e.key())) {
                    out.put(e.key().value(), plain(e.value(), SourceMap.child(path, e.key().value())));
                }
            }
            return out;
        }
        if (node instanceof YNode.Sequence s) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < s.items().size(); i++) {
                out.add(plain(s.items().get(i), SourceMap.index(path, i)));
            }
            return out;
        }
        YNode.Scalar s = (YNode.Scalar) node;
        switch (s.type()) {
            case INT:
            case FLOAT:
                return plainNumber(s);
            case STRING:
                return string(node, path);
            case BOOL:
                return Boolean.parseBoolean(s.value().toLowerCase(java.util.Locale.ROOT));
            default:
                return null;
        }
    }

    private Object plainNumber(YNode.Scalar s) {
        if (s.type() == YNode.ScalarType.INT) {
            try {
                return yamlInteger(s.value());
            } catch (NumberFormatException e) {
                // beyond a long: checked as a float below
            }
        }
        BigDecimal d;
        try {
            d = new BigDecimal(s.value());
        } catch (NumberFormatException e) {
            problems.error(s.location(), "number " + Problem.quote(s.value()) + " cannot be written as JSON",
                    "the API server reads numbers as JSON; quote it if it is text");
            failed = true;
            return null;
        }
        if (Double.isInfinite(d.doubleValue())) {
            problems.error(s.location(), "number " + Problem.quote(s.value()) + " is out of range",
                    "at most about 1.8e308, what the API server's JSON holds");
            failed = true;
            return null;
        }
        return d;
    }

    /** An integer as the YAML 1.2 core schema reads it: decimal, 0o octal or 0x hexadecimal. */
    static long yamlInteger(String text) {
        String t = text.startsWith("+") ? text.substring(1) : text;
        if (t.startsWith("0o")) {
            return Long.parseLong(t.substring(2), 8);
        }
        if (t.startsWith("0x")) {
            return Long.parseLong(t.substring(2), 16);
        }
        return Long.parseLong(t);
    }

    private <T> T wrongType(YNode node, String expected, String path) {
        problems.error(node.location(), "expected " + expected + in(path) + ", got " + node.describe());
        failed = true;
        return null;
    }

    private static String in(String path) {
        return path.isEmpty() ? "" : " in " + path;
    }
}
