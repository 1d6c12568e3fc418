package dev.lattice.daemon.reconciler;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionStatusBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.List;
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

    /** A copy of {@code object} without its managedFields and without the top-level {@code fields}. */
    static GenericKubernetesResource without(GenericKubernetesResource object, String... fields) {
        GenericKubernetesResource kept = new GenericKubernetesResource();
        kept.setApiVersion(object.getApiVersion());
        kept.setKind(object.getKind());
        kept.setMetadata(withoutManagedFields(object.getMetadata()));
        List<String> left = List.of(fields);
        object.getAdditionalProperties().forEach((k, v) -> {
            if (!left.contains(k)) {
                kept.setAdditionalProperty(k, v);
            }
        });
        return kept;
    }

    static ObjectMeta withoutManagedFields(ObjectMeta meta) {
        ObjectMeta copy = new ObjectMetaBuilder(meta).build();
        copy.setManagedFields(null); // null, not empty: an empty list written back would clear them on the server
        return copy;
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
