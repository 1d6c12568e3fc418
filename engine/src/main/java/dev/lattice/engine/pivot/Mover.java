package dev.lattice.engine.pivot;

import dev.lattice.core.LatticeException;
import dev.lattice.core.capi.CapiVersions;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Moves one cluster's Cluster API objects from one management cluster to another, as {@code clusterctl move}
 * does: pause the Cluster; discover its object graph (objects of the provider CRDs, labelled
 * {@code cluster.x-k8s.io/provider}, and the Secrets and ConfigMaps that belong to it); create them on the target,
 * owners first, with server-written fields stripped and owner references rewired to the new UIDs; unpause on the
 * target; delete from the source, dependants first. Every object created carries its source UID in an
 * annotation, so a move that was interrupted resumes when run again. If anything fails before the target is
 * unpaused, the source is left whole, and unpaused unless someone else had paused it.
 */
public final class Mover {
    /** On each moved object: the UID it had on the source. */
    public static final String SOURCE_UID = "lattice.dev/move-source-uid";
    /** On a Cluster the move paused: a failed move unpauses it, and only it (someone else's pause is kept). */
    public static final String PAUSED_BY_MOVE = "lattice.dev/paused-by-move";
    private static final String CLUSTER_GROUP = "cluster.x-k8s.io";

    /** Told of each step as it happens: progress for people, and a seam for tests that interrupt a move. */
    public interface Listener {
        default void step(String message) {
        }

        default void created(GenericKubernetesResource object) {
        }
    }

    /** What a move did: objects created on the target, objects found there from an earlier run, objects deleted. */
    public record Result(int created, int resumed, int deleted) {
    }

    /** A kind to move: its API version (the CRD's storage version) and kind. */
    record Type(String apiVersion, String kind) {
    }

    private final KubernetesClient source;
    private final KubernetesClient target;
    private final Listener listener;

    public Mover(KubernetesClient source, KubernetesClient target, Listener listener) {
        this.source = source;
        this.target = target;
        this.listener = listener;
    }

    /** Moves the cluster {@code clusterName} whose objects live in {@code namespace}. */
    public Result move(String namespace, String clusterName) {
        List<Type> types = types();
        Type clusterType = clusterType(types);
        // Paused before it is read, so the copy the target gets is paused too until everything is there.
        boolean paused = clusterType != null && setPaused(source, clusterType, namespace, clusterName, true);
        List<GenericKubernetesResource> graph;
        Result copied;
        try {
            graph = graph(types, namespace, clusterName);
            copied = adopt(namespace, graph);
        } catch (RuntimeException e) {
            if (paused) {
                setPaused(source, clusterType, namespace, clusterName, false);
            }
            throw e;
        }
        int deleted = 0;
        for (int i = graph.size() - 1; i >= 0; i--) {
            deleted += deleteFromSource(graph.get(i)) ? 1 : 0;
        }
        listener.step("deleted " + deleted + " objects from the source");
        return new Result(copied.created(), copied.resumed(), deleted);
    }

    /**
     * The source's half of a move done in two steps (an unpivot over the agent stream): pauses the Cluster and returns
     * its object graph, owners first. The source keeps its objects, paused.
     */
    public List<GenericKubernetesResource> export(String namespace, String clusterName) {
        List<Type> types = types();
        Type clusterType = clusterType(types);
        if (clusterType != null) {
            setPaused(source, clusterType, namespace, clusterName, true);
        }
        return graph(types, namespace, clusterName);
    }

    /**
     * The target's half: creates {@code graph} (from {@link #export}, owners first) on the target, skipping what an
     * earlier, interrupted run created, and unpauses the Cluster there.
     */
    public Result adopt(String namespace, List<GenericKubernetesResource> graph) {
        listener.step("found " + graph.size() + " objects to move");
        target.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
                .serverSideApply();
        List<Type> types = graph.stream().map(o -> new Type(o.getApiVersion(), o.getKind())).distinct().toList();
        Map<String, String> newUids = earlierMoves(types, namespace);
        int created = 0;
        int resumed = 0;
        for (GenericKubernetesResource object : graph) {
            String oldUid = object.getMetadata().getUid();
            if (newUids.containsKey(oldUid)) {
                resumed++;
                continue;
            }
            GenericKubernetesResource made = create(copyFor(object, newUids));
            newUids.put(oldUid, made.getMetadata().getUid());
            created++;
            listener.created(made);
        }
        Type clusterType = clusterType(types);
        if (clusterType != null) {
            String name = graph.stream().filter(Mover::isCluster).findFirst().orElseThrow().getMetadata().getName();
            setPaused(target, clusterType, namespace, name, false);
        }
        listener.step("created " + created + " objects on the target (" + resumed + " from an earlier run); unpaused there");
        return new Result(created, resumed, 0);
    }

    private static Type clusterType(List<Type> types) {
        return types.stream().filter(t -> "Cluster".equals(t.kind()) && t.apiVersion().startsWith(CLUSTER_GROUP + "/"))
                .findFirst().orElse(null);
    }

    /** The cluster's objects in the order to create them; refused when there are none. */
    private List<GenericKubernetesResource> graph(List<Type> types, String namespace, String clusterName) {
        List<GenericKubernetesResource> graph = ordered(discover(types, namespace, clusterName));
        if (graph.isEmpty()) {
            throw new LatticeException("nothing to move: no Cluster API objects of cluster " + clusterName
                    + " in namespace " + namespace, "check the name and namespace with kubectl get clusters -A");
        }
        return graph;
    }

    /** The provider CRDs of the source, each read in its storage version, and Secrets and ConfigMaps. */
    private List<Type> types() {
        List<Type> types = new ArrayList<>();
        for (CustomResourceDefinition crd : source.apiextensions().v1().customResourceDefinitions().withLabel(CapiVersions.PROVIDER_LABEL).list().getItems()) {
            if (!"Namespaced".equals(crd.getSpec().getScope())) {
                continue;
            }
            String version = crd.getSpec().getVersions().stream().filter(CustomResourceDefinitionVersion::getStorage)
                    .map(CustomResourceDefinitionVersion::getName).findFirst().orElseThrow();
            types.add(new Type(crd.getSpec().getGroup() + "/" + version, crd.getSpec().getNames().getKind()));
        }
        types.sort(Comparator.comparing(Type::apiVersion).thenComparing(Type::kind));
        types.add(new Type("v1", "Secret"));
        types.add(new Type("v1", "ConfigMap"));
        return types;
    }

    /** The cluster's objects: its Cluster, what carries its name label, and what those own, transitively. */
    private List<GenericKubernetesResource> discover(List<Type> types, String namespace, String clusterName) {
        List<GenericKubernetesResource> all = new ArrayList<>();
        for (Type type : types) {
            all.addAll(source.genericKubernetesResources(type.apiVersion(), type.kind()).inNamespace(namespace).list().getItems());
        }
        Set<String> in = new HashSet<>();
        for (GenericKubernetesResource o : all) {
            Map<String, String> labels = o.getMetadata().getLabels();
            if (isCluster(o) && clusterName.equals(o.getMetadata().getName())
                    || labels != null && clusterName.equals(labels.get(CapiVersions.CLUSTER_NAME_LABEL))) {
                in.add(o.getMetadata().getUid());
            }
        }
        boolean grew = true;
        while (grew) {
            grew = false;
            for (GenericKubernetesResource o : all) {
                if (!in.contains(o.getMetadata().getUid())
                        && o.getMetadata().getOwnerReferences().stream().anyMatch(r -> in.contains(r.getUid()))) {
                    in.add(o.getMetadata().getUid());
                    grew = true;
                }
            }
        }
        return all.stream().filter(o -> in.contains(o.getMetadata().getUid())).toList();
    }

    /** Owners before what they own; among equals the Cluster first, then by kind and name, so every run agrees. */
    static List<GenericKubernetesResource> ordered(List<GenericKubernetesResource> objects) {
        Map<String, GenericKubernetesResource> byUid = new LinkedHashMap<>();
        objects.stream().sorted(Comparator.comparing((GenericKubernetesResource o) -> isCluster(o) ? 0 : 1)
                        .thenComparing(GenericKubernetesResource::getKind).thenComparing(o -> o.getMetadata().getName()))
                .forEach(o -> byUid.put(o.getMetadata().getUid(), o));
        List<GenericKubernetesResource> out = new ArrayList<>();
        Set<String> placed = new HashSet<>();
        while (out.size() < byUid.size()) {
            boolean progress = false;
            for (GenericKubernetesResource o : byUid.values()) {
                if (placed.contains(o.getMetadata().getUid())) {
                    continue;
                }
                boolean ready = o.getMetadata().getOwnerReferences().stream()
                        .allMatch(r -> !byUid.containsKey(r.getUid()) || placed.contains(r.getUid()));
                if (ready) {
                    out.add(o);
                    placed.add(o.getMetadata().getUid());
                    progress = true;
                    break;
                }
            }
            if (!progress) {
                throw new LatticeException("the owner references of the objects to move form a cycle", null);
            }
        }
        return out;
    }

    /** Source UID → target UID for objects an earlier, interrupted move already created. */
    private Map<String, String> earlierMoves(List<Type> types, String namespace) {
        Map<String, String> uids = new HashMap<>();
        for (Type type : types) {
            List<GenericKubernetesResource> there;
            try {
                there = target.genericKubernetesResources(type.apiVersion(), type.kind()).inNamespace(namespace).list().getItems();
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    continue; // the target lacks the CRD: creating will say so
                }
                throw e;
            }
            for (GenericKubernetesResource o : there) {
                Map<String, String> annotations = o.getMetadata().getAnnotations();
                if (annotations != null && annotations.containsKey(SOURCE_UID)) {
                    uids.put(annotations.get(SOURCE_UID), o.getMetadata().getUid());
                }
            }
        }
        return uids;
    }

    /** The object as the target should get it: no server-written fields, owners by their new UIDs. */
    private static GenericKubernetesResource copyFor(GenericKubernetesResource object, Map<String, String> newUids) {
        ObjectMeta m = object.getMetadata();
        Map<String, String> annotations = new TreeMap<>(m.getAnnotations() == null ? Map.of() : m.getAnnotations());
        annotations.put(SOURCE_UID, m.getUid());
        List<OwnerReference> owners = new ArrayList<>();
        for (OwnerReference r : m.getOwnerReferences()) {
            String uid = newUids.get(r.getUid());
            if (uid == null) {
                continue;
            }
            owners.add(new OwnerReferenceBuilder(r).withUid(uid).build());
        }
        ObjectMeta meta = new ObjectMetaBuilder().withName(m.getName()).withNamespace(m.getNamespace())
                .withLabels(m.getLabels()).withAnnotations(annotations).withOwnerReferences(owners)
                .withFinalizers(m.getFinalizers()).build();
        Map<String, Object> rest = new LinkedHashMap<>(object.getAdditionalProperties());
        return new GenericKubernetesResourceBuilder().withApiVersion(object.getApiVersion()).withKind(object.getKind())
                .withMetadata(meta).withAdditionalProperties(rest).build();
    }

    private GenericKubernetesResource create(GenericKubernetesResource object) {
        var resources = target.genericKubernetesResources(object.getApiVersion(), object.getKind())
                .inNamespace(object.getMetadata().getNamespace());
        GenericKubernetesResource made;
        try {
            made = resources.resource(object).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                throw new LatticeException("the target cannot store " + object.getKind() + " (" + object.getApiVersion() + ")",
                        "install the same Cluster API providers on the target first");
            }
            if (e.getCode() != 409) {
                throw e;
            }
            throw new LatticeException("the target already has " + object.getKind() + " " + object.getMetadata().getNamespace()
                    + "/" + object.getMetadata().getName() + ", and it did not come from this cluster's move",
                    "delete it there, or move the cluster to another management cluster");
        }
        Object status = object.getAdditionalProperties().get("status");
        if (status != null && !Objects.equals(status, made.getAdditionalProperties().get("status"))) {
            made.setAdditionalProperty("status", status);
            made = resources.resource(made).updateStatus();
        }
        return made;
    }

    private boolean deleteFromSource(GenericKubernetesResource object) {
        var one = source.genericKubernetesResources(object.getApiVersion(), object.getKind())
                .inNamespace(object.getMetadata().getNamespace()).withName(object.getMetadata().getName());
        if (one.get() == null) {
            return false;
        }
        // Its controllers are paused and will not remove their finalizers: the object is gone from here by design.
        if (!object.getMetadata().getFinalizers().isEmpty()) {
            one.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":null}}");
        }
        one.delete();
        return true;
    }

    /**
     * Pauses or unpauses the Cluster. Pausing marks it with {@link #PAUSED_BY_MOVE} unless someone had paused it
     * already, and returns whether the pause is the move's own (now, or by an earlier run of it), so that a failed
     * move unpauses only what it paused. Unpausing removes the mark.
     */
    private static boolean setPaused(KubernetesClient client, Type clusterType, String namespace, String name, boolean paused) {
        var cluster = client.genericKubernetesResources(clusterType.apiVersion(), clusterType.kind()).inNamespace(namespace).withName(name);
        GenericKubernetesResource current = cluster.get();
        if (current == null) {
            return false;
        }
        if (!paused) {
            cluster.patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"metadata\":{\"annotations\":{\"" + PAUSED_BY_MOVE + "\":null}},\"spec\":{\"paused\":false}}");
            return true;
        }
        Object spec = current.getAdditionalProperties().get("spec");
        boolean wasPaused = spec instanceof Map<?, ?> m && Boolean.TRUE.equals(m.get("paused"));
        Map<String, String> annotations = current.getMetadata().getAnnotations();
        if (wasPaused) {
            return annotations != null && annotations.containsKey(PAUSED_BY_MOVE);
        }
        cluster.patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"annotations\":{\"" + PAUSED_BY_MOVE + "\":\"true\"}},\"spec\":{\"paused\":true}}");
        return true;
    }

    private static boolean isCluster(GenericKubernetesResource o) {
        return "Cluster".equals(o.getKind()) && o.getApiVersion().startsWith(CLUSTER_GROUP + "/");
    }

}
