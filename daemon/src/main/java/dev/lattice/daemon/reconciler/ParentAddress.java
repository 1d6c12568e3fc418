package dev.lattice.daemon.reconciler;

import dev.lattice.core.capi.ClusterRenderer;
import java.util.List;
import java.util.Map;

/** How the children this daemon provisions find their way back to it. */
public interface ParentAddress {
    /** Where a child reaches this parent's bootstrap endpoint; null while no endpoint is served. */
    ClusterRenderer.Parent address(String child);

    /**
     * What a child runs to come home: the daemon (CRDs, RBAC, Deployment) and the Secret that names this parent, its
     * CA and the child's one-time {@code token} (null once it is spent).
     */
    List<Map<String, Object>> homing(String child, String token);
}
