package dev.lattice.core.parse;

import dev.lattice.core.model.CloudPool;
import dev.lattice.core.model.ClusterClaim;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.LatticeExternalService;
import dev.lattice.core.model.LatticeObject;
import dev.lattice.core.model.LatticeService;
import dev.lattice.core.model.Pool;
import dev.lattice.core.model.StaticPool;
import dev.lattice.core.model.WarmPool;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Everything a run read: valid objects in input order, and the warnings found on the way. */
public final class Inputs {
    private final List<ParsedObject> objects;
    private final List<Problem> warnings;
    /** Pools by name, since clusters look theirs up once per part that draws on one. */
    private final Map<String, Pool> pools = new HashMap<>();
    /** Clusters by name, since the solver and the compiler look clusters up by the thousand. */
    private final Map<String, LatticeCluster> clusters = new HashMap<>();
    /** The objects of each type asked for, in input order: a fleet's planning asks for its services many times over. */
    private final Map<Class<?>, List<?>> byType = new ConcurrentHashMap<>();

    public Inputs(List<ParsedObject> objects, List<Problem> warnings) {
        this.objects = List.copyOf(objects);
        this.warnings = List.copyOf(warnings);
        for (ParsedObject p : this.objects) {
            if (p.object() instanceof Pool pool) {
                pools.putIfAbsent(pool.name(), pool);
            } else if (p.object() instanceof LatticeCluster cluster) {
                clusters.putIfAbsent(cluster.name(), cluster);
            }
        }
    }

    public List<ParsedObject> objects() {
        return objects;
    }

    public List<Problem> warnings() {
        return warnings;
    }

    @SuppressWarnings("unchecked") // each list holds instances of its key, by construction
    public <T extends LatticeObject> List<T> all(Class<T> type) {
        return (List<T>) byType.computeIfAbsent(type, t -> objects.stream().map(ParsedObject::object).filter(type::isInstance).map(type::cast).toList());
    }

    public List<StaticPool> staticPools() {
        return all(StaticPool.class);
    }

    public List<CloudPool> cloudPools() {
        return all(CloudPool.class);
    }

    public List<LatticeCluster> clusters() {
        return all(LatticeCluster.class);
    }

    public List<LatticeService> services() {
        return all(LatticeService.class);
    }

    public List<LatticeExternalService> externalServices() {
        return all(LatticeExternalService.class);
    }

    public List<WarmPool> warmPools() {
        return all(WarmPool.class);
    }

    public List<ClusterClaim> claims() {
        return all(ClusterClaim.class);
    }

    /** The LatticeCluster of this name, when the inputs hold it. */
    public Optional<LatticeCluster> cluster(String name) {
        return Optional.ofNullable(name == null ? null : clusters.get(name));
    }

    /** The pool a cluster draws on, when it names one and the inputs hold it. */
    public Optional<Pool> poolOf(LatticeCluster cluster) {
        String name = cluster.spec().poolName();
        return name == null ? Optional.empty() : Optional.ofNullable(pools.get(name));
    }

    /** The pool of either kind with this name. */
    public Optional<LatticeObject> pool(String name) {
        return Optional.ofNullable(pools.get(name));
    }
}
