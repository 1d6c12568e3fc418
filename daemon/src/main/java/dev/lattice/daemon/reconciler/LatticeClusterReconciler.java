package dev.lattice.daemon.reconciler;

import dev.lattice.core.model.Condition;
import dev.lattice.core.model.Kind;
import dev.lattice.core.model.LatticeCluster.Phase;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.status.ClusterStatus;
import dev.lattice.engine.kube.StatusWriter;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the two LatticeCluster reconcilers share: reading the cluster and its status, failing an invalid spec, and
 * writing the status back once. {@link OwnClusterReconciler} looks after the cluster this daemon runs in,
 * {@link ChildClusterReconciler} after the others. Keys are cluster names; each leaves the other's alone.
 */
abstract class LatticeClusterReconciler implements Reconciler {
    static final String INVALID = "InvalidSpec";
    protected final LatticeCache cache;
    protected final StatusWriter status;

    LatticeClusterReconciler(LatticeCache cache, StatusWriter status) {
        this.cache = cache;
        this.status = status;
    }

    /** Whether {@code name} is a cluster this reconciler looks after. */
    abstract boolean handles(String name);

    /** Brings {@code cluster} to its desired state and says so in {@code next}, the status written afterwards. */
    abstract void reconcile(LatticeCluster cluster, LatticeCache.Snapshot snapshot, ClusterStatus next, Long generation,
                            GenericKubernetesResource live);

    @Override
    public final void reconcile(String name) {
        GenericKubernetesResource live = cache.get(Kind.LATTICE_CLUSTER, null, name);
        if (live == null || !handles(name)) {
            return;
        }
        Long generation = live.getMetadata().getGeneration();
        ClusterStatus next = StatusWriter.ofCluster(live).observedGeneration(generation);
        LatticeCache.Snapshot snapshot = cache.snapshot();
        Optional<LatticeCache.Rejected> rejected = snapshot.rejected(Kind.LATTICE_CLUSTER).stream()
                .filter(r -> r.live().getMetadata().getName().equals(name)).findFirst();
        if (rejected.isPresent()) {
            String message = rejected.get().problems().get(0).render();
            if (!provisioned(next.phase())) {
                failed(next, INVALID, message, generation);
            } else {
                // Past Pending it has machines, and perhaps manages itself: its phase stays, so that once its spec is
                // fixed it goes on from there rather than being provisioned again; Ready says what is wrong meanwhile.
                next.message(message).condition("Ready", false, INVALID, message, generation, status.now());
            }
        } else {
            forget(next, INVALID);
            LatticeCluster cluster = snapshot.inputs().cluster(name).orElseThrow();
            reconcile(cluster, snapshot, next, generation, live);
        }
        status.write(Kind.LATTICE_CLUSTER, live, next);
    }

    /** Whether a cluster in {@code phase} has begun: its machines were asked for (Pending and Failed: not yet). */
    static boolean provisioned(Phase phase) {
        return phase != null && phase != Phase.PENDING && phase != Phase.FAILED;
    }

    /** Drops a Ready condition given for {@code reason} that no longer holds, and its message with it. */
    static void forget(ClusterStatus next, String reason) {
        List<Condition> conditions = next.conditions();
        List<Condition> kept = new ArrayList<>();
        for (Condition c : conditions) {
            if (c.type().equals("Ready") && reason.equals(c.reason())) {
                if (Objects.equals(next.message(), c.message())) {
                    next.message(null);
                }
            } else {
                kept.add(c);
            }
        }
        if (kept.size() < conditions.size()) {
            next.conditions(kept);
        }
    }

    final void failed(ClusterStatus next, String reason, String message, Long generation) {
        next.phase(Phase.FAILED).message(message).condition("Ready", false, reason, message, generation, status.now());
    }
}
