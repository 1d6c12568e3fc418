package dev.lattice.core.model;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The kinds of the Lattice API, with what Kubernetes needs to know about each. */
public enum Kind {
    STATIC_POOL("StaticPool", "staticpools", false, StaticPool.class, List.of("spool")),
    CLOUD_POOL("CloudPool", "cloudpools", false, CloudPool.class, List.of("cpool")),
    LATTICE_CLUSTER("LatticeCluster", "latticeclusters", false, LatticeCluster.class, List.of("lc")),
    LATTICE_SERVICE("LatticeService", "latticeservices", true, LatticeService.class, List.of("lsvc")),
    LATTICE_EXTERNAL_SERVICE("LatticeExternalService", "latticeexternalservices", true,
            LatticeExternalService.class, List.of("lext")),
    WARM_POOL("WarmPool", "warmpools", false, WarmPool.class, List.of("wpool")),
    CLUSTER_CLAIM("ClusterClaim", "clusterclaims", true, ClusterClaim.class, List.of("claim"));

    public static final String GROUP = "lattice.dev";
    public static final String VERSION = "v1alpha1";

    private final String kindName;
    private final String plural;
    private final boolean namespaced;
    private final Class<? extends LatticeObject> type;
    private final List<String> shortNames;

    Kind(String kindName, String plural, boolean namespaced, Class<? extends LatticeObject> type, List<String> shortNames) {
        this.kindName = kindName;
        this.plural = plural;
        this.namespaced = namespaced;
        this.type = type;
        this.shortNames = shortNames;
    }

    public String kindName() {
        return kindName;
    }

    public String plural() {
        return plural;
    }

    public String singular() {
        return kindName.toLowerCase(java.util.Locale.ROOT);
    }

    public boolean namespaced() {
        return namespaced;
    }

    public Class<? extends LatticeObject> type() {
        return type;
    }

    /** The record type of this kind's spec. */
    public Class<?> specType() {
        return ModelFields.of(type).stream().filter(f -> f.name().equals("spec")).findFirst().orElseThrow().rawType();
    }

    /** The record type of this kind's status. */
    public Class<?> statusType() {
        return ModelFields.of(type).stream().filter(f -> f.name().equals("status")).findFirst().orElseThrow().rawType();
    }

    public List<String> shortNames() {
        return shortNames;
    }

    public boolean isPool() {
        return this == STATIC_POOL || this == CLOUD_POOL;
    }

    public static Optional<Kind> byName(String kindName) {
        return Arrays.stream(values()).filter(k -> k.kindName.equals(kindName)).findFirst();
    }
}
