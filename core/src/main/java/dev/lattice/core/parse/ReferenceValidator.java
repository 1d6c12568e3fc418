package dev.lattice.core.parse;

import dev.lattice.core.model.CloudPool;
import dev.lattice.core.model.InstanceCatalog;
import dev.lattice.core.model.InstanceType;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.LatticeObject;
import dev.lattice.core.model.LatticeService;
import dev.lattice.core.model.Pool;
import dev.lattice.core.model.Provider;
import dev.lattice.core.model.StaticPool;
import dev.lattice.core.model.WarmPool;
import dev.lattice.core.text.Suggestions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The rules between objects: unique names, and every reference naming something that is there. */
final class ReferenceValidator {
    private final Problems problems;
    /** Pools by name, including ones whose own content is invalid (so references to them are not reported twice). */
    private final Map<String, ParsedObject> pools = new HashMap<>();
    /** Objects that bound cleanly: only their content is trusted for checks on other objects. */
    private final Set<ParsedObject> complete;

    private ReferenceValidator(Problems problems, Set<ParsedObject> complete) {
        this.problems = problems;
        this.complete = complete;
    }

    /** How a caller runs one object's checks (best effort for objects with fields that failed to bind). */
    interface Runner {
        void run(ParsedObject object, Runnable check);
    }

    /**
     * @param named every object that has a name, fully bound or not: all are reference targets, and every
     *              cluster's references are checked
     */
    static void validate(List<ParsedObject> named, Set<ParsedObject> complete, Problems problems, Runner runner) {
        ReferenceValidator v = new ReferenceValidator(problems, complete);
        v.uniqueNames(named);
        for (ParsedObject p : named) {
            if (p.object() instanceof LatticeCluster cluster) {
                runner.run(p, () -> v.cluster(p, cluster));
            } else if (p.object() instanceof WarmPool pool) {
                runner.run(p, () -> v.warmPool(p, pool));
            }
        }
        v.sharedVolumes(named, runner);
    }

    /** A declaration of a shared volume: the service, and the key under spec.resources it was written at. */
    private record VolumeUse(ParsedObject service, String key) {
        String path() {
            return SourceMap.child("spec.resources", key);
        }
    }

    /** Each shared volume id (per namespace) has exactly one owner, the service that gives it a size. */
    private void sharedVolumes(List<ParsedObject> named, Runner runner) {
        Map<String, List<VolumeUse>> owners = new TreeMap<>();
        Map<String, List<VolumeUse>> consumers = new TreeMap<>();
        for (ParsedObject p : named) {
            if (!(p.object() instanceof LatticeService service)) {
                continue;
            }
            runner.run(p, () -> service.spec().resources().forEach((key, r) -> {
                if (r.isSharedVolume()) {
                    (r.ownsVolume() ? owners : consumers).computeIfAbsent(service.volumeKey(r), k -> new ArrayList<>())
                            .add(new VolumeUse(p, key));
                }
            }));
        }
        owners.forEach((volume, declared) -> {
            VolumeUse first = declared.get(0);
            for (VolumeUse other : declared.subList(1, declared.size())) {
                problems.error(other.service().source().value(other.path() + ".params.size"), "volume " + idOf(volume)
                        + " has two owners: " + first.service().object().name() + " and " + other.service().object().name()
                        + " both give it a size", "keep params.size on the one service that owns it (the first is at "
                        + first.service().source().value(first.path() + ".params.size") + "); the others use it by id alone");
            }
        });
        consumers.forEach((volume, declared) -> {
            if (owners.containsKey(volume)) {
                return;
            }
            String namespace = volume.substring(0, volume.indexOf('/'));
            for (VolumeUse use : declared) {
                problems.error(use.service().source().value(use.path() + ".id"), "volume " + idOf(volume) + " has no owner:"
                        + " no service in namespace " + namespace + " declares it with params.size",
                        "the service that owns the volume declares it with params: {size: 10Gi}; consumers name the id only");
            }
        });
    }

    private static String idOf(String volume) {
        return volume.substring(volume.indexOf('/') + 1);
    }

    private void uniqueNames(List<ParsedObject> named) {
        Map<String, ParsedObject> seen = new HashMap<>();
        for (ParsedObject p : named) {
            LatticeObject o = p.object();
            // The two pool kinds share one name space: a cluster names a pool without saying which kind.
            String key = o.kind().isPool() ? "pool/" + o.name() : p.id();
            ParsedObject first = seen.putIfAbsent(key, p);
            if (first != null) {
                String what = o.kind().isPool() ? "pool" : o.kind().kindName();
                problems.error(p.source().value("metadata.name"), "duplicate " + what + " name \"" + o.name() + "\"",
                        "already defined as " + first.object().kind().kindName() + " at " + first.source().value("metadata.name"));
            } else if (o.kind().isPool()) {
                pools.put(o.name(), p);
            }
        }
    }

    private void cluster(ParsedObject parsed, LatticeCluster cluster) {
        LatticeCluster.Spec spec = cluster.spec();
        clusterSpec(parsed.source(), "spec", cluster.name(), spec, spec.poolName(), spec.pool() != null ? "spec.pool" : "spec.providerRef");
    }

    /** A warm pool's template is a cluster's spec on the warm pool's pool. */
    private void warmPool(ParsedObject parsed, WarmPool pool) {
        clusterSpec(parsed.source(), "spec.template", "of warm pool " + pool.name(), pool.spec().template(), pool.spec().pool(), "spec.pool");
        ParsedObject capacity = pools.get(pool.spec().pool());
        if (pool.spec().reset().strategy() == WarmPool.ResetStrategy.SNAPSHOT && capacity != null && complete.contains(capacity)
                && ((Pool) capacity.object()).provider() != Provider.PROXMOX) {
            // Said here rather than when the first claim ends: a pool that cannot be reset is better refused at once.
            problems.error(parsed.source().value("spec.reset.strategy"), "a Snapshot reset rolls Proxmox VMs back to their "
                    + "baseline snapshots, and pool " + capacity.object().name() + " provisions on "
                    + ((Pool) capacity.object()).provider().wire(), "use Clean (remove what a session added, verified against the "
                    + "baseline) or Recreate, or draw on a proxmox pool");
        }
    }

    /**
     * A cluster's references, its spec written at {@code path}: its pool ({@code poolName}, written at {@code poolField}),
     * that pool's provider, and the machine types it asks the pool for.
     */
    private void clusterSpec(SourceMap at, String path, String name, LatticeCluster.Spec spec, String poolName, String poolField) {
        Optional<ParsedObject> pool = poolName == null ? Optional.empty() : pool(at, poolField, poolName);
        pool.ifPresent(p -> providerAgrees(at, path, name, spec, p.object()));
        InstanceType cpType = spec.nodes().controlPlane().instanceType();
        pool.ifPresent(p -> machineType(at, path + ".nodes.controlPlane.instanceType", cpType, p.object()));
        spec.nodes().workerPools().forEach((worker, workerSpec) -> {
            String workerPath = SourceMap.child(path + ".nodes.workerPools", worker);
            Optional<ParsedObject> workerPool = workerSpec.pool() == null ? pool : pool(at, workerPath + ".pool", workerSpec.pool());
            workerPool.ifPresent(p -> machineType(at, workerPath + ".instanceType", workerSpec.instanceType(), p.object()));
        });
    }

    private Optional<ParsedObject> pool(SourceMap at, String path, String name) {
        ParsedObject found = pools.get(name);
        if (found == null) {
            String hint = Suggestions.closest(name, pools.keySet()).map(c -> "did you mean \"" + c + "\"?")
                    .orElse("add the file that defines the StaticPool or CloudPool \"" + name + "\" with another -f");
            problems.error(at.value(path), "no pool named \"" + name + "\" in the inputs", hint);
            return Optional.empty();
        }
        // A pool with problems of its own exists, but what it says cannot be checked against.
        return complete.contains(found) ? Optional.of(found) : Optional.empty();
    }

    private void providerAgrees(SourceMap at, String path, String name, LatticeCluster.Spec spec, LatticeObject pool) {
        Provider poolProvider = ((Pool) pool).provider();
        LatticeCluster.ProviderConfig config = spec.provider().config();
        Provider configured = config.configured();
        if (configured != null && configured != poolProvider) {
            problems.error(at.key(path + ".provider.config." + configured.wire()), "cluster " + name + " configures "
                    + configured.wire() + ", but its pool " + pool.name() + " is a " + poolProvider.wire() + " pool",
                    "configure " + poolProvider.wire() + ", or use a " + configured.wire() + " pool");
        }
        if (pool instanceof CloudPool cloud && config.aws() != null) {
            String region = config.aws().region();
            CloudPool.Region r = cloud.spec().regions().get(region);
            if (r == null || !r.enabled()) {
                List<String> enabled = cloud.spec().regions().entrySet().stream().filter(e -> e.getValue().enabled())
                        .map(Map.Entry::getKey).collect(Collectors.toList());
                problems.error(at.value(path + ".provider.config.aws.region"), "region " + region + " is not "
                        + (r == null ? "a region" : "an enabled region") + " of pool " + pool.name(),
                        enabled.isEmpty() ? null : "the pool's enabled regions: " + String.join(", ", enabled));
            }
        }
    }

    private void machineType(SourceMap at, String path, InstanceType type, LatticeObject pool) {
        if (type instanceof InstanceType.Named named && pool instanceof CloudPool cloud
                && InstanceCatalog.find(named.name()).isEmpty() && !cloud.spec().pricing().containsKey(named.name())) {
            problems.error(at.value(path), "instance type " + named.name() + " is neither in lattice's built-in price list nor"
                    + " in pool " + pool.name() + "'s pricing, so its cost cannot be accounted",
                    "add it to the pool's spec.pricing (USD per hour)");
            return;
        }
        if (!(type instanceof InstanceType.Named named) || !(pool instanceof StaticPool staticPool)) {
            return;
        }
        List<String> names = staticPool.spec().machineTypes().stream().map(StaticPool.MachineType::name).toList();
        if (!names.contains(named.name())) {
            String hint = Suggestions.closest(named.name(), names).map(c -> "did you mean \"" + c + "\"?")
                    .orElse(names.isEmpty() ? "the pool defines no machineTypes" : "the pool has: " + String.join(", ", names));
            problems.error(at.value(path), "pool " + pool.name() + " has no machine type \"" + named.name() + "\"", hint);
        }
    }
}
