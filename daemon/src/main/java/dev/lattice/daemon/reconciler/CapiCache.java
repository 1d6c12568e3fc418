package dev.lattice.daemon.reconciler;

import dev.lattice.core.capi.CapiVersions;
import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.engine.kube.LiveInputs;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This cluster's Cluster API objects (Clusters, MachineDeployments, control planes) as informers hold them, so that a
 * change in them (a machine ready, an endpoint set) reaches the LatticeCluster's status as an event rather than at the
 * next poll. A kind is watched once its CRD is served and no longer when its CRD goes: the Cluster API may come after
 * the daemon (a pivot installs it) or not at all. The informers' stores keep objects without their managedFields and
 * are never edited.
 */
public final class CapiCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CapiCache.class);

    /** A Cluster API kind this cache watches. */
    record Watched(String apiVersion, String kind, String plural) {
        String crd() {
            return plural + "." + apiVersion.substring(0, apiVersion.indexOf('/'));
        }
    }

    static final Watched CLUSTER = new Watched(CapiVersions.CLUSTER_API, "Cluster", "clusters");
    static final Watched MACHINE_DEPLOYMENT = new Watched(CapiVersions.CLUSTER_API, "MachineDeployment", "machinedeployments");
    private static final List<Watched> CONTROL_PLANES = List.of(
            new Watched(CapiVersions.KUBEADM_CONTROL_PLANE_API, "KubeadmControlPlane", "kubeadmcontrolplanes"),
            new Watched(CapiVersions.RKE2_CONTROL_PLANE_API, "RKE2ControlPlane", "rke2controlplanes"));
    private static final List<Watched> ALL = List.of(CLUSTER, MACHINE_DEPLOYMENT, CONTROL_PLANES.get(0), CONTROL_PLANES.get(1));

    private final KubernetesClient client;
    private final Map<Watched, SharedIndexInformer<GenericKubernetesResource>> informers = new ConcurrentHashMap<>();
    private final List<SharedIndexInformer<CustomResourceDefinition>> crds = new ArrayList<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    public CapiCache(KubernetesClient client) {
        this.client = client;
    }

    /** Called with the name of the cluster whose Cluster API objects were added, changed or deleted. */
    public void onChange(Consumer<String> listener) {
        listeners.add(listener);
    }

    /** Watches the CRDs, and waits until the kinds already served are listed once. */
    public void start() {
        for (Watched watched : ALL) {
            SharedIndexInformer<CustomResourceDefinition> informer = client.apiextensions().v1().customResourceDefinitions()
                    .withField("metadata.name", watched.crd()).runnableInformer(0).itemStore(new TrimmingStore<>(TrimmingStore::crdConditions));
            informer.addEventHandler(InformerEvents.of(crd -> served(watched, crd), crd -> gone(watched)));
            crds.add(informer);
        }
        crds.forEach(i -> i.start().toCompletableFuture().join());
        // The handlers run on the informers' own threads, maybe later: start what is served now, so that the first
        // reconcile sees the Cluster API objects there are.
        for (int i = 0; i < ALL.size(); i++) {
            for (CustomResourceDefinition crd : crds.get(i).getStore().list()) {
                served(ALL.get(i), crd);
            }
        }
        for (SharedIndexInformer<GenericKubernetesResource> informer : informers.values()) {
            try {
                informer.start().toCompletableFuture().get(1, TimeUnit.MINUTES);
            } catch (Exception e) {
                LOG.warn("listing Cluster API objects: {}; the watch goes on trying", e.getMessage());
            }
        }
    }

    private void served(Watched watched, CustomResourceDefinition crd) {
        boolean established = crd.getStatus() != null && crd.getStatus().getConditions() != null && crd.getStatus().getConditions()
                .stream().anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
        if (!established || closed) {
            return;
        }
        informers.computeIfAbsent(watched, w -> {
            SharedIndexInformer<GenericKubernetesResource> informer = client.genericKubernetesResources(
                    LiveInputs.context(w.apiVersion(), w.kind(), w.plural(), true)).inAnyNamespace().runnableInformer(0)
                    .itemStore(new TrimmingStore<>(TrimmingStore::without));
            informer.addEventHandler(InformerEvents.of(obj -> changed(w, obj), obj -> changed(w, obj)));
            LOG.info("watching the Cluster API's {} objects", w.kind());
            informer.start(); // not waited for here: readers check hasSynced
            return informer;
        });
    }

    private void gone(Watched watched) {
        SharedIndexInformer<GenericKubernetesResource> informer = informers.remove(watched);
        if (informer != null) {
            informer.close();
            LOG.info("the Cluster API's {} objects are no longer served: their watch stops", watched.kind());
            listeners.forEach(l -> informer.getStore().list().stream().map(this::clusterOf).filter(Objects::nonNull).distinct()
                    .forEach(l));
        }
    }

    private void changed(Watched watched, GenericKubernetesResource obj) {
        String cluster = watched.equals(CLUSTER) ? obj.getMetadata().getName() : clusterOf(obj);
        if (cluster != null) {
            listeners.forEach(l -> l.accept(cluster));
        }
    }

    /** The cluster an object belongs to: its cluster-name label, else its owning Cluster, else the Cluster that refers to it. */
    private String clusterOf(GenericKubernetesResource obj) {
        ObjectMeta meta = obj.getMetadata();
        if (meta.getLabels() != null && meta.getLabels().get(CapiVersions.CLUSTER_NAME_LABEL) != null) {
            return meta.getLabels().get(CapiVersions.CLUSTER_NAME_LABEL);
        }
        for (OwnerReference owner : Objects.requireNonNullElse(meta.getOwnerReferences(), List.<OwnerReference>of())) {
            if ("Cluster".equals(owner.getKind())) {
                return owner.getName();
            }
        }
        SharedIndexInformer<GenericKubernetesResource> clusters = informers.get(CLUSTER);
        if (clusters == null) {
            return null;
        }
        return clusters.getStore().list().stream()
                .filter(c -> Objects.equals(c.getMetadata().getNamespace(), meta.getNamespace())
                        && meta.getName().equals(at(c, "spec", "controlPlaneRef", "name")))
                .map(c -> c.getMetadata().getName()).findFirst().orElse(null);
    }

    /** Whether this cluster serves the Cluster API at all. */
    public boolean served() {
        return informers.containsKey(CLUSTER);
    }

    /** The Cluster {@code namespace/name}, or null when there is none (or the Cluster API is not served). */
    public GenericKubernetesResource cluster(String namespace, String name) {
        return get(CLUSTER, namespace, name);
    }

    /** The MachineDeployments of {@code cluster} in {@code namespace} by the worker pool they serve. */
    public Map<String, GenericKubernetesResource> machineDeployments(String namespace, String cluster) {
        Map<String, GenericKubernetesResource> byPool = new TreeMap<>();
        for (GenericKubernetesResource md : listed(MACHINE_DEPLOYMENT)) {
            Map<String, String> labels = Objects.requireNonNullElse(md.getMetadata().getLabels(), Map.of());
            if (Objects.equals(md.getMetadata().getNamespace(), namespace) && cluster.equals(labels.get(CapiVersions.CLUSTER_NAME_LABEL))
                    && labels.get(ClusterRenderer.POOL_LABEL) != null) {
                byPool.put(labels.get(ClusterRenderer.POOL_LABEL), md);
            }
        }
        return byPool;
    }

    /** The control plane a Cluster refers to (a kind this cache watches), or null. */
    public GenericKubernetesResource controlPlane(GenericKubernetesResource capiCluster) {
        Object kind = at(capiCluster, "spec", "controlPlaneRef", "kind");
        Object name = at(capiCluster, "spec", "controlPlaneRef", "name");
        for (Watched w : CONTROL_PLANES) {
            if (w.kind().equals(kind) && name != null) {
                return get(w, capiCluster.getMetadata().getNamespace(), name.toString());
            }
        }
        return null;
    }

    private GenericKubernetesResource get(Watched watched, String namespace, String name) {
        SharedIndexInformer<GenericKubernetesResource> informer = synced(watched);
        return informer == null ? null : informer.getStore().getByKey(namespace + "/" + name);
    }

    private List<GenericKubernetesResource> listed(Watched watched) {
        SharedIndexInformer<GenericKubernetesResource> informer = synced(watched);
        return informer == null ? List.of() : informer.getStore().list();
    }

    /** The informer of a served kind once it has listed everything; null when the kind is not served. */
    private SharedIndexInformer<GenericKubernetesResource> synced(Watched watched) {
        SharedIndexInformer<GenericKubernetesResource> informer = informers.get(watched);
        if (informer != null && !informer.hasSynced()) {
            // Acting on half a list would add or remove worker pools that are there: fail, and the queue tries again.
            throw new IllegalStateException("the Cluster API's " + watched.kind() + " objects are still being listed");
        }
        return informer;
    }

    static Object at(GenericKubernetesResource r, String... path) {
        Object node = r.getAdditionalProperties();
        for (String p : path) {
            if (!(node instanceof Map<?, ?> m)) {
                return null;
            }
            node = m.get(p);
        }
        return node;
    }

    @Override
    public void close() {
        closed = true;
        crds.forEach(SharedIndexInformer::close);
        informers.values().forEach(SharedIndexInformer::close);
        informers.clear();
    }
}
