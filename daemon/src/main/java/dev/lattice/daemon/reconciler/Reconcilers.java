package dev.lattice.daemon.reconciler;

import dev.lattice.core.install.BootstrapTokens;
import dev.lattice.core.model.Kind;
import dev.lattice.daemon.agent.AgentClient;
import dev.lattice.engine.kube.StatusWriter;
import dev.lattice.proto.agent.v1.Heartbeat;
import dev.lattice.proto.agent.v1.PoolResources;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
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

    public Reconciler services() {
        return services;
    }

    public Reconciler pools() {
        return pools;
    }

    public Reconciler clusters() {
        return clusters;
    }

    /** A child's heartbeat: its nodes, and its phase and worker pools as its own LatticeCluster's status says. */
    public static Heartbeat heartbeat(KubernetesClient client, LatticeCache cache, String self) {
        Heartbeat.Builder h = AgentClient.nodes(client);
        GenericKubernetesResource own = self == null ? null : cache.get(Kind.LATTICE_CLUSTER, null, self);
        Map<String, Object> status = own == null ? Map.of() : StatusWriter.of(own);
        h.setState(String.valueOf(status.getOrDefault("phase", "Ready")));
        if (status.get("workerPools") instanceof Map<?, ?> pools) {
            pools.forEach((name, p) -> {
                if (p instanceof Map<?, ?> m) {
                    h.addPools(PoolResources.newBuilder().setName(String.valueOf(name))
                            .setDesiredReplicas(m.get("desiredReplicas") instanceof Number n ? n.intValue() : 0)
                            .setReadyReplicas(m.get("readyReplicas") instanceof Number n ? n.intValue() : 0));
                }
            });
        }
        return h.build();
    }
}
