package dev.lattice.core.status;

import java.util.Map;

/** A LatticeService's status: where it was placed, or why not; see {@link dev.lattice.core.model.LatticeService.Status}. */
public final class ServiceStatus extends ObjectStatus {
    public ServiceStatus(Map<String, ?> read) {
        super(read);
    }

    /** The cluster the service is placed on; null removes it. */
    public ServiceStatus cluster(String cluster) {
        put("cluster", cluster);
        return this;
    }
}
