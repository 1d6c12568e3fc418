package dev.lattice.daemon.reconciler;

import dev.lattice.core.mesh.MeshCompiler.CompiledKind;
import dev.lattice.core.mesh.MeshCompiler;
import dev.lattice.engine.kube.Applier;
import dev.lattice.engine.kube.LiveInputs;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps a cluster holding exactly the compiled objects it should: applies them with server-side apply (Lattice's
 * one field manager) and deletes the compiled objects of the same source that are no longer wanted, so a removed
 * service or a withdrawn declaration takes its objects and allow rules with it.
 *
 * <p>Each object is labelled with its source, the cluster whose daemon compiled it: a child's own reconciler and the
 * objects its parent sends then never prune each other's.
 *
 * <p>A fleet compiles to thousands of objects and a change touches a few, so between full passes only objects whose
 * content changed since this process last applied them are sent, and stale ones are found from that memory. A full
 * pass (every object applied, stale ones found by listing) runs first and whenever {@code full} is asked for, which
 * also repairs hand edits.
 */
public final class ObjectSync {
    /** Which daemon compiled the object. */
    public static final String SOURCE_LABEL = "lattice.dev/source";
    private static final Duration FOUNDATIONS = Duration.ofSeconds(30);

    /** An object's coordinates. */
    public record Ref(String apiVersion, String kind, String namespace, String name) {
        public static Ref of(HasMetadata object) {
            return new Ref(object.getApiVersion(), object.getKind(), object.getMetadata().getNamespace(), object.getMetadata().getName());
        }

        @Override
        public String toString() {
            return kind + " " + (namespace == null ? "" : namespace + "/") + name;
        }
    }

    private final KubernetesClient client;
    private final Applier applier;
    /** What this process applied, by source: each object's coordinates and a hash of what was sent. */
    private final Map<String, Map<Ref, Integer>> applied = new HashMap<>();

    public ObjectSync(KubernetesClient client) {
        this.client = client;
        this.applier = new Applier(client, Duration.ofMillis(50));
    }

    /**
     * Applies {@code desired} from {@code source} and deletes what that source applied before and no longer wants.
     * Returns how many objects were applied or deleted.
     */
    public synchronized int sync(String source, List<? extends HasMetadata> desired, boolean full) {
        Map<Ref, Integer> before = applied.get(source);
        Map<Ref, Integer> now = new LinkedHashMap<>();
        List<HasMetadata> changed = new ArrayList<>();
        for (HasMetadata o : desired) {
            Ref ref = Ref.of(o);
            int hash = o.hashCode();
            now.put(ref, hash);
            if (full || before == null || !Integer.valueOf(hash).equals(before.get(ref))) {
                changed.add(o);
            }
        }
        applied.remove(source); // should the apply fail half-way, the next pass is a full one
        apply(source, changed);
        Set<Ref> stale = new LinkedHashSet<>(full || before == null ? held(source) : before.keySet());
        stale.removeAll(now.keySet());
        stale.removeIf(r -> "Namespace".equals(r.kind()));
        delete(List.copyOf(stale));
        applied.put(source, now);
        return changed.size() + stale.size();
    }

    /** Applies the objects labelled as coming from {@code source}; returns them as applied. */
    public List<GenericKubernetesResource> apply(String source, List<? extends HasMetadata> objects) {
        List<GenericKubernetesResource> labelled = objects.stream().map(o -> labelled(o, source)).toList();
        if (!labelled.isEmpty()) {
            applier.apply(labelled, FOUNDATIONS);
        }
        return labelled;
    }

    /** The compiled objects from {@code source} the cluster holds (Namespaces aside: they are never deleted). */
    public List<Ref> held(String source) {
        List<Ref> held = new ArrayList<>();
        for (CompiledKind kind : MeshCompiler.KINDS) {
            try {
                for (GenericKubernetesResource r : client.genericKubernetesResources(context(kind)).inAnyNamespace()
                        .withLabel(MeshCompiler.MANAGED_BY_LABEL, MeshCompiler.MANAGER).withLabel(SOURCE_LABEL, source)
                        .list().getItems()) {
                    held.add(new Ref(kind.apiVersion(), kind.kind(), r.getMetadata().getNamespace(), r.getMetadata().getName()));
                }
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) { // a kind whose CRD is not installed holds nothing
                    throw e;
                }
            }
        }
        return held;
    }

    /** Deletes the objects; one already gone is not an error. Namespaces are kept. */
    public void delete(List<Ref> refs) {
        for (Ref ref : refs) {
            if ("Namespace".equals(ref.kind()) && "v1".equals(ref.apiVersion())) {
                continue;
            }
            CompiledKind kind = MeshCompiler.KINDS.stream()
                    .filter(k -> k.apiVersion().equals(ref.apiVersion()) && k.kind().equals(ref.kind())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("not a kind Lattice compiles: " + ref));
            client.genericKubernetesResources(context(kind)).inNamespace(ref.namespace()).withName(ref.name()).delete();
        }
    }

    private static ResourceDefinitionContext context(CompiledKind kind) {
        return LiveInputs.context(kind.apiVersion(), kind.kind(), kind.plural(), true);
    }

    /** A copy of the object labelled with its source; the object itself, which a plan may share, is left as it is. */
    private GenericKubernetesResource labelled(HasMetadata object, String source) {
        GenericKubernetesResource copy = client.getKubernetesSerialization().convertValue(object, GenericKubernetesResource.class);
        copy.setMetadata(new ObjectMetaBuilder(copy.getMetadata()).addToLabels(SOURCE_LABEL, source).build());
        return copy;
    }
}
