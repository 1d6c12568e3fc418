package dev.lattice.daemon.reconciler;

import dev.lattice.core.install.BootstrapTokens;
import dev.lattice.engine.kube.StatusWriter;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/** The daemon's reconcilers, sharing one cache, one status writer and one notion of which cluster is this one. */
public final class Reconcilers {
    private final ServiceReconciler services;
    private final PoolReconciler pools;
    private final OwnClusterReconciler ownCluster;
    private final ChildClusterReconciler childClusters;

    public Reconcilers(KubernetesClient client, LatticeCache cache, CapiCache capi, ServedKinds served, Supplier<String> self, Fleet fleet,
                       Children children, Provisioning provisioning, BootstrapTokens tokens, Clock clock, Duration fullSync) {
        StatusWriter status = new StatusWriter(client, clock);
        this.services = new ServiceReconciler(client, cache, served, self, children, clock, fullSync);
        this.pools = new PoolReconciler(cache, status);
        this.ownCluster = new OwnClusterReconciler(client, cache, capi, status, self, fleet);
        this.childClusters = new ChildClusterReconciler(client, cache, status, self, fleet, provisioning, tokens);
    }

    public ServiceReconciler services() {
        return services;
    }

    public Reconciler pools() {
        return pools;
    }

    /** This cluster's own LatticeCluster; its key is the cluster's name. */
    public Reconciler ownCluster() {
        return ownCluster;
    }

    /** Every other LatticeCluster, by name. */
    public Reconciler childClusters() {
        return childClusters;
    }
}
