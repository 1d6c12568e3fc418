package dev.lattice.core.crd;

import dev.lattice.core.model.Kind;
import dev.lattice.core.model.ModelFields;
import dev.lattice.core.model.ModelFields.FieldInfo;
import dev.lattice.core.model.Quantity;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CustomResourceDefinitions (apiextensions.k8s.io/v1) for the Lattice kinds, generated from the model records,
 * so the schema a cluster enforces is the one the parser reads.
 */
public final class CrdGenerator {
    /** Kubernetes' own pattern for resource quantities, as controller-gen emits it. */
    public static final String QUANTITY_PATTERN =
            "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";

    private CrdGenerator() {
    }

    /** The CRDs of every kind, in the order of {@link Kind}. */
    public static List<Map<String, Object>> all() {
        List<Map<String, Object>> crds = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            crds.add(crd(kind));
        }
        return crds;
    }

    public static Map<String, Object> crd(Kind kind) {
        Map<String, Object> names = new LinkedHashMap<>();
        names.put("kind", kind.kindName());
        names.put("listKind", kind.kindName() + "List");
        names.put("plural", kind.plural());
        names.put("singular", kind.singular());
        names.put("shortNames", kind.shortNames());
        names.put("categories", List.of("lattice"));

        Map<String, Object> version = new LinkedHashMap<>();
        version.put("name", Kind.VERSION);
        version.put("served", true);
        version.put("storage", true);
        version.put("schema", Map.of("openAPIV3Schema", rootSchema(kind)));
        version.put("subresources", Map.of("status", Map.of()));
        version.put("additionalPrinterColumns", PrinterColumns.of(kind));

        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("group", Kind.GROUP);
        spec.put("names", names);
        spec.put("scope", kind.namespaced() ? "Namespaced" : "Cluster");
        spec.put("versions", List.of(version));

        Map<String, Object> crd = new LinkedHashMap<>();
        crd.put("apiVersion", "apiextensions.k8s.io/v1");
        crd.put("kind", "CustomResourceDefinition");
        crd.put("metadata", Map.of("name", kind.plural() + "." + Kind.GROUP));
        crd.put("spec", spec);
        return crd;
    }

    private static Map<String, Object> rootSchema(Kind kind) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("apiVersion", Map.of("type", "string"));
        properties.put("kind", Map.of("type", "string"));
        properties.put("metadata", Map.of("type", "object"));
        properties.put("spec", schema(kind.specType()));
        properties.put("status", schema(kind.statusType()));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("type", "object");
        root.put("description", description(kind));
        root.put("properties", properties);
        root.put("required", List.of("spec"));
        return root;
    }

    private static String description(Kind kind) {
        switch (kind) {
            case STATIC_POOL: return "Fixed capacity that clusters draw on.";
            case CLOUD_POOL: return "Pay-as-you-go cloud capacity bounded by a monthly budget.";
            case LATTICE_CLUSTER: return "A self-managing Kubernetes cluster provisioned through Cluster API.";
            case LATTICE_SERVICE: return "A service: its containers, its agreed callers and callees, where it may run.";
            default: return "An endpoint outside the mesh and the services allowed to call it.";
        }
    }

    static Map<String, Object> schema(Type type) {
        Class<?> raw = ModelFields.raw(type);
        Map<String, Object> s = new LinkedHashMap<>();
        if (raw == String.class) {
            s.put("type", "string");
        } else if (raw == Integer.class) {
            s.put("type", "integer");
            s.put("format", "int32");
        } else if (raw == Long.class) {
            s.put("type", "integer");
            s.put("format", "int64");
        } else if (raw == Boolean.class) {
            s.put("type", "boolean");
        } else if (raw == BigDecimal.class) {
            s.put("type", "number");
        } else if (raw == Quantity.class) {
            s.put("anyOf", List.of(Map.of("type", "integer"), Map.of("type", "string")));
            s.put("pattern", QUANTITY_PATTERN);
            s.put("x-kubernetes-int-or-string", true);
        } else if (raw.isEnum()) {
            s.put("type", "string");
            List<String> values = new ArrayList<>();
            for (Object constant : raw.getEnumConstants()) {
                values.add(ModelFields.wire((Enum<?>) constant));
            }
            s.put("enum", values);
        } else if (raw == List.class) {
            s.put("type", "array");
            s.put("items", schema(ModelFields.typeArgument(type, 0)));
        } else if (raw == Map.class) {
            Type valueType = ModelFields.typeArgument(type, 1);
            s.put("type", "object");
            if (valueType == Object.class) {
                s.put("x-kubernetes-preserve-unknown-fields", true);
            } else {
                s.put("additionalProperties", schema(valueType));
            }
        } else if (raw.isRecord()) {
            return objectSchema(raw);
        } else if (raw.isSealed()) {
            // A name or an object: structural schemas cannot say "string or object", so the parser checks it.
            s.put("description", "A name (string) or an explicit object.");
            s.put("x-kubernetes-preserve-unknown-fields", true);
        } else {
            throw new IllegalArgumentException("no schema for " + type);
        }
        return s;
    }

    private static Map<String, Object> objectSchema(Class<?> type) {
        Map<String, Object> properties = new LinkedHashMap<>();
        List<String> required = new ArrayList<>();
        for (FieldInfo field : ModelFields.of(type)) {
            Map<String, Object> fieldSchema = schema(field.type());
            if (field.min() != Long.MIN_VALUE && "integer".equals(fieldSchema.get("type"))) {
                fieldSchema.put("minimum", field.min());
            }
            if (field.max() != Long.MAX_VALUE && "integer".equals(fieldSchema.get("type"))) {
                fieldSchema.put("maximum", field.max());
            }
            if (!field.doc().isEmpty()) {
                fieldSchema.put("description", field.doc());
            }
            properties.put(field.name(), fieldSchema);
            // Aliases are accepted on input, so an object applied with them is not pruned.
            for (String alias : field.aliases()) {
                Map<String, Object> aliasSchema = new LinkedHashMap<>(fieldSchema);
                aliasSchema.put("description", "Alias of " + field.name() + ".");
                properties.put(alias, aliasSchema);
            }
            if (field.required()) {
                required.add(field.name());
            }
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("type", "object");
        s.put("properties", properties);
        if (!required.isEmpty()) {
            s.put("required", required);
        }
        return s;
    }

}
