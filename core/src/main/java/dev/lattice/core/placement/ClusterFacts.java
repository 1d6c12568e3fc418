package dev.lattice.core.placement;

import dev.lattice.core.addons.ClusterAddons;
import dev.lattice.core.capacity.MachineSize;
import dev.lattice.core.model.CloudPool;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.LatticeObject;
import dev.lattice.core.model.Pool;
import dev.lattice.core.model.StaticPool;
import dev.lattice.core.model.WarmPool;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Location;
import dev.lattice.core.parse.ParsedObject;
import dev.lattice.core.parse.Problem;
import dev.lattice.core.parse.SourceMap;
import dev.lattice.core.rule.v1.Capacity;
import dev.lattice.core.rule.v1.Cluster;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the solver knows of one cluster: what placement rules see ({@link #view()}), its worker capacity, how many
 * services it may hold and what its capacity costs.
 *
 * @param cpuMillis        worker CPU, in thousandths of a core (the control plane runs no workloads)
 * @param memoryBytes      worker memory
 * @param gpus             worker NVIDIA GPUs whole, counted only where {@code gpu: true} installs the device plugin that offers them
 * @param gpuShares        shares of the GPUs HAMi serves (worker pools labelled {@code gpu: "on"}), each GPU counted
 *                         {@link ClusterAddons#GPU_SHARES} times; those GPUs are not among {@code gpus}
 * @param autoscaler       whether KEDA runs there ({@code monitoring: true}), which an autoscaled service needs
 * @param maxServices      {@code policies.maxServices}, or null for no limit
 * @param usdPerCoreHour   average price of a worker core; zero on capacity already paid for
 */
public record ClusterFacts(
        String name,
        Cluster view,
        long cpuMillis,
        long memoryBytes,
        long gpus,
        long gpuShares,
        boolean autoscaler,
        Integer maxServices,
        double usdPerCoreHour) {

    private static final long GIB = 1024L * 1024 * 1024;

    /** Facts of every cluster of the inputs, sorted by name, and warnings about what could not be known. */
    public static List<ClusterFacts> of(Inputs inputs, List<Problem> warnings) {
        List<ClusterFacts> facts = new ArrayList<>();
        for (ParsedObject p : inputs.objects()) {
            // A warm pool's clusters are the sessions' that claim them: no service is placed there.
            if (p.object() instanceof LatticeCluster cluster && !cluster.metadata().labels().containsKey(WarmPool.MEMBER_LABEL)) {
                facts.add(of(cluster, inputs, p.source(), warnings));
            }
        }
        facts.sort(Comparator.comparing(ClusterFacts::name));
        return facts;
    }

    static ClusterFacts of(LatticeCluster cluster, Inputs inputs, SourceMap at, List<Problem> warnings) {
        LatticeCluster.Spec spec = cluster.spec();
        Pool pool = inputs.poolOf(cluster).orElse(null);
        Cluster.Builder view = Cluster.newBuilder()
                .setName(cluster.name())
                .putAllLabels(cluster.metadata().labels())
                .setProvider(cluster.provider(pool).wire());
        if (spec.poolName() != null) {
            view.setPool(spec.poolName());
        }
        Set<String> compliance = new LinkedHashSet<>();
        Set<String> capabilities = new LinkedHashSet<>();
        if (pool instanceof StaticPool s) {
            StaticPool.Location location = s.spec().location();
            if (location != null) {
                view.setRegion(nullToEmpty(location.region())).setZone(nullToEmpty(location.zone()))
                        .setCountry(nullToEmpty(location.country()));
            }
            compliance.addAll(s.spec().compliance());
            capabilities.addAll(s.spec().capabilities());
        }
        LatticeCluster.AwsConfig aws = spec.provider().config().aws();
        if (aws != null) {
            view.setRegion(aws.region());
            if (pool instanceof CloudPool c && c.spec().regions().containsKey(aws.region())) {
                CloudPool.Region region = c.spec().regions().get(aws.region());
                compliance.addAll(region.compliance());
                capabilities.addAll(region.capabilities());
            }
        }
        view.addAllCompliance(compliance).addAllCapabilities(capabilities);

        long cpuMillis = 0;
        long gpus = 0;
        long gpuShares = 0;
        BigInteger memory = BigInteger.ZERO;
        BigDecimal usdPerHour = BigDecimal.ZERO;
        for (Map.Entry<String, LatticeCluster.WorkerPoolSpec> e : spec.nodes().workerPools().entrySet()) {
            LatticeCluster.WorkerPoolSpec worker = e.getValue();
            LatticeObject workerPool = worker.pool() == null ? pool : inputs.pool(worker.pool()).orElse(null);
            // An autoscaled pool can grow to max, and its pool reserves max for it.
            int nodes = worker.reservedNodes();
            var size = MachineSize.of(worker.instanceType(), workerPool).filter(MachineSize::sizeKnown);
            if (size.isEmpty()) {
                if (nodes > 0) {
                    String path = SourceMap.child("spec.nodes.workerPools", e.getKey());
                    warnings.add(Problem.warning(at.key(path), "cluster " + cluster.name() + ": worker pool " + e.getKey()
                            + " has no known machine size, so it adds no capacity for placement",
                            worker.instanceType() == null ? "set instanceType (a name the pool knows, or {cores, memoryGib})"
                                    : "name a machine type the pool defines, or give {cores, memoryGib}"));
                }
                continue;
            }
            cpuMillis += 1000L * size.get().cores() * nodes;
            if (ClusterAddons.SHARED_GPU_VALUE.equals(worker.labels().get(ClusterAddons.SHARED_GPU_LABEL))) {
                gpuShares += (long) size.get().gpus() * nodes * ClusterAddons.GPU_SHARES;
            } else {
                gpus += (long) size.get().gpus() * nodes;
            }
            memory = memory.add(size.get().memoryBytes().multiply(BigInteger.valueOf(nodes)));
            usdPerHour = usdPerHour.add(size.get().usdPerHour().multiply(BigDecimal.valueOf(nodes)));
        }
        long memoryBytes = memory.min(BigInteger.valueOf(Long.MAX_VALUE)).longValue();
        view.setCapacity(Capacity.newBuilder().setCores(cpuMillis / 1000).setMemoryGib(memoryBytes / GIB));
        if (spec.gpu() && gpus == 0 && gpuShares == 0) {
            String pools = pool == null ? "its worker pools' sizes" : "pool " + pool.name() + "'s machine types";
            warnings.add(Problem.warning(at.value("spec.gpu"), "cluster " + cluster.name() + " has gpu: true, but none of "
                    + pools + " has a GPU, so no service that asks for one is placed there",
                    "give a worker pool an instance type with GPUs (g5.xlarge; a StaticPool machine type's gpus; {cores, memoryGib, gpus})"));
        }
        if (!spec.gpu()) {
            gpus = 0; // no device plugin offers them
            gpuShares = 0;
        }
        // The rules see the cluster's size; services get what its add-ons leave of it.
        int workers = spec.nodes().workerPools().values().stream().mapToInt(LatticeCluster.WorkerPoolSpec::reservedNodes).sum();
        for (ClusterAddons.Addon addon : ClusterAddons.wanted(cluster)) {
            cpuMillis = Math.max(0, cpuMillis - addon.cost().cpuMillis(workers));
            memoryBytes = Math.max(0, memoryBytes - addon.cost().memoryBytes(workers));
        }
        double perCore = cpuMillis == 0 ? 0 : usdPerHour.doubleValue() / (cpuMillis / 1000.0);
        return new ClusterFacts(cluster.name(), view.build(), cpuMillis, memoryBytes, gpus, gpuShares, spec.monitoring(),
                spec.policies().maxServices(), perCore);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
