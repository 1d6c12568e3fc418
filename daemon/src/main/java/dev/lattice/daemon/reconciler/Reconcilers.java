package dev.lattice.daemon.reconciler;

import dev.lattice.core.addons.HelmTemplate;
import dev.lattice.core.install.BootstrapTokens;
import dev.lattice.engine.kube.RequestPool;
import dev.lattice.engine.kube.StatusWriter;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** The daemon's reconcilers, sharing one cache, one status writer (which tells Events what changes) and one notion of which cluster is this one. */
public final class Reconcilers {
    private final ServiceReconciler services;
    private final PoolReconciler pools;
    private final OwnClusterReconciler ownCluster;
    private final ChildClusterReconciler childClusters;
    private final AddonReconciler addons;
    private final WarmPoolReconciler warmPools;

    public Reconcilers(KubernetesClient client, LatticeCache cache, CapiCache capi, ServedKinds served, Supplier<String> self, Fleet fleet,
                       Children children, Provisioning provisioning, BootstrapTokens tokens, RequestPool requests, StatusWriter status, Duration fullSync,
                       HelmTemplate helm, Consumer<String> clusterChanged, Runnable servicesAgain, WarmResets resets, Members members,
                       Duration provisionTimeout, WarmMetrics warmMetrics, BiConsumer<String, Duration> warmAgain) {
        this.addons = new AddonReconciler(client, cache, self, helm, clusterChanged);
        this.services = new ServiceReconciler(client, cache, served, self, children, requests, status, fullSync, servicesAgain);
        this.pools = new PoolReconciler(cache, status);
        this.ownCluster = new OwnClusterReconciler(client, cache, capi, status, self, fleet, addons::report);
        this.childClusters = new ChildClusterReconciler(client, cache, status, self, fleet, provisioning, tokens);
        this.warmPools = new WarmPoolReconciler(client, cache, status, members, resets, provisionTimeout, warmMetrics, warmAgain);
    }

    /** Each WarmPool, by name. */
    public WarmPoolReconciler warmPools() {
        return warmPools;
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

    /** The add-ons of this cluster; its key is the cluster's name. */
    public Reconciler addons() {
        return addons;
    }

    /** Every other LatticeCluster, by name. */
    public Reconciler childClusters() {
        return childClusters;
    }
}
