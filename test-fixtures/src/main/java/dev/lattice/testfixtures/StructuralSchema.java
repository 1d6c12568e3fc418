package dev.lattice.testfixtures;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a plain object tree against an OpenAPI v3 schema the way a Kubernetes API server checks a custom
 * resource: types, required fields, enums, bounds, patterns, int-or-string, and unknown fields (which the
 * server would silently prune, and which this reports). It also checks that a schema is structural.
 * A stand-in for a real API server where one adds nothing; the envtest integration tests use the real one.
 */
public final class StructuralSchema {
    private StructuralSchema() {
    }

    /** Every violation, each as {@code path: what is wrong}; empty when the value conforms. */
    public static List<String> violations(Object value, Map<String, Object> schema) {
        List<String> out = new ArrayList<>();
        check(value, schema, "", out);
        return out;
    }

    /** Every place where a schema is not structural (a node without a type, and without an escape). */
    @SuppressWarnings("unchecked")
    public static List<String> nonStructural(Map<String, Object> schema, String path) {
        List<String> out = new ArrayList<>();
        boolean escape = Boolean.TRUE.equals(schema.get("x-kubernetes-int-or-string"))
                || Boolean.TRUE.equals(schema.get("x-kubernetes-preserve-unknown-fields"));
        if (!schema.containsKey("type") && !escape) {
            out.add(path + ": no type");
        }
        Map<String, Object> properties = (Map<String, Object>) schema.get("properties");
        if (properties != null) {
            properties.forEach((k, v) -> out.addAll(nonStructural((Map<String, Object>) v, path + "." + k)));
        }
        if (schema.get("items") instanceof Map<?, ?> items) {
            out.addAll(nonStructural((Map<String, Object>) items, path + "[]"));
        }
        if (schema.get("additionalProperties") instanceof Map<?, ?> ap) {
            out.addAll(nonStructural((Map<String, Object>) ap, path + "{}"));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void check(Object value, Map<String, Object> schema, String path, List<String> out) {
        String where = path.isEmpty() ? "<root>" : path;
        if (value == null) {
            if (!Boolean.TRUE.equals(schema.get("nullable"))) {
                out.add(where + ": null is not allowed");
            }
            return;
        }
        if (schema.get("x-kubernetes-validations") instanceof List<?> rules) {
            CrdRules.check(value, rules, where, out);
        }
        if (Boolean.TRUE.equals(schema.get("x-kubernetes-int-or-string"))) {
            if (!(isInteger(value) || value instanceof String)) {
                out.add(where + ": expected an integer or a string, got " + value.getClass().getSimpleName());
            }
            checkPattern(value, schema, where, out);
            return;
        }
        String type = (String) schema.get("type");
        if (type == null) {
            return;
        }
        switch (type) {
            case "object":
                if (!(value instanceof Map<?, ?> map)) {
                    out.add(where + ": expected an object, got " + value.getClass().getSimpleName());
                    return;
                }
                Map<String, Object> properties = (Map<String, Object>) schema.get("properties");
                Object additional = schema.get("additionalProperties");
                boolean preserve = Boolean.TRUE.equals(schema.get("x-kubernetes-preserve-unknown-fields"));
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    String key = String.valueOf(e.getKey());
                    String child = path.isEmpty() ? key : path + "." + key;
                    if (path.isEmpty() && (key.equals("metadata") || key.equals("apiVersion") || key.equals("kind"))) {
                        continue; // the API server checks these itself, whether the CRD's schema lists them or not
                    }
                    if (properties != null && properties.containsKey(key)) {
                        check(e.getValue(), (Map<String, Object>) properties.get(key), child, out);
                    } else if (additional instanceof Map<?, ?>) {
                        check(e.getValue(), (Map<String, Object>) additional, child, out);
                    } else if (!preserve) {
                        out.add(child + ": unknown field (the API server would prune it)");
                    }
                }
                List<String> required = (List<String>) schema.getOrDefault("required", List.of());
                for (String r : required) {
                    if (!map.containsKey(r)) {
                        out.add(where + ": missing required field " + r);
                    }
                }
                break;
            case "array":
                if (!(value instanceof List<?> list)) {
                    out.add(where + ": expected an array, got " + value.getClass().getSimpleName());
                    return;
                }
                for (int i = 0; i < list.size(); i++) {
                    check(list.get(i), (Map<String, Object>) schema.get("items"), path + "[" + i + "]", out);
                }
                break;
            case "string":
                if (!(value instanceof String s)) {
                    out.add(where + ": expected a string, got " + value.getClass().getSimpleName());
                    return;
                }
                List<?> allowed = (List<?>) schema.get("enum");
                if (allowed != null && !allowed.contains(s)) {
                    out.add(where + ": \"" + s + "\" is not one of " + allowed);
                }
                checkPattern(value, schema, where, out);
                break;
            case "integer":
                if (!isInteger(value)) {
                    out.add(where + ": expected an integer, got " + value.getClass().getSimpleName());
                    return;
                }
                checkBounds(new BigDecimal(value.toString()), schema, where, out);
                break;
            case "number":
                if (!(value instanceof Number)) {
                    out.add(where + ": expected a number, got " + value.getClass().getSimpleName());
                    return;
                }
                checkBounds(new BigDecimal(value.toString()), schema, where, out);
                break;
            case "boolean":
                if (!(value instanceof Boolean)) {
                    out.add(where + ": expected a boolean, got " + value.getClass().getSimpleName());
                }
                break;
            default:
                out.add(where + ": schema has unknown type " + type);
        }
    }

    private static boolean isInteger(Object value) {
        return value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger;
    }

    private static void checkBounds(BigDecimal v, Map<String, Object> schema, String where, List<String> out) {
        if (schema.get("minimum") instanceof Number min && v.compareTo(new BigDecimal(min.toString())) < 0) {
            out.add(where + ": " + v + " is less than the minimum " + min);
        }
        if (schema.get("maximum") instanceof Number max && v.compareTo(new BigDecimal(max.toString())) > 0) {
            out.add(where + ": " + v + " is more than the maximum " + max);
        }
    }

    private static void checkPattern(Object value, Map<String, Object> schema, String where, List<String> out) {
        if (value instanceof String s && schema.get("pattern") instanceof String p && !Pattern.compile(p).matcher(s).find()) {
            out.add(where + ": \"" + s + "\" does not match " + p);
        }
    }
}
