package dev.lattice.core.crd;

import dev.lattice.core.model.Kind;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.ModelFields;
import dev.lattice.core.model.ModelFields.FieldInfo;
import dev.lattice.core.model.Quantity;
import dev.lattice.core.parse.ShortForms;
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
        Map<String, Object> spec = schema(kind.specType());
        if (kind == Kind.LATTICE_CLUSTER) {
            acceptShortForms(spec);
        }
        properties.put("spec", spec);
        properties.put("status", schema(kind.statusType()));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("type", "object");
        root.put("description", description(kind));
        root.put("properties", properties);
        root.put("required", List.of("spec"));
        return root;
    }

    /**
     * A LatticeCluster's CRD accepts every form its parser does (seed 000's {@code controlPlane:} and {@code workers:}
     * under spec, seed 003's {@code nodes: {controlPlane: 3, workers: 10}} and snake_case Proxmox fields), so
     * {@code kubectl apply} takes what {@code lattice plan} takes and keeps it as written; the daemon normalises it
     * with the same parser. Where a short and a canonical form say the same thing, a CEL rule refuses both at once.
     */
    @SuppressWarnings("unchecked")
    private static void acceptShortForms(Map<String, Object> spec) {
        Map<String, Object> properties = (Map<String, Object>) spec.get("properties");
        Map<String, Object> nodes = (Map<String, Object>) properties.get("nodes");
        Map<String, Object> nodeProperties = (Map<String, Object>) nodes.get("properties");
        Map<String, Object> hoisted = new LinkedHashMap<>();
        ShortForms.HOISTED.forEach((field, canonical) -> {
            String[] path = canonical.split("\\.");
            Map<String, Object> target = (Map<String, Object>) ((Map<String, Object>) properties.get(path[0])).get("properties");
            Map<String, Object> s = new LinkedHashMap<>(field.equals("workers") ? schema(LatticeCluster.WorkerPoolSpec.class)
                    : (Map<String, Object>) target.get(path[1]));
            s.put("description", "Short form of spec." + canonical + (field.equals("workers")
                    ? ": a worker pool named " + ShortForms.DEFAULT_POOL + "." : "."));
            hoisted.put(field, s);
        });
        properties.putAll(hoisted);
        // An integer (its replicas) or the whole object: a structural schema cannot type that, so the parser checks it.
        nodeProperties.put("controlPlane", ordered("description",
                "The control plane {replicas, instanceType, rootVolume}, or its replicas alone (3).",
                "x-kubernetes-preserve-unknown-fields", true));
        nodeProperties.put("workers", ordered("description",
                "Short form of a worker pool named " + ShortForms.DEFAULT_POOL + ": the pool, or its replicas alone (10).",
                "x-kubernetes-preserve-unknown-fields", true));
        spec.remove("required");
        nodes.remove("required");
        spec.put("x-kubernetes-validations", List.of(
                rule("has(self.nodes) || has(self.controlPlane)",
                        "a cluster needs its nodes: spec.nodes.controlPlane (or the short form spec.controlPlane)"),
                rule("!has(self.kubernetes) || !has(self.provider) || !has(self.provider.kubernetes)",
                        "spec.kubernetes and spec.provider.kubernetes say the same thing; keep one"),
                rule("!has(self.workers) || !has(self.nodes) || !has(self.nodes.workerPools) || !('"
                                + ShortForms.DEFAULT_POOL + "' in self.nodes.workerPools)",
                        "spec.workers makes a worker pool named " + ShortForms.DEFAULT_POOL
                                + ", and spec.nodes.workerPools already has one; keep one")));
        Map<String, Object> proxmox = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                properties.get("provider")).get("properties")).get("config")).get("properties");
        Map<String, Object> px = (Map<String, Object>) proxmox.get("proxmox");
        Map<String, Object> pxProperties = (Map<String, Object>) px.get("properties");
        List<Map<String, Object>> pairs = new ArrayList<>();
        for (String field : List.copyOf(pxProperties.keySet())) {
            String snake = ShortForms.snake(field);
            if (!snake.equals(field)) {
                Map<String, Object> alias = new LinkedHashMap<>((Map<String, Object>) pxProperties.get(field));
                alias.put("description", "Short form of " + field + ".");
                pxProperties.put(snake, alias);
                pairs.add(rule("!has(self." + snake + ") || !has(self." + field + ")",
                        snake + " and " + field + " say the same thing; keep one"));
            }
        }
        for (String size : ShortForms.PROXMOX_SIZES) {
            pxProperties.put(size, ordered("type", "integer", "minimum", 1, "description",
                    "Short form of the " + (size.startsWith("cp_") ? "control plane's" : "workers'") + " instanceType."));
        }
        px.put("x-kubernetes-validations", pairs);
    }

    private static Map<String, Object> rule(String rule, String message) {
        return ordered("rule", rule, "message", message);
    }

    /** A map in the order given, so the manifests are written the same way every run. */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
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
            if ("string".equals(fieldSchema.get("type")) && !fieldSchema.containsKey("enum")) {
                fieldSchema.put("maxLength", field.maxLength());
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
