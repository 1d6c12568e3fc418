package dev.lattice.core.model;

/** One object of the Lattice API (group lattice.dev, version v1alpha1). */
public sealed interface LatticeObject
        permits Pool, LatticeCluster, LatticeService, LatticeExternalService, WarmPool, ClusterClaim {

    String API_VERSION = Kind.GROUP + "/" + Kind.VERSION;

    ObjectMeta metadata();

    /** The desired state; null only for an object whose spec failed to parse. */
    Record spec();

    Kind kind();

    default String name() {
        return metadata().name();
    }
}
