package dev.lattice.daemon.reconciler;

import dev.lattice.core.capacity.PoolAccounting;
import dev.lattice.core.capi.CapiVersions;
import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.install.BootstrapTokens;
import dev.lattice.core.model.Kind;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.LatticeCluster.Phase;
import dev.lattice.core.model.LatticeCluster.WorkerPoolSpec;
import dev.lattice.core.model.Pool;
import dev.lattice.core.render.Tree;
import dev.lattice.engine.install.ChildProvisioning;
import dev.lattice.engine.kube.Applier;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.engine.kube.StatusWriter;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
    private static final List<String> IN_PROVISIONING = List.of(Phase.PROVISIONING.wire(), Phase.PIVOTING.wire());
    /** Phases a child's heartbeats do not turn into Ready: the parent is still provisioning or deleting it. */
    private static final List<String> NOT_READY_YET = List.of(Phase.PROVISIONING.wire(), Phase.PIVOTING.wire(),
            Phase.DELETING.wire(), Phase.UNPIVOTING.wire());
    /** Phases of a cluster on its way out, which its own daemon leaves as they are. */
    private static final List<String> LEAVING = List.of(Phase.DELETING.wire(), Phase.UNPIVOTING.wire());
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
        Map<String, Object> next = StatusWriter.of(live);
        next.put("observedGeneration", generation);
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

    private void own(LatticeCluster cluster, Pool pool, Map<String, Object> next, Long generation) {
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
        Map<String, Object> pools = new TreeMap<>();
        int readyWorkers = 0;
        int desiredWorkers = 0;
        for (Map.Entry<String, WorkerPoolSpec> e : cluster.spec().nodes().workerPools().entrySet()) {
            WorkerPoolSpec wp = e.getValue();
            GenericKubernetesResource md = deployments.get(e.getKey());
            Map<String, Object> ps = new LinkedHashMap<>();
            ps.put("autoscalingEnabled", wp.autoscaling());
            if (md == null) {
                ps.put("desiredReplicas", wp.initialNodes());
                ps.put("message", capiCluster == null ? "no Cluster API objects in this cluster" : addPool(cluster, pool, e.getKey()));
                desiredWorkers += wp.initialNodes();
            } else {
                scale(md, wp);
                int desired = wp.autoscaling() ? integer(at(md, "spec", "replicas"), wp.initialNodes()) : wp.initialNodes();
                int ready = integer(at(md, "status", "readyReplicas"), 0);
                ps.put("desiredReplicas", desired);
                ps.put("currentReplicas", integer(at(md, "status", "replicas"), 0));
                ps.put("readyReplicas", ready);
                readyWorkers += ready;
                desiredWorkers += desired;
            }
            pools.put(e.getKey(), ps);
        }
        next.put("workerPools", pools);
        if (capiCluster == null) {
            // Its API serves this daemon, so the cluster runs; it is only not managing its own machines (yet).
            if (Phase.FAILED.wire().equals(next.get("phase")) || next.get("phase") == null) {
                next.put("phase", Phase.READY.wire());
            }
            status.condition(next, "Ready", true, "NotSelfManaged", "the cluster serves its API, but no Cluster "
                    + namespace + "/" + cluster.name() + " is here: it is not pivoted into itself, so it does not manage "
                    + "its own machines", generation);
            putChildrenHealth(next);
            return;
        }
        if (!Boolean.TRUE.equals(at(capiCluster, "spec", "paused"))) {
            next.put("pivotComplete", true); // its Cluster API objects are here and in charge
        }
        int desiredControlPlane = cluster.spec().nodes().controlPlane().replicas();
        int readyControlPlane = readyControlPlane(capiCluster, namespace);
        next.put("readyControlPlane", readyControlPlane);
        next.put("readyWorkers", readyWorkers);
        Object host = at(capiCluster, "spec", "controlPlaneEndpoint", "host");
        if (host != null && !host.toString().isEmpty()) {
            next.put("endpoint", "https://" + host + ":" + integer(at(capiCluster, "spec", "controlPlaneEndpoint", "port"), 6443));
        }
        boolean controlPlaneReady = readyControlPlane >= desiredControlPlane;
        boolean ready = controlPlaneReady && readyWorkers >= desiredWorkers;
        if (LEAVING.contains(String.valueOf(next.get("phase")))) {
            // lattice uninstall is moving its objects out: that phase is the uninstall's to say.
        } else if (!Boolean.TRUE.equals(next.get("pivotComplete"))) {
            next.put("phase", Phase.PIVOTING.wire()); // its objects are here but still paused: the move is not done
        } else {
            next.put("phase", controlPlaneReady ? Phase.READY.wire() : Phase.PIVOTED.wire());
        }
        status.condition(next, "Ready", ready, ready ? "NodesReady" : "NodesNotReady",
                readyControlPlane + "/" + desiredControlPlane + " control-plane and " + readyWorkers + "/" + desiredWorkers
                        + " worker nodes ready", generation);
        next.remove("message");
        putChildrenHealth(next);
        Instant lastHeartbeat = fleet.lastHeartbeatToParent();
        if (lastHeartbeat != null) {
            next.put("lastHeartbeat", lastHeartbeat.toString());
        }
    }

    private void putChildrenHealth(Map<String, Object> next) {
        Map<String, Fleet.ChildReport> children = new TreeMap<>(fleet.children());
        if (children.isEmpty()) {
            return;
        }
        List<Map<String, Object>> health = new ArrayList<>();
        for (Fleet.ChildReport r : children.values()) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("name", r.name());
            h.put("readyNodes", r.readyNodes());
            h.put("totalNodes", r.totalNodes());
            h.put("readyControlPlane", r.readyControlPlane());
            h.put("totalControlPlane", r.totalControlPlane());
            h.put("agentState", r.connected() ? r.state() : "Disconnected");
            h.put("lastHeartbeat", r.at().toString());
            health.add(h);
        }
        next.put("childrenHealth", health);
    }

    private void child(LatticeCluster cluster, LatticeCache.Snapshot snapshot, Map<String, Object> next, Long generation,
                       GenericKubernetesResource live) {
        Object phase = next.get("phase");
        boolean provisioned = phase != null && !Phase.PENDING.wire().equals(phase) && !Phase.FAILED.wire().equals(phase);
        Optional<PoolAccounting.Refusal> refusal = snapshot.ledger().refusals().stream()
                .filter(r -> r.cluster().equals(cluster.name())).findFirst();
        if (!provisioned && refusal.isPresent()) {
            failed(next, "PoolRefused", refusal.get().message(), generation);
            BootstrapTokens.forget(next);
            return;
        }
        if (!provisioned) {
            next.put("phase", Phase.PENDING.wire());
            next.remove("message");
        }
        token(cluster, next);
        provision(cluster, snapshot, next, generation, live);
        Fleet.ChildReport report = fleet.children().get(cluster.name());
        if (report == null) {
            status.condition(next, "AgentConnected", false, "NeverConnected",
                    "the cluster's agent has not connected to this parent", generation);
            return;
        }
        next.put("readyControlPlane", report.readyControlPlane());
        next.put("readyWorkers", report.readyNodes() - report.readyControlPlane());
        next.put("lastHeartbeat", report.at().toString());
        // A child this parent is provisioning is Ready only once the pivot is done.
        if (report.connected() && "Ready".equals(report.state()) && !NOT_READY_YET.contains(String.valueOf(next.get("phase")))) {
            next.put("phase", Phase.READY.wire());
        }
        status.condition(next, "AgentConnected", report.connected(), report.connected() ? "Connected" : "Disconnected",
                report.connected() ? "heartbeats arrive from the cluster's agent" : "the agent's stream is closed; it reconnects on its own",
                generation);
    }

    /**
     * Keeps a valid one-time token for a child whose machines are still to come up: a new one when there is none or it
     * expired, in the Secret its machines read it from, and only its hash and expiry in the status. Once the child is
     * pivoted the parent hands its daemon a token itself; once it is bootstrapped none is kept.
     */
    private void token(LatticeCluster cluster, Map<String, Object> next) {
        next.remove(BootstrapTokens.LEGACY);
        String phase = String.valueOf(next.getOrDefault("phase", Phase.PENDING.wire()));
        if (Boolean.TRUE.equals(next.get("bootstrapComplete"))) {
            BootstrapTokens.forget(next);
            return;
        }
        boolean beforePivot = Phase.PENDING.wire().equals(phase) || Phase.PROVISIONING.wire().equals(phase);
        // Only a parent that serves the bootstrap endpoint hands out tokens; elsewhere a LatticeCluster is just listed.
        if (!beforePivot || tokens.valid(next) || !provisioning.possible(cluster.name())) {
            return;
        }
        // The cache may lag a token minted a moment ago; replacing it would leave the machines a token the status no
        // longer names. The status write that follows is conditional on the version the cache read.
        GenericKubernetesResource fresh = client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER))
                .withName(cluster.name()).get();
        if (fresh != null && tokens.valid(StatusWriter.of(fresh))) {
            return;
        }
        // The Secret first: a status that names a token no machine can read would help no one.
        String token = tokens.mint(next);
        new Applier(client).apply(ChildProvisioning.tokenObjects(cluster.name(), token), Duration.ofSeconds(30));
    }

    /** Provisions the child through this cluster's Cluster API while it is Pending, Provisioning or Pivoting. */
    private void provision(LatticeCluster cluster, LatticeCache.Snapshot snapshot, Map<String, Object> next, Long generation,
                           GenericKubernetesResource live) {
        String phase = String.valueOf(next.getOrDefault("phase", Phase.PENDING.wire()));
        Phase current = Phase.valueOf(phase.toUpperCase());
        if (live.getMetadata().getDeletionTimestamp() != null) {
            if (live.getMetadata().getFinalizers().contains(Provisioning.FINALIZER)) {
                provisioning.retire(cluster, current);
                String failure = provisioning.failure(cluster.name());
                if (failure != null) {
                    next.put("message", failure);
                }
            }
            return;
        }
        if (!IN_PROVISIONING.contains(phase) && !Phase.PENDING.wire().equals(phase)) {
            if (Boolean.TRUE.equals(next.get("pivotComplete"))) {
                status.condition(next, "Provisioned", true, "Pivoted", "its Cluster API objects live in it; it manages itself", generation);
            }
            return;
        }
        if (!provisioning.possible(cluster.name())) {
            status.condition(next, "Provisioned", false, "NotAParent",
                    "this cluster has no spec.parentConfig, so it provisions no children", generation);
            return;
        }
        provisioning.advance(cluster, snapshot.inputs().poolOf(cluster).orElse(null), current);
        String failure = provisioning.failure(cluster.name());
        if (failure != null) {
            next.put("message", failure);
            status.condition(next, "Provisioned", false, "Retrying", failure, generation);
        } else {
            status.condition(next, "Provisioned", false, phase, Objects.requireNonNullElse((String) next.get("message"),
                    "provisioning through this cluster's Cluster API"), generation);
        }
    }

    private void failed(Map<String, Object> next, String reason, String message, Long generation) {
        next.put("phase", Phase.FAILED.wire());
        next.put("message", message);
        status.condition(next, "Ready", false, reason, message, generation);
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
        Map<String, Object> patch = Tree.object(CapiVersions.CLUSTER_API, "MachineDeployment", md.getMetadata().getNamespace(),
                md.getMetadata().getName(), Map.of());
        boolean differs;
        if (wp.autoscaling()) {
            Map<String, String> annotations = Objects.requireNonNullElse(md.getMetadata().getAnnotations(), Map.of());
            String min = String.valueOf(wp.min());
            String max = String.valueOf(wp.max());
            differs = !min.equals(annotations.get(ClusterRenderer.AUTOSCALER_MIN)) || !max.equals(annotations.get(ClusterRenderer.AUTOSCALER_MAX));
            @SuppressWarnings("unchecked")
            Map<String, Object> meta = (Map<String, Object>) patch.get("metadata");
            meta.put("annotations", Map.of(ClusterRenderer.AUTOSCALER_MIN, min, ClusterRenderer.AUTOSCALER_MAX, max));
        } else {
            int replicas = wp.initialNodes();
            differs = !Integer.valueOf(replicas).equals(integer(at(md, "spec", "replicas"), -1));
            patch.put("spec", Map.of("replicas", replicas));
        }
        if (differs) {
            client.genericKubernetesResources(MACHINE_DEPLOYMENTS).inNamespace(md.getMetadata().getNamespace())
                    .resource(client.getKubernetesSerialization().convertValue(patch, GenericKubernetesResource.class))
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
