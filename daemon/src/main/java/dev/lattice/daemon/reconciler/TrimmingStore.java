package dev.lattice.daemon.reconciler;

import dev.lattice.core.model.CompactMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionStatusBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * An informer's store that keeps a trimmed copy of each object: what the daemon reads of it and no more (never
 * managedFields, which are as large as the objects themselves). The informer's own object is not edited, and a
 * stored copy is never edited once stored, so readers on any thread see whole objects.
 */
final class TrimmingStore<T extends HasMetadata> extends BasicItemStore<T> {
    private final UnaryOperator<T> trim;
    private final Consumer<T> removed;

    TrimmingStore(UnaryOperator<T> trim, Consumer<T> removed) {
        super(Cache::metaNamespaceKeyFunc);
        this.trim = trim;
        this.removed = removed;
    }

    TrimmingStore(UnaryOperator<T> trim) {
        this(trim, r -> { });
    }

    @Override
    public T put(String key, T object) {
        return super.put(key, trim.apply(object));
    }

    @Override
    public T remove(String key) {
        T gone = super.remove(key);
        if (gone != null) {
            removed.accept(gone);
        }
        return gone;
    }

    /**
     * A copy of {@code object} without its managedFields and without the top-level {@code fields}, what it keeps held
     * compactly ({@link #compact}).
     */
    static GenericKubernetesResource without(GenericKubernetesResource object, String... fields) {
        GenericKubernetesResource kept = new GenericKubernetesResource();
        kept.setApiVersion(object.getApiVersion());
        kept.setKind(object.getKind());
        kept.setMetadata(withoutManagedFields(object.getMetadata()));
        List<String> left = List.of(fields);
        object.getAdditionalProperties().forEach((k, v) -> {
            if (!left.contains(k)) {
                kept.setAdditionalProperty(k, compact(v));
            }
        });
        return kept;
    }

    /**
     * A copy of {@code meta} without managedFields, nor the annotation {@code kubectl apply} writes (the whole object
     * again, as JSON: with client-side apply it would double what the daemon holds of each object, and nothing here
     * reads it); its namespace, time and labels held once however many objects share them, its small maps compactly
     * (read only, as the whole copy is).
     */
    static ObjectMeta withoutManagedFields(ObjectMeta meta) {
        ObjectMeta copy = new ObjectMetaBuilder(meta).build();
        copy.setManagedFields(null); // null, not empty: an empty list written back would clear them on the server
        copy.setNamespace(intern(copy.getNamespace()));
        copy.setCreationTimestamp(intern(copy.getCreationTimestamp()));
        copy.setLabels(strings(copy.getLabels()));
        copy.setAnnotations(strings(withoutLastApplied(copy.getAnnotations())));
        // The model's builders make an empty list of each; one shared empty list holds nothing per object.
        if (copy.getFinalizers() != null && copy.getFinalizers().isEmpty()) {
            copy.setFinalizers(List.of());
        }
        if (copy.getOwnerReferences() != null && copy.getOwnerReferences().isEmpty()) {
            copy.setOwnerReferences(List.of());
        }
        return copy;
    }

    /** {@code annotations} as they are, or a copy without {@link #LAST_APPLIED} where they have it. */
    static Map<String, String> withoutLastApplied(Map<String, String> annotations) {
        if (annotations == null || !annotations.containsKey(LAST_APPLIED)) {
            return annotations;
        }
        Map<String, String> kept = new LinkedHashMap<>(annotations);
        kept.remove(LAST_APPLIED);
        return kept;
    }

    /** Written by {@code kubectl apply} (client-side) on every object it applies. */
    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    /** {@code object} as it is, or a shallow copy without {@link #LAST_APPLIED} where it has that annotation. */
    static GenericKubernetesResource withoutLastApplied(GenericKubernetesResource object) {
        Map<String, String> annotations = object.getMetadata().getAnnotations();
        Map<String, String> kept = withoutLastApplied(annotations);
        if (kept == annotations) {
            return object;
        }
        GenericKubernetesResource copy = new GenericKubernetesResource();
        copy.setApiVersion(object.getApiVersion());
        copy.setKind(object.getKind());
        ObjectMeta meta = new ObjectMetaBuilder(object.getMetadata()).build();
        meta.setAnnotations(kept);
        copy.setMetadata(meta);
        object.getAdditionalProperties().forEach(copy::setAdditionalProperty);
        return copy;
    }

    /**
     * A tree as JSON is read (maps, lists, strings, numbers), copied with its strings held once however many objects
     * share them (interned: the same condition types, reasons, messages and times recur across a fleet's statuses, and
     * JSON reads each afresh) and its maps held in a third of the room (a {@link CompactMap}, read only, where they are
     * small, as a status's are). At 10,000 services the statuses were most of the daemon's heap.
     */
    static Object compact(Object value) {
        if (value instanceof String s) {
            return s.intern();
        }
        if (value instanceof Map<?, ?> map) {
            if (map.size() <= CompactMap.MAX) {
                return CompactMap.copyOf(map, k -> String.valueOf(k).intern(), TrimmingStore::compact);
            }
            Map<String, Object> out = new LinkedHashMap<>(map.size() * 4 / 3 + 1);
            map.forEach((k, v) -> out.put(String.valueOf(k).intern(), compact(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(v -> out.add(compact(v)));
            return out;
        }
        return value;
    }

    private static Map<String, String> strings(Map<String, String> map) {
        if (map == null) {
            return null;
        }
        if (map.size() <= CompactMap.MAX) {
            return CompactMap.copyOf(map, String::intern, TrimmingStore::intern);
        }
        Map<String, String> out = new LinkedHashMap<>(map.size() * 4 / 3 + 1);
        map.forEach((k, v) -> out.put(k.intern(), intern(v)));
        return out;
    }

    private static String intern(String s) {
        return s == null ? null : s.intern();
    }

    /**
     * A CRD's metadata and conditions alone: its schema can be hundreds of kilobytes, and only whether it is served
     * matters here. (An informer may hand its handlers the stored copy, so the conditions stay.)
     */
    static CustomResourceDefinition crdConditions(CustomResourceDefinition crd) {
        CustomResourceDefinition kept = new CustomResourceDefinition();
        kept.setMetadata(TrimmingStore.withoutManagedFields(crd.getMetadata()));
        if (crd.getStatus() != null) {
            kept.setStatus(new CustomResourceDefinitionStatusBuilder().withConditions(crd.getStatus().getConditions()).build());
        }
        return kept;
    }
}
