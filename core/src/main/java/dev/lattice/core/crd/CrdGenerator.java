package dev.lattice.core.crd;

import dev.lattice.core.model.Kind;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.ModelFields.FieldInfo;
import dev.lattice.core.model.ModelFields;
import dev.lattice.core.model.Quantity;
import dev.lattice.core.parse.ShortForms;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRuleBuilder;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.StringNode;

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
    public static List<CustomResourceDefinition> all() {
        List<CustomResourceDefinition> crds = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            crds.add(crd(kind));
        }
        return crds;
    }

    public static CustomResourceDefinition crd(Kind kind) {
        CustomResourceDefinitionVersion version = new CustomResourceDefinitionVersionBuilder()
                .withName(Kind.VERSION)
                .withServed(true)
                .withStorage(true)
                .withNewSchema().withOpenAPIV3Schema(rootSchema(kind)).endSchema()
                .withNewSubresources().withNewStatus().endStatus().endSubresources()
                .withAdditionalPrinterColumns(PrinterColumns.of(kind))
                .build();
        return new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName(kind.plural() + "." + Kind.GROUP).endMetadata()
                .withNewSpec()
                .withGroup(Kind.GROUP)
                .withNewNames()
                .withKind(kind.kindName())
                .withListKind(kind.kindName() + "List")
                .withPlural(kind.plural())
                .withSingular(kind.singular())
                .withShortNames(kind.shortNames())
                .withCategories("lattice")
                .endNames()
                .withScope(kind.namespaced() ? "Namespaced" : "Cluster")
                .withVersions(version)
                .endSpec()
                .build();
    }

    /** The schema the API server checks objects of {@code kind} against. */
    public static JSONSchemaProps schema(Kind kind) {
        return crd(kind).getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    }

    private static JSONSchemaProps rootSchema(Kind kind) {
        Map<String, JSONSchemaProps> properties = new LinkedHashMap<>();
        properties.put("apiVersion", typed("string"));
        properties.put("kind", typed("string"));
        properties.put("metadata", typed("object"));
        JSONSchemaProps spec = schema(kind.specType());
        if (kind == Kind.LATTICE_CLUSTER) {
            acceptShortForms(spec);
        }
        properties.put("spec", spec);
        properties.put("status", schema(kind.statusType()));
        return new JSONSchemaPropsBuilder().withType("object").withDescription(description(kind)).withProperties(properties)
                .withRequired("spec").build();
    }

    /**
     * A LatticeCluster's CRD accepts every form its parser does (seed 000's {@code controlPlane:} and {@code workers:}
     * under spec, seed 003's {@code nodes: {controlPlane: 3, workers: 10}} and snake_case Proxmox fields), so
     * {@code kubectl apply} takes what {@code lattice plan} takes and keeps it as written; the daemon normalises it
     * with the same parser. Where a short and a canonical form say the same thing, a CEL rule refuses both at once.
     */
    private static void acceptShortForms(JSONSchemaProps spec) {
        Map<String, JSONSchemaProps> properties = spec.getProperties();
        JSONSchemaProps nodes = properties.get("nodes");
        Map<String, JSONSchemaProps> hoisted = new LinkedHashMap<>();
        ShortForms.HOISTED.forEach((field, canonical) -> {
            String[] path = canonical.split("\\.");
            JSONSchemaProps target = properties.get(path[0]).getProperties().get(path[1]);
            hoisted.put(field, new JSONSchemaPropsBuilder(field.equals("workers") ? schema(LatticeCluster.WorkerPoolSpec.class) : target)
                    .withDescription("Short form of spec." + canonical + (field.equals("workers")
                            ? ": a worker pool named " + ShortForms.DEFAULT_POOL + "." : "."))
                    .build());
        });
        properties.putAll(hoisted);
        // An integer (its replicas) or the whole object: a structural schema cannot type that, so the parser checks it.
        nodes.getProperties().put("controlPlane", anything("The control plane {replicas, instanceType, rootVolume}, or its replicas alone (3)."));
        nodes.getProperties().put("workers",
                anything("Short form of a worker pool named " + ShortForms.DEFAULT_POOL + ": the pool, or its replicas alone (10)."));
        spec.setRequired(List.of());
        nodes.setRequired(List.of());
        spec.setXKubernetesValidations(List.of(
                rule("has(self.nodes) || has(self.controlPlane)",
                        "a cluster needs its nodes: spec.nodes.controlPlane (or the short form spec.controlPlane)"),
                rule("!has(self.kubernetes) || !has(self.provider) || !has(self.provider.kubernetes)",
                        "spec.kubernetes and spec.provider.kubernetes say the same thing; keep one"),
                rule("!has(self.workers) || !has(self.nodes) || !has(self.nodes.workerPools) || !('"
                                + ShortForms.DEFAULT_POOL + "' in self.nodes.workerPools)",
                        "spec.workers makes a worker pool named " + ShortForms.DEFAULT_POOL
                                + ", and spec.nodes.workerPools already has one; keep one")));
        JSONSchemaProps px = properties.get("provider").getProperties().get("config").getProperties().get("proxmox");
        Map<String, JSONSchemaProps> pxProperties = px.getProperties();
        List<ValidationRule> pairs = new ArrayList<>();
        for (String field : List.copyOf(pxProperties.keySet())) {
            String snake = ShortForms.snake(field);
            if (!snake.equals(field)) {
                pxProperties.put(snake, new JSONSchemaPropsBuilder(pxProperties.get(field)).withDescription("Short form of " + field + ".").build());
                pairs.add(rule("!has(self." + snake + ") || !has(self." + field + ")",
                        snake + " and " + field + " say the same thing; keep one"));
            }
        }
        for (String size : ShortForms.PROXMOX_SIZES) {
            pxProperties.put(size, new JSONSchemaPropsBuilder().withType("integer").withMinimum(1.0).withDescription(
                    "Short form of the " + (size.startsWith("cp_") ? "control plane's" : "workers'") + " instanceType.").build());
        }
        px.setXKubernetesValidations(pairs);
    }

    private static ValidationRule rule(String rule, String message) {
        return new ValidationRuleBuilder().withRule(rule).withMessage(message).build();
    }

    private static JSONSchemaProps typed(String type) {
        return new JSONSchemaPropsBuilder().withType(type).build();
    }

    /** Any value at all, which the parser checks. */
    private static JSONSchemaProps anything(String description) {
        return new JSONSchemaPropsBuilder().withDescription(description).withXKubernetesPreserveUnknownFields(true).build();
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

    static JSONSchemaProps schema(Type type) {
        Class<?> raw = ModelFields.raw(type);
        JSONSchemaPropsBuilder s = new JSONSchemaPropsBuilder();
        if (raw == String.class) {
            s.withType("string");
        } else if (raw == Integer.class) {
            s.withType("integer").withFormat("int32");
        } else if (raw == Long.class) {
            s.withType("integer").withFormat("int64");
        } else if (raw == Boolean.class) {
            s.withType("boolean");
        } else if (raw == BigDecimal.class) {
            s.withType("number");
        } else if (raw == Quantity.class) {
            s.withAnyOf(typed("integer"), typed("string")).withPattern(QUANTITY_PATTERN).withXKubernetesIntOrString(true);
        } else if (raw.isEnum()) {
            List<JsonNode> values = new ArrayList<>();
            for (Object constant : raw.getEnumConstants()) {
                values.add(StringNode.valueOf(ModelFields.wire((Enum<?>) constant)));
            }
            s.withType("string").withEnum(values);
        } else if (raw == List.class) {
            s.withType("array").withNewItems().withSchema(schema(ModelFields.typeArgument(type, 0))).endItems();
        } else if (raw == Map.class) {
            Type valueType = ModelFields.typeArgument(type, 1);
            s.withType("object");
            if (valueType == Object.class) {
                s.withXKubernetesPreserveUnknownFields(true);
            } else {
                s.withNewAdditionalProperties().withSchema(schema(valueType)).endAdditionalProperties();
            }
        } else if (raw.isRecord()) {
            return objectSchema(raw);
        } else if (raw.isSealed()) {
            // A name or an object: structural schemas cannot say "string or object", so the parser checks it.
            return anything("A name (string) or an explicit object.");
        } else {
            throw new IllegalArgumentException("no schema for " + type);
        }
        return s.build();
    }

    private static JSONSchemaProps objectSchema(Class<?> type) {
        Map<String, JSONSchemaProps> properties = new LinkedHashMap<>();
        List<String> required = new ArrayList<>();
        for (FieldInfo field : ModelFields.of(type)) {
            JSONSchemaPropsBuilder fieldSchema = new JSONSchemaPropsBuilder(schema(field.type()));
            boolean integer = "integer".equals(fieldSchema.getType());
            if (field.min() != Long.MIN_VALUE && integer) {
                fieldSchema.withMinimum((double) field.min());
            }
            if (field.max() != Long.MAX_VALUE && integer) {
                fieldSchema.withMaximum((double) field.max());
            }
            if ("string".equals(fieldSchema.getType()) && !fieldSchema.hasEnum()) {
                fieldSchema.withMaxLength((long) field.maxLength());
            }
            if (!field.doc().isEmpty()) {
                fieldSchema.withDescription(field.doc());
            }
            JSONSchemaProps built = fieldSchema.build();
            properties.put(field.name(), built);
            // Aliases are accepted on input, so an object applied with them is not pruned.
            for (String alias : field.aliases()) {
                properties.put(alias, new JSONSchemaPropsBuilder(built).withDescription("Alias of " + field.name() + ".").build());
            }
            if (field.required()) {
                required.add(field.name());
            }
        }
        return new JSONSchemaPropsBuilder().withType("object").withProperties(properties).withRequired(required).build();
    }
}
