package dev.lattice.daemon.reconciler;

import dev.lattice.core.capacity.PoolAccounting;
import dev.lattice.core.install.BootstrapTokens;
import dev.lattice.core.model.Kind;
import dev.lattice.core.model.LatticeCluster.Phase;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.status.ClusterStatus;
import dev.lattice.engine.install.ChildProvisioning;
import dev.lattice.engine.kube.Applier;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.engine.kube.StatusWriter;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Every LatticeCluster but this daemon's own: a refusal by its pool is {@code Failed} with the pool's message;
 * otherwise, on a parent that serves the bootstrap endpoint, it gets its one-time bootstrap token, is provisioned
 * through this cluster's Cluster API ({@link Provisioning}) and gets its agent's reports.
 */
public final class ChildClusterReconciler extends LatticeClusterReconciler {
    private static final String REFUSED = "PoolRefused";
    private static final Set<Phase> IN_PROVISIONING = EnumSet.of(Phase.PROVISIONING, Phase.PIVOTING);
    /** Phases a child's heartbeats do not turn into Ready: the parent is still provisioning or deleting it. */
    private static final Set<Phase> NOT_READY_YET = EnumSet.of(Phase.PROVISIONING, Phase.PIVOTING, Phase.DELETING, Phase.UNPIVOTING);

    private final KubernetesClient client;
    private final Supplier<String> self;
    private final Fleet fleet;
    private final Provisioning provisioning;
    private final BootstrapTokens tokens;

    ChildClusterReconciler(KubernetesClient client, LatticeCache cache, StatusWriter status, Supplier<String> self, Fleet fleet,
                           Provisioning provisioning, BootstrapTokens tokens) {
        super(cache, status);
        this.client = client;
        this.self = self;
        this.fleet = fleet;
        this.provisioning = provisioning;
        this.tokens = tokens;
    }

    @Override
    public String name() {
        return "child-clusters";
    }

    @Override
    boolean handles(String name) {
        return !name.equals(self.get());
    }

    @Override
    void reconcile(LatticeCluster cluster, LatticeCache.Snapshot snapshot, ClusterStatus next, Long generation,
                   GenericKubernetesResource live) {
        Phase phase = next.phase();
        boolean provisioned = provisioned(phase);
        Optional<PoolAccounting.Refusal> refusal = snapshot.ledger().refusals().stream()
                .filter(r -> r.cluster().equals(cluster.name())).findFirst();
        // One being deleted goes on to its retirement whatever its pool says: a refused one may have begun (its
        // finalizer on) before the pool's accounting saw it, and its finalizer goes only once its machines are gone.
        boolean deleting = live.getMetadata().getDeletionTimestamp() != null;
        if (!provisioned && !deleting && refusal.isPresent()) {
            failed(next, REFUSED, refusal.get().message(), generation);
            next.forgetToken();
            return;
        }
        forget(next, REFUSED); // its pool holds it now
        if (!provisioned && !deleting) {
            next.phase(Phase.PENDING).message(null);
        }
        boolean warm = Provisioning.isWarm(cluster);
        if (!warm) {
            token(cluster, next);
        }
        provision(cluster, snapshot, next, generation, live);
        if (warm) {
            // No agent: its parent reaches it with Cluster API's kubeconfig, and a session holds it.
            if (next.phase() == Phase.READY) {
                next.condition("Provisioned", true, "WarmCluster", "a warm pool's cluster: its Cluster API objects stay on this parent, "
                        + "which resets it and hands out its credentials", generation, status.now());
            }
            return;
        }
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
                report.connected() ? "heartbeats arrive from the cluster's agent, over " + report.tls() : "the agent's stream is closed; it reconnects on its own",
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

}
