package dev.lattice.daemon.reconciler;

import dev.lattice.core.capacity.PoolAccounting;
import dev.lattice.core.capi.CapiVersions;
import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.install.BootstrapTokens;
import dev.lattice.core.model.Kind;
import dev.lattice.core.model.LatticeCluster.ChildClusterHealth;
import dev.lattice.core.model.LatticeCluster.Phase;
import dev.lattice.core.model.LatticeCluster.WorkerPoolSpec;
import dev.lattice.core.model.LatticeCluster.WorkerPoolStatus;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.Pool;
import dev.lattice.core.status.ClusterStatus;
import dev.lattice.engine.install.ChildProvisioning;
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
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * LatticeCluster. For this cluster's own LatticeCluster (after the pivot its Cluster API objects live here): worker
 * pools' replicas, or min and max when autoscaled, are reconciled into their MachineDeployments, so scaling a pool is
 * editing the LatticeCluster; the status comes from the Cluster API objects (ready control plane, per-pool replicas,
 * endpoint, phase, conditions) and, on a parent, {@code childrenHealth} from the agents' heartbeats. For a child
 * LatticeCluster on a parent: a refusal by its pool is {@code Failed} with the pool's message; otherwise it gets its
 * one-time bootstrap token and its agent's reports. Keys are cluster names.
 */
public final class ClusterReconciler implements Reconciler {
    private static final Set<Phase> IN_PROVISIONING = EnumSet.of(Phase.PROVISIONING, Phase.PIVOTING);
    /** Phases a child's heartbeats do not turn into Ready: the parent is still provisioning or deleting it. */
    private static final Set<Phase> NOT_READY_YET = EnumSet.of(Phase.PROVISIONING, Phase.PIVOTING, Phase.DELETING, Phase.UNPIVOTING);
    /** Phases of a cluster on its way out, which its own daemon leaves as they are. */
    private static final Set<Phase> LEAVING = EnumSet.of(Phase.DELETING, Phase.UNPIVOTING);
    private static final ResourceDefinitionContext CAPI_CLUSTER = capi(CapiVersions.CLUSTER_API, "Cluster", "clusters");
    private static final ResourceDefinitionContext MACHINE_DEPLOYMENTS =
            capi(CapiVersions.CLUSTER_API, "MachineDeployment", "machinedeployments");

    private final KubernetesClient client;
    private final LatticeCache cache;
    private final StatusWriter status;
    private final Supplier<String> self;
    private final Fleet fleet;
    private final Provisioning provisioning;
    private final BootstrapTokens tokens;

    ClusterReconciler(KubernetesClient client, LatticeCache cache, StatusWriter status, Supplier<String> self, Fleet fleet,
                      Provisioning provisioning, BootstrapTokens tokens) {
        this.tokens = tokens;
        this.client = client;
        this.cache = cache;
        this.status = status;
        this.self = self;
        this.fleet = fleet;
        this.provisioning = provisioning;
    }

    @Override
    public String name() {
        return "clusters";
    }

    @Override
    public void reconcile(String name) {
        GenericKubernetesResource live = cache.get(Kind.LATTICE_CLUSTER, null, name);
        if (live == null) {
            return;
        }
        Long generation = live.getMetadata().getGeneration();
        ClusterStatus next = StatusWriter.ofCluster(live).observedGeneration(generation);
        LatticeCache.Snapshot snapshot = cache.snapshot();
        Optional<LatticeCache.Rejected> rejected = snapshot.rejected(Kind.LATTICE_CLUSTER).stream()
                .filter(r -> r.live().getMetadata().getName().equals(name)).findFirst();
        if (rejected.isPresent()) {
            failed(next, "InvalidSpec", rejected.get().problems().get(0).render(), generation);
            status.write(Kind.LATTICE_CLUSTER, live, next);
            return;
        }
        LatticeCluster cluster = snapshot.inputs().clusters().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
        if (name.equals(self.get())) {
            own(cluster, snapshot.inputs().poolOf(cluster).orElse(null), next, generation);
        } else {
            child(cluster, snapshot, next, generation, live);
        }
        status.write(Kind.LATTICE_CLUSTER, live, next);
    }

    private void own(LatticeCluster cluster, Pool pool, ClusterStatus next, Long generation) {
        String namespace = ClusterRenderer.namespaceOf(cluster);
        GenericKubernetesResource capiCluster = get(CAPI_CLUSTER, namespace, cluster.name());
        Map<String, GenericKubernetesResource> deployments = machineDeployments(namespace, cluster.name());
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
                int desired = wp.autoscaling() ? integer(at(md, "spec", "replicas"), wp.initialNodes()) : wp.initialNodes();
                int ready = integer(at(md, "status", "readyReplicas"), 0);
                ps = new WorkerPoolStatus(desired, integer(at(md, "status", "replicas"), 0), ready, wp.autoscaling(), null);
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
        if (!Boolean.TRUE.equals(at(capiCluster, "spec", "paused"))) {
            next.pivotComplete(true); // its Cluster API objects are here and in charge
        }
        int desiredControlPlane = cluster.spec().nodes().controlPlane().replicas();
        int readyControlPlane = readyControlPlane(capiCluster, namespace);
        next.readyControlPlane(readyControlPlane).readyWorkers(readyWorkers);
        Object host = at(capiCluster, "spec", "controlPlaneEndpoint", "host");
        if (host != null && !host.toString().isEmpty()) {
            next.endpoint("https://" + host + ":" + integer(at(capiCluster, "spec", "controlPlaneEndpoint", "port"), 6443));
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

    private void putChildrenHealth(ClusterStatus next) {
        List<ChildClusterHealth> health = new ArrayList<>();
        for (Fleet.ChildReport r : new TreeMap<>(fleet.children()).values()) {
            health.add(new ChildClusterHealth(r.name(), r.readyNodes(), r.totalNodes(), r.readyControlPlane(), r.totalControlPlane(),
                    r.connected() ? r.state() : "Disconnected", r.at().toString()));
        }
        next.childrenHealth(health);
    }

    private void child(LatticeCluster cluster, LatticeCache.Snapshot snapshot, ClusterStatus next, Long generation,
                       GenericKubernetesResource live) {
        Phase phase = next.phase();
        boolean provisioned = phase != null && phase != Phase.PENDING && phase != Phase.FAILED;
        Optional<PoolAccounting.Refusal> refusal = snapshot.ledger().refusals().stream()
                .filter(r -> r.cluster().equals(cluster.name())).findFirst();
        if (!provisioned && refusal.isPresent()) {
            failed(next, "PoolRefused", refusal.get().message(), generation);
            next.forgetToken();
            return;
        }
        if (!provisioned) {
            next.phase(Phase.PENDING).message(null);
        }
        token(cluster, next);
        provision(cluster, snapshot, next, generation, live);
        Fleet.ChildReport report = fleet.children().get(cluster.name());
        if (report == null) {
            next.condition("AgentConnected", false, "NeverConnected",
                    "the cluster's agent has not connected to this parent", generation, status.now());
            return;
        }
        next.readyControlPlane(report.readyControlPlane()).readyWorkers(report.readyNodes() - report.readyControlPlane())
                .lastHeartbeat(report.at());
        // A child this parent is provisioning is Ready only once the pivot is done.
        if (report.connected() && "Ready".equals(report.state()) && !NOT_READY_YET.contains(next.phase())) {
            next.phase(Phase.READY);
        }
        next.condition("AgentConnected", report.connected(), report.connected() ? "Connected" : "Disconnected",
                report.connected() ? "heartbeats arrive from the cluster's agent" : "the agent's stream is closed; it reconnects on its own",
                generation, status.now());
    }

    /**
     * Keeps a valid one-time token for a child whose machines are still to come up: a new one when there is none or it
     * expired, in the Secret its machines read it from, and only its hash and expiry in the status. Once the child is
     * pivoted the parent hands its daemon a token itself; once it is bootstrapped none is kept.
     */
    private void token(LatticeCluster cluster, ClusterStatus next) {
        next.forgetLegacyToken();
        Phase phase = next.phaseOrPending();
        if (next.bootstrapComplete()) {
            next.forgetToken();
            return;
        }
        boolean beforePivot = phase == Phase.PENDING || phase == Phase.PROVISIONING;
        // Only a parent that serves the bootstrap endpoint hands out tokens; elsewhere a LatticeCluster is just listed.
        if (!beforePivot || tokens.valid(next) || !provisioning.possible(cluster.name())) {
            return;
        }
        // The cache may lag a token minted a moment ago; replacing it would leave the machines a token the status no
        // longer names. The status write that follows is conditional on the version the cache read.
        GenericKubernetesResource fresh = client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER))
                .withName(cluster.name()).get();
        if (fresh != null && tokens.valid(StatusWriter.ofCluster(fresh))) {
            return;
        }
        // The Secret first: a status that names a token no machine can read would help no one.
        String token = tokens.mint(next);
        new Applier(client).apply(ChildProvisioning.tokenObjects(cluster.name(), token), Duration.ofSeconds(30));
    }

    /** Provisions the child through this cluster's Cluster API while it is Pending, Provisioning or Pivoting. */
    private void provision(LatticeCluster cluster, LatticeCache.Snapshot snapshot, ClusterStatus next, Long generation,
                           GenericKubernetesResource live) {
        Phase current = next.phaseOrPending();
        String phase = current.wire();
        if (live.getMetadata().getDeletionTimestamp() != null) {
            if (live.getMetadata().getFinalizers().contains(Provisioning.FINALIZER)) {
                provisioning.retire(cluster, current);
                String failure = provisioning.failure(cluster.name());
                if (failure != null) {
                    next.message(failure);
                }
            }
            return;
        }
        if (!IN_PROVISIONING.contains(current) && current != Phase.PENDING) {
            if (next.pivotComplete()) {
                next.condition("Provisioned", true, "Pivoted", "its Cluster API objects live in it; it manages itself", generation, status.now());
            }
            return;
        }
        if (!provisioning.possible(cluster.name())) {
            next.condition("Provisioned", false, "NotAParent",
                    "this cluster has no spec.parentConfig, so it provisions no children", generation, status.now());
            return;
        }
        provisioning.advance(cluster, snapshot.inputs().poolOf(cluster).orElse(null), current);
        String failure = provisioning.failure(cluster.name());
        if (failure != null) {
            next.message(failure).condition("Provisioned", false, "Retrying", failure, generation, status.now());
        } else {
            next.condition("Provisioned", false, phase, Objects.requireNonNullElse(next.message(),
                    "provisioning through this cluster's Cluster API"), generation, status.now());
        }
    }

    private void failed(ClusterStatus next, String reason, String message, Long generation) {
        next.phase(Phase.FAILED).message(message).condition("Ready", false, reason, message, generation, status.now());
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
            Object target = at(md, ("spec.template.spec." + ref).split("\\."));
            if (target instanceof Map<?, ?> m && m.get("apiVersion") != null && m.get("kind") != null && m.get("name") != null) {
                String kind = m.get("kind").toString();
                try {
                    client.genericKubernetesResources(capi(m.get("apiVersion").toString(), kind, kind.toLowerCase() + "s"))
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
            differs = !Integer.valueOf(replicas).equals(integer(at(md, "spec", "replicas"), -1));
            patch.setAdditionalProperty("spec", Map.of("replicas", replicas));
        }
        if (differs) {
            client.genericKubernetesResources(MACHINE_DEPLOYMENTS).inNamespace(md.getMetadata().getNamespace())
                    .resource(patch)
                    .fieldManager(Applier.FIELD_MANAGER).forceConflicts().serverSideApply();
        }
    }

    private int readyControlPlane(GenericKubernetesResource capiCluster, String namespace) {
        Object kind = at(capiCluster, "spec", "controlPlaneRef", "kind");
        Object apiVersion = at(capiCluster, "spec", "controlPlaneRef", "apiVersion");
        Object name = at(capiCluster, "spec", "controlPlaneRef", "name");
        if (kind == null || apiVersion == null || name == null) {
            return 0;
        }
        GenericKubernetesResource cp = get(capi(apiVersion.toString(), kind.toString(), kind.toString().toLowerCase() + "s"),
                namespace, name.toString());
        return cp == null ? 0 : integer(at(cp, "status", "readyReplicas"), 0);
    }

    private Map<String, GenericKubernetesResource> machineDeployments(String namespace, String cluster) {
        Map<String, GenericKubernetesResource> byPool = new TreeMap<>();
        try {
            for (GenericKubernetesResource md : client.genericKubernetesResources(MACHINE_DEPLOYMENTS).inNamespace(namespace)
                    .withLabel(CapiVersions.CLUSTER_NAME_LABEL, cluster).list().getItems()) {
                Map<String, String> labels = Objects.requireNonNullElse(md.getMetadata().getLabels(), Map.of());
                if (labels.get(ClusterRenderer.POOL_LABEL) != null) {
                    byPool.put(labels.get(ClusterRenderer.POOL_LABEL), md);
                }
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
        return byPool;
    }

    private GenericKubernetesResource get(ResourceDefinitionContext context, String namespace, String name) {
        try {
            return client.genericKubernetesResources(context).inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return null; // the Cluster API is not installed here
            }
            throw e;
        }
    }

    private static ResourceDefinitionContext capi(String apiVersion, String kind, String plural) {
        return LiveInputs.context(apiVersion, kind, plural, true);
    }

    private static Object at(GenericKubernetesResource r, String... path) {
        Object node = r.getAdditionalProperties();
        for (String p : path) {
            if (!(node instanceof Map<?, ?> m)) {
                return null;
            }
            node = m.get(p);
        }
        return node;
    }

    private static int integer(Object value, int otherwise) {
        return value instanceof Number n ? n.intValue() : otherwise;
    }
}
