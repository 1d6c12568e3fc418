package dev.lattice.daemon.agent;

import dev.lattice.core.model.Kind;
import dev.lattice.core.status.ClusterStatus;
import dev.lattice.daemon.reconciler.LatticeCache;
import dev.lattice.engine.kube.StatusWriter;
import dev.lattice.proto.agent.v1.Heartbeat;
import dev.lattice.proto.agent.v1.PoolResources;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Objects;
import java.util.function.Supplier;

/** What a child tells its parent in each heartbeat: its nodes, and its phase and worker pools as its own status says. */
public final class HeartbeatReporter implements AgentClient.Reporter {
    private final KubernetesClient client;
    private final LatticeCache cache;
    private final Supplier<String> self;

    public HeartbeatReporter(KubernetesClient client, LatticeCache cache, Supplier<String> self) {
        this.client = client;
        this.cache = cache;
        this.self = self;
    }

    /** Its nodes, and its phase and worker pools as its own LatticeCluster's status says. */
    @Override
    public Heartbeat heartbeat() {
        Heartbeat.Builder h = nodes();
        String self = this.self.get();
        GenericKubernetesResource own = self == null ? null : cache.get(Kind.LATTICE_CLUSTER, null, self);
        ClusterStatus status = own == null ? new ClusterStatus(null) : StatusWriter.ofCluster(own);
        h.setState(Objects.requireNonNullElse(status.phaseText(), "Ready"));
        status.workerPools().forEach((name, p) -> h.addPools(PoolResources.newBuilder().setName(name)
                .setDesiredReplicas(Objects.requireNonNullElse(p.desiredReplicas(), 0))
                .setReadyReplicas(Objects.requireNonNullElse(p.readyReplicas(), 0))));
        return h.build();
    }

    /** Counts this cluster's nodes: all, ready, and control-plane ones. */
    private Heartbeat.Builder nodes() {
        Heartbeat.Builder h = Heartbeat.newBuilder();
        for (Node n : client.nodes().list().getItems()) {
            boolean ready = n.getStatus() != null && n.getStatus().getConditions() != null && n.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
            boolean controlPlane = n.getMetadata().getLabels() != null
                    && n.getMetadata().getLabels().containsKey("node-role.kubernetes.io/control-plane");
            h.setTotalNodes(h.getTotalNodes() + 1).setReadyNodes(h.getReadyNodes() + (ready ? 1 : 0));
            if (controlPlane) {
                h.setTotalControlPlane(h.getTotalControlPlane() + 1).setReadyControlPlane(h.getReadyControlPlane() + (ready ? 1 : 0));
            }
        }
        return h;
    }

}
