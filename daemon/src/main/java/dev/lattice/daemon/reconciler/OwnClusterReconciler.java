package dev.lattice.daemon.reconciler;

import dev.lattice.core.addons.ClusterAddons;
import dev.lattice.core.capi.CapiVersions;
import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.model.LatticeCluster.ChildClusterHealth;
import dev.lattice.core.model.LatticeCluster.Phase;
import dev.lattice.core.model.LatticeCluster.WorkerPoolSpec;
import dev.lattice.core.model.LatticeCluster.WorkerPoolStatus;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.Pool;
import dev.lattice.core.status.ClusterStatus;
import dev.lattice.engine.kube.Applier;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.engine.kube.StatusWriter;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The LatticeCluster of the cluster this daemon runs in (after the pivot its Cluster API objects live here, watched
 * through {@link CapiCache}): worker pools' replicas, or min and max when autoscaled, are reconciled into their
 * MachineDeployments, so scaling a pool is editing the LatticeCluster; the status comes from the Cluster API objects
 * (ready control plane, per-pool replicas, endpoint, phase, conditions) and, on a parent, {@code childrenHealth} from
 * the agents' heartbeats; with backups on, {@code lastBackup} from Velero's Backups.
 */
public final class OwnClusterReconciler extends LatticeClusterReconciler {
    /** Phases of a cluster on its way out, which its own daemon leaves as they are. */
    private static final Set<Phase> LEAVING = EnumSet.of(Phase.DELETING, Phase.UNPIVOTING);
    private static final ResourceDefinitionContext BACKUPS = LiveInputs.context("velero.io/v1", "Backup", "backups", true);
    private static final ResourceDefinitionContext MACHINE_DEPLOYMENTS =
            LiveInputs.context(CapiVersions.CLUSTER_API, "MachineDeployment", "machinedeployments", true);

    private final KubernetesClient client;
    private final CapiCache capi;
    private final Supplier<String> self;
    private final Fleet fleet;
    private final Supplier<AddonReconciler.Report> addons;

    OwnClusterReconciler(KubernetesClient client, LatticeCache cache, CapiCache capi, StatusWriter status, Supplier<String> self,
                         Fleet fleet, Supplier<AddonReconciler.Report> addons) {
        super(cache, status);
        this.addons = addons;
        this.client = client;
        this.capi = capi;
        this.self = self;
        this.fleet = fleet;
    }

    @Override
    public String name() {
        return "own-cluster";
    }

    @Override
    boolean handles(String name) {
        return name.equals(self.get());
    }

    @Override
    void reconcile(LatticeCluster cluster, LatticeCache.Snapshot snapshot, ClusterStatus next, Long generation,
                   GenericKubernetesResource live) {
        AddonReconciler.Report report = addons.get();
        if (report != null) {
            next.condition("AddonsReady", report.ready(), report.reason(), report.message(), generation, status.now());
        }
        next.lastBackup(ClusterAddons.wanted(cluster).contains(ClusterAddons.BACKUPS) ? lastBackup() : null);
        Pool pool = snapshot.inputs().poolOf(cluster).orElse(null);
        String namespace = ClusterRenderer.namespaceOf(cluster);
        GenericKubernetesResource capiCluster = capi.cluster(namespace, cluster.name());
        Map<String, GenericKubernetesResource> deployments = capi.machineDeployments(namespace, cluster.name());
        if (capiCluster != null) {
            // Editing workerPools reshapes the cluster: a pool removed from the spec takes its machines with it.
            for (Map.Entry<String, GenericKubernetesResource> md : deployments.entrySet()) {
                if (!cluster.spec().nodes().workerPools().containsKey(md.getKey())) {
                    removePool(md.getValue());
                }
            }
        }
        Map<String, WorkerPoolStatus> pools = new TreeMap<>();
        int readyWorkers = 0;
        int desiredWorkers = 0;
        for (Map.Entry<String, WorkerPoolSpec> e : cluster.spec().nodes().workerPools().entrySet()) {
            WorkerPoolSpec wp = e.getValue();
            GenericKubernetesResource md = deployments.get(e.getKey());
            WorkerPoolStatus ps;
            if (md == null) {
                ps = new WorkerPoolStatus(wp.initialNodes(), null, null, wp.autoscaling(),
                        capiCluster == null ? "no Cluster API objects in this cluster" : addPool(cluster, pool, e.getKey()));
                desiredWorkers += wp.initialNodes();
            } else {
                scale(md, wp);
                int desired = wp.autoscaling() ? integer(CapiCache.at(md, "spec", "replicas"), wp.initialNodes()) : wp.initialNodes();
                int ready = integer(CapiCache.at(md, "status", "readyReplicas"), 0);
                ps = new WorkerPoolStatus(desired, integer(CapiCache.at(md, "status", "replicas"), 0), ready, wp.autoscaling(), null);
                readyWorkers += ready;
                desiredWorkers += desired;
            }
            pools.put(e.getKey(), ps);
        }
        next.workerPools(pools);
        if (capiCluster == null) {
            // Its API serves this daemon, so the cluster runs; it is only not managing its own machines (yet).
            if (next.phase() == Phase.FAILED || next.phase() == null) {
                next.phase(Phase.READY);
            }
            next.condition("Ready", true, "NotSelfManaged", "the cluster serves its API, but no Cluster "
                    + namespace + "/" + cluster.name() + " is here: it is not pivoted into itself, so it does not manage "
                    + "its own machines", generation, status.now());
            putChildrenHealth(next);
            return;
        }
        if (!Boolean.TRUE.equals(CapiCache.at(capiCluster, "spec", "paused"))) {
            next.pivotComplete(true); // its Cluster API objects are here and in charge
        }
        int desiredControlPlane = cluster.spec().nodes().controlPlane().replicas();
        GenericKubernetesResource controlPlane = capi.controlPlane(capiCluster);
        int readyControlPlane = controlPlane == null ? 0 : integer(CapiCache.at(controlPlane, "status", "readyReplicas"), 0);
        next.readyControlPlane(readyControlPlane).readyWorkers(readyWorkers);
        Object host = CapiCache.at(capiCluster, "spec", "controlPlaneEndpoint", "host");
        if (host != null && !host.toString().isEmpty()) {
            next.endpoint("https://" + host + ":" + integer(CapiCache.at(capiCluster, "spec", "controlPlaneEndpoint", "port"), 6443));
        }
        boolean controlPlaneReady = readyControlPlane >= desiredControlPlane;
        boolean ready = controlPlaneReady && readyWorkers >= desiredWorkers;
        if (LEAVING.contains(next.phase())) {
            // lattice uninstall is moving its objects out: that phase is the uninstall's to say.
        } else if (!next.pivotComplete()) {
            next.phase(Phase.PIVOTING); // its objects are here but still paused: the move is not done
        } else {
            next.phase(controlPlaneReady ? Phase.READY : Phase.PIVOTED);
        }
        next.condition("Ready", ready, ready ? "NodesReady" : "NodesNotReady",
                readyControlPlane + "/" + desiredControlPlane + " control-plane and " + readyWorkers + "/" + desiredWorkers
                        + " worker nodes ready", generation, status.now());
        next.message(null);
        putChildrenHealth(next);
        Instant lastHeartbeat = fleet.lastHeartbeatToParent();
        if (lastHeartbeat != null) {
            next.lastHeartbeat(lastHeartbeat);
        }
    }

    /**
     * The newest of Velero's Backups here (by when it started), read on each pass: a cluster keeps a month of daily
     * backups, a short list. None before Velero's CRDs are installed or its first backup.
     */
    private LatticeCluster.LastBackup lastBackup() {
        List<GenericKubernetesResource> backups;
        try {
            backups = client.genericKubernetesResources(BACKUPS).inNamespace(ClusterAddons.VELERO_NAMESPACE).list().getItems();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return null;
            }
            throw e;
        }
        GenericKubernetesResource newest = null;
        String newestStart = "";
        for (GenericKubernetesResource b : backups) {
            Object started = CapiCache.at(b, "status", "startTimestamp");
            String start = started != null ? started.toString() : Objects.toString(b.getMetadata().getCreationTimestamp(), "");
            // RFC 3339 times in UTC compare as text; the later name breaks a tie, for the same answer every time.
            if (newest == null || start.compareTo(newestStart) > 0
                    || start.equals(newestStart) && b.getMetadata().getName().compareTo(newest.getMetadata().getName()) > 0) {
                newest = b;
                newestStart = start;
            }
        }
        if (newest == null) {
            return null;
        }
        Object phase = CapiCache.at(newest, "status", "phase");
        Object completed = CapiCache.at(newest, "status", "completionTimestamp");
        Object items = CapiCache.at(newest, "status", "progress", "itemsBackedUp");
        return new LatticeCluster.LastBackup(newest.getMetadata().getName(), phase == null ? "New" : phase.toString(),
                newestStart.isEmpty() ? null : newestStart, completed == null ? null : completed.toString(),
                items instanceof Number n ? n.intValue() : null);
    }

    private void putChildrenHealth(ClusterStatus next) {
        List<ChildClusterHealth> health = new ArrayList<>();
        for (Fleet.ChildReport r : new TreeMap<>(fleet.children()).values()) {
            health.add(new ChildClusterHealth(r.name(), r.readyNodes(), r.totalNodes(), r.readyControlPlane(), r.totalControlPlane(),
                    r.connected() ? r.state() : "Disconnected", r.at().toString()));
        }
        next.childrenHealth(health);
    }

    /**
     * Creates a worker pool added to the spec: its machine template, bootstrap config template and MachineDeployment,
     * rendered as the install renders them. Returns what the pool's status says meanwhile.
     */
    private String addPool(LatticeCluster cluster, Pool pool, String poolName) {
        ClusterRenderer.Rendered rendered = ClusterRenderer.render(cluster, pool, null).workerPool(poolName);
        if (!rendered.variables().isEmpty()) {
            // The install filled these from its environment; this daemon has none of it, and guessing would make machines wrong.
            return "cannot create this pool's machines: its machine template needs " + String.join(", ", rendered.variables())
                    + "; give the value in the LatticeCluster or its pool";
        }
        new Applier(client).apply(rendered.objects(), Duration.ofSeconds(30));
        return "MachineDeployment " + cluster.name() + "-" + poolName + " created for this pool";
    }

    /** Deletes a worker pool's MachineDeployment (its machines go with it) and the templates it alone used. */
    private void removePool(GenericKubernetesResource md) {
        String namespace = md.getMetadata().getNamespace();
        client.genericKubernetesResources(MACHINE_DEPLOYMENTS).inNamespace(namespace).withName(md.getMetadata().getName()).delete();
        for (String ref : List.of("bootstrap.configRef", "infrastructureRef")) {
            Object target = CapiCache.at(md, ("spec.template.spec." + ref).split("\\."));
            if (target instanceof Map<?, ?> m && m.get("apiVersion") != null && m.get("kind") != null && m.get("name") != null) {
                String kind = m.get("kind").toString();
                try {
                    client.genericKubernetesResources(LiveInputs.context(m.get("apiVersion").toString(), kind, kind.toLowerCase() + "s", true))
                            .inNamespace(namespace).withName(m.get("name").toString()).delete();
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 404) {
                        throw e;
                    }
                }
            }
        }
    }

    /** Writes the pool's size into its MachineDeployment when it differs: replicas, or the autoscaler's bounds. */
    private void scale(GenericKubernetesResource md, WorkerPoolSpec wp) {
        GenericKubernetesResource patch = new GenericKubernetesResourceBuilder().withApiVersion(CapiVersions.CLUSTER_API)
                .withKind("MachineDeployment")
                .withNewMetadata().withNamespace(md.getMetadata().getNamespace()).withName(md.getMetadata().getName()).endMetadata()
                .build();
        boolean differs;
        if (wp.autoscaling()) {
            Map<String, String> annotations = Objects.requireNonNullElse(md.getMetadata().getAnnotations(), Map.of());
            String min = String.valueOf(wp.min());
            String max = String.valueOf(wp.max());
            differs = !min.equals(annotations.get(ClusterRenderer.AUTOSCALER_MIN)) || !max.equals(annotations.get(ClusterRenderer.AUTOSCALER_MAX));
            patch.getMetadata().setAnnotations(Map.of(ClusterRenderer.AUTOSCALER_MIN, min, ClusterRenderer.AUTOSCALER_MAX, max));
        } else {
            int replicas = wp.initialNodes();
            differs = !Integer.valueOf(replicas).equals(integer(CapiCache.at(md, "spec", "replicas"), -1));
            patch.setAdditionalProperty("spec", Map.of("replicas", replicas));
        }
        if (differs) {
            client.genericKubernetesResources(MACHINE_DEPLOYMENTS).inNamespace(md.getMetadata().getNamespace())
                    .resource(patch)
                    .fieldManager(Applier.FIELD_MANAGER).forceConflicts().serverSideApply();
        }
    }

    private static int integer(Object value, int otherwise) {
        return value instanceof Number n ? n.intValue() : otherwise;
    }
}
