package dev.lattice.daemon.reconciler;

import dev.lattice.core.capi.ClusterRenderer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A parent's link with the children it provisions: how they find it, and how they hand themselves back. */
public interface ParentLink {
    /** Where a child reaches this parent's bootstrap endpoint; null while no endpoint is served. */
    ClusterRenderer.Parent address(String child);

    /**
     * What a child runs to come home: the daemon (CRDs, RBAC, Deployment) and the Secret that names this parent, its
     * CA and the one-time {@code token} for its daemon (null once its bootstrap is complete).
     */
    List<HasMetadata> homing(String child, String token);

    /**
     * Asks the child's agent to pause its Cluster API objects and hand them back (JSON, owners first); fails when the
     * agent is not connected or refuses.
     */
    CompletableFuture<List<String>> unpivot(String child);
}
