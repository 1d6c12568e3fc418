package dev.lattice.daemon.reconciler;

import dev.lattice.core.mesh.MeshCompiler.CompiledKind;
import dev.lattice.core.mesh.MeshCompiler;
import dev.lattice.engine.kube.Applier;
import dev.lattice.engine.kube.Coordinates;
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
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>The cluster takes what it can: an object of a kind it does not serve yet (a mesh policy before its CRD is
 * installed) waits, an object the server refuses fails alone, and neither holds back the others. Both are sent again
 * on the next pass, and the outcome says which they are and why.
 */
public final class ObjectSync {
    /** Which daemon compiled the object. */
    public static final String SOURCE_LABEL = "lattice.dev/source";
    private static final Duration FOUNDATIONS = Duration.ofSeconds(30);

    /**
     * What a pass did: how many objects it applied or deleted, and the objects it could not apply, each with why:
     * those {@code waiting} for their kind to be served, and those that {@code failed}.
     */
    public record Outcome(int changed, Map<Coordinates, String> waiting, Map<Coordinates, String> failed) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(ObjectSync.class);

    private final KubernetesClient client;
    private final Applier applier;
    private final Function<Coordinates, String> unserved;
    /** What this process applied, by source: each object's coordinates and a hash of what was sent. */
    private final Map<String, Map<Coordinates, Integer>> applied = new HashMap<>();

    /** A cluster taken to serve every kind: an object of a kind it lacks fails like any refused object. */
    public ObjectSync(KubernetesClient client) {
        this(client, ref -> null);
    }

    /** @param unserved why the cluster cannot take an object's kind yet, or null when it can */
    public ObjectSync(KubernetesClient client, Function<Coordinates, String> unserved) {
        this.client = client;
        this.applier = new Applier(client, Duration.ofMillis(50));
        this.unserved = unserved;
    }

    /**
     * Applies {@code desired} from {@code source} and deletes what that source applied before and no longer wants.
     * An object that waits or fails is left out of this process's memory, so the next pass sends it again.
     */
    public synchronized Outcome sync(String source, List<? extends HasMetadata> desired, boolean full) {
        Map<Coordinates, Integer> before = applied.get(source);
        Map<Coordinates, Integer> now = new LinkedHashMap<>();
        List<HasMetadata> changed = new ArrayList<>();
        for (HasMetadata o : desired) {
            Coordinates ref = Coordinates.of(o);
            int hash = o.hashCode();
            now.put(ref, hash);
            if (full || before == null || !Integer.valueOf(hash).equals(before.get(ref))) {
                changed.add(o);
            }
        }
        applied.remove(source); // should this pass die half-way, the next one is a full one
        Outcome outcome = apply(source, changed);
        Set<Coordinates> wanted = new LinkedHashSet<>(now.keySet());
        now.keySet().removeAll(outcome.waiting().keySet());
        now.keySet().removeAll(outcome.failed().keySet());
        Set<Coordinates> stale = new LinkedHashSet<>(full || before == null ? held(source) : before.keySet());
        stale.removeAll(wanted);
        stale.removeIf(r -> "Namespace".equals(r.kind()));
        Map<Coordinates, String> notDeleted = delete(List.copyOf(stale));
        Map<Coordinates, String> failed = new LinkedHashMap<>(outcome.failed());
        failed.putAll(notDeleted);
        notDeleted.keySet().forEach(r -> now.put(r, 0)); // remembered, so the next pass finds it stale and tries again
        applied.put(source, now);
        return new Outcome(outcome.changed() + stale.size() - notDeleted.size(), outcome.waiting(), failed);
    }

    /**
     * Applies the objects labelled as coming from {@code source}, each on its own: Namespaces first, then the rest in
     * the order given; an object of a kind not served yet waits, one the server refuses fails, and the rest go on.
     */
    public Outcome apply(String source, List<? extends HasMetadata> objects) {
        Map<Coordinates, String> waiting = new LinkedHashMap<>();
        Map<Coordinates, String> failed = new LinkedHashMap<>();
        Set<String> failedNamespaces = new LinkedHashSet<>();
        int done = 0;
        List<HasMetadata> ordered = new ArrayList<>(objects.stream().filter(ObjectSync::isNamespace).toList());
        ordered.addAll(objects.stream().filter(o -> !isNamespace(o)).toList());
        for (HasMetadata o : ordered) {
            Coordinates ref = Coordinates.of(o);
            String why = unserved.apply(ref);
            if (why != null) {
                waiting.put(ref, why);
            } else if (ref.namespace() != null && failedNamespaces.contains(ref.namespace())) {
                failed.put(ref, "its namespace " + ref.namespace() + " could not be applied");
            } else {
                try {
                    applier.apply(List.of(labelled(o, source)), FOUNDATIONS);
                    done++;
                } catch (RuntimeException e) {
                    failed.put(ref, reason(e));
                    if (isNamespace(o)) {
                        failedNamespaces.add(ref.name());
                    }
                }
            }
        }
        return new Outcome(done, waiting, failed);
    }

    /**
     * The compiled objects from {@code source} the cluster holds (Namespaces aside: they are never deleted). A kind
     * that cannot be listed (not installed, or forbidden) holds nothing to find, and the others are still listed.
     */
    public List<Coordinates> held(String source) {
        List<Coordinates> held = new ArrayList<>();
        for (CompiledKind kind : MeshCompiler.KINDS) {
            try {
                for (GenericKubernetesResource r : client.genericKubernetesResources(context(kind)).inAnyNamespace()
                        .withLabel(MeshCompiler.MANAGED_BY_LABEL, MeshCompiler.MANAGER).withLabel(SOURCE_LABEL, source)
                        .list().getItems()) {
                    held.add(new Coordinates(kind.apiVersion(), kind.kind(), r.getMetadata().getNamespace(), r.getMetadata().getName()));
                }
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) { // a kind whose CRD is not installed holds nothing, and says nothing of it
                    LOG.warn("cannot list {} to find stale ones: {}", kind.kind(), Applier.reason(e));
                }
            }
        }
        return held;
    }

    /**
     * Deletes the objects, each on its own; one already gone is not an error. Namespaces are kept. Returns those that
     * could not be deleted, with why.
     */
    public Map<Coordinates, String> delete(List<Coordinates> refs) {
        Map<Coordinates, String> failed = new LinkedHashMap<>();
        for (Coordinates ref : refs) {
            if ("Namespace".equals(ref.kind()) && "v1".equals(ref.apiVersion())) {
                continue;
            }
            CompiledKind kind = MeshCompiler.KINDS.stream()
                    .filter(k -> k.apiVersion().equals(ref.apiVersion()) && k.kind().equals(ref.kind())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("not a kind Lattice compiles: " + ref));
            try {
                client.genericKubernetesResources(context(kind)).inNamespace(ref.namespace()).withName(ref.name()).delete();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    failed.put(ref, "cannot delete it: " + Applier.reason(e));
                }
            }
        }
        return failed;
    }

    private static boolean isNamespace(HasMetadata o) {
        return "Namespace".equals(o.getKind()) && "v1".equals(o.getApiVersion());
    }

    /** The server's words for a refusal, without the hint meant for a person at a terminal. */
    private static String reason(RuntimeException e) {
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof KubernetesClientException)) {
            cause = cause.getCause();
        }
        return cause instanceof KubernetesClientException k ? Applier.reason(k) : String.valueOf(e.getMessage());
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
