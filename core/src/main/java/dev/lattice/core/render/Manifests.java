package dev.lattice.core.render;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.std.StdSerializer;

/**
 * The edge between typed objects and the plain trees YAML and JSON are written from and read into. Rendered objects
 * are fabric8 model types or {@link CustomObject}s; only here do they become maps, in the order their types give.
 */
public final class Manifests {
    /**
     * Jackson 3, as the fabric8 model's own serializers are (a Quantity is written as {@code 500m} only by them), set
     * to Jackson 2's defaults where Jackson 3 changed them: properties in declared order, empty beans allowed.
     */
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .addModule(new SimpleModule().addSerializer(Double.class, new WholeNumbers()))
            .build();
    private static final ObjectWriter JSON = MAPPER.writer(SerializationFeature.INDENT_OUTPUT);

    private Manifests() {
    }

    /**
     * Any value as indented JSON, the same as its {@link #plain} tree would be written but without building that tree
     * (for a plan of 10,000 services the copy cost as much as the writing).
     */
    public static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /** Metadata with a name, a namespace (null for a cluster-wide object) and labels (none when empty). */
    public static ObjectMeta meta(String namespace, String name, Map<String, String> labels) {
        return new ObjectMetaBuilder().withName(name).withNamespace(namespace)
                .withLabels(labels == null || labels.isEmpty() ? null : new LinkedHashMap<>(labels)).build();
    }

    /** The object as the plain tree it is written as. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> tree(Object object) {
        return object instanceof GenericKubernetesResource g ? generic(g) : MAPPER.convertValue(object, LinkedHashMap.class);
    }

    /**
     * Any value as a plain tree of maps, lists and scalars: typed objects and records (at any depth) become the trees
     * Jackson writes them as; maps and lists are copied; scalars stay as they are.
     */
    public static Object plain(Object value) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, plain(v)));
            return out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(v -> out.add(plain(v)));
            return out;
        }
        return tree(value);
    }

    /** The objects as plain trees, in order. */
    public static List<Map<String, Object>> trees(List<? extends HasMetadata> objects) {
        return objects.stream().map(Manifests::tree).toList();
    }

    /** A tree read from a manifest as an object; its content stays as it was read. */
    public static GenericKubernetesResource object(Map<String, Object> tree) {
        return MAPPER.convertValue(tree, GenericKubernetesResource.class);
    }

    /** The labels of an object; empty when it has none. */
    public static Map<String, String> labels(HasMetadata object) {
        Map<String, String> labels = object.getMetadata() == null ? null : object.getMetadata().getLabels();
        return labels == null ? Map.of() : labels;
    }

    /** A generic object's tree keeps the order it was read in: apiVersion, kind, metadata, then the rest. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> generic(GenericKubernetesResource g) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("apiVersion", g.getApiVersion());
        out.put("kind", g.getKind());
        if (g.getMetadata() != null) {
            out.put("metadata", MAPPER.convertValue(g.getMetadata(), LinkedHashMap.class));
        }
        out.putAll(g.getAdditionalProperties());
        return out;
    }

    /** A whole number in a floating-point field (a schema's minimum) is written as Kubernetes writes it: 1, not 1.0. */
    private static final class WholeNumbers extends StdSerializer<Double> {
        WholeNumbers() {
            super(Double.class);
        }

        @Override
        public void serialize(Double value, JsonGenerator out, SerializationContext context) {
            if (value == Math.rint(value) && !Double.isInfinite(value) && Math.abs(value) < 1e15) {
                out.writeNumber(value.longValue());
            } else {
                out.writeNumber(value);
            }
        }
    }
}
