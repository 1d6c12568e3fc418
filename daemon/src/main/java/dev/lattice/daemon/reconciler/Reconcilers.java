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
    private final ClusterReconciler clusters;

    public Reconcilers(KubernetesClient client, LatticeCache cache, Supplier<String> self, Fleet fleet, Children children,
                       Provisioning provisioning, BootstrapTokens tokens, Clock clock, Duration fullSync) {
        StatusWriter status = new StatusWriter(client, clock);
        this.services = new ServiceReconciler(client, cache, self, children, clock, fullSync);
        this.pools = new PoolReconciler(cache, status);
        this.clusters = new ClusterReconciler(client, cache, status, self, fleet, provisioning, tokens);
    }

    public ServiceReconciler services() {
        return services;
    }

    public Reconciler pools() {
        return pools;
    }

    public Reconciler clusters() {
        return clusters;
    }
}
