package dev.lattice.core.capacity;

import dev.lattice.core.model.CloudPool;
import dev.lattice.core.model.Condition;
import dev.lattice.core.model.InstanceType;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.LatticeObject;
import dev.lattice.core.model.Pool;
import dev.lattice.core.model.Quantity;
import dev.lattice.core.model.Sharing;
import dev.lattice.core.model.StaticPool;
import dev.lattice.core.model.WarmPool;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Location;
import dev.lattice.core.parse.ParsedObject;
import dev.lattice.core.parse.SourceMap;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What clusters draw from pools (seeds 000 and 001), and which clusters a pool cannot hold. Pure: the same
 * inputs always give the same ledger.
 *
 * <p>A cluster consumes, from the pool each part names, control-plane replicas × its machine size plus each worker
 * pool's replicas × its size (an autoscaled pool reserves its max), and root volumes × replicas of storage. Clusters
 * are accounted first come, first served (by creation time; files in the order they were read); a refused cluster takes
 * nothing, so a later one may still fit.
 */
public final class PoolAccounting {
    /** Hours in the month a monthly cost is computed for (365 × 24 / 12). */
    public static final int HOURS_PER_MONTH = 730;
    /** CapacityPressure is True once any resource of a StaticPool is this many percent used. */
    public static final int PRESSURE_PERCENT = 80;

    private static final BigInteger GB = BigInteger.valueOf(1_000_000_000L);

    private PoolAccounting() {
    }

    /** What one cluster holds of one pool. */
    public record Allocation(String cluster, long cores, Quantity memory, Quantity storage, BigDecimal monthlyCost) {
    }

    /** A cluster a pool cannot hold, where it was asked for, and why. */
    public record Refusal(String cluster, String pool, Location location, String message) {
    }

    /** One pool after accounting. */
    public record PoolLedger(
            LatticeObject pool,
            long usedCores,
            Quantity usedMemory,
            Quantity usedStorage,
            BigDecimal projectedSpend,
            List<Allocation> allocatedTo,
            List<Condition> conditions) {
    }

    /** Every pool, in input order, and every refusal. */
    public record Ledger(List<PoolLedger> pools, List<Refusal> refusals) {
    }

    public static Ledger account(Inputs inputs) {
        Map<String, Book> books = new LinkedHashMap<>();
        for (ParsedObject p : inputs.objects()) {
            if (p.object().kind().isPool()) {
                books.put(p.object().name(), new Book(p.object()));
            }
        }
        List<Refusal> refusals = new ArrayList<>();
        // A warm pool holds its size in clusters from the start; its first size clusters draw on that, any more on their own.
        Map<String, Integer> covered = new HashMap<>();
        for (ParsedObject p : firstComeFirstServed(inputs)) {
            if (p.object() instanceof WarmPool warm) {
                LatticeCluster.Spec template = warm.spec().template();
                boolean held = accountCluster(warmPoolId(warm.name()), "warm pool " + warm.name() + " (" + warm.spec().size() + " clusters)",
                        template, warm.spec().pool(), "spec.pool", "spec.template", warm.spec().size(), p.source(), books, refusals);
                covered.put(warm.name(), held ? warm.spec().size() : 0);
                continue;
            }
            LatticeCluster cluster = (LatticeCluster) p.object();
            String warm = cluster.metadata().labels().get(WarmPool.MEMBER_LABEL);
            if (warm != null && covered.getOrDefault(warm, 0) > 0) {
                covered.merge(warm, -1, Integer::sum);
                continue;
            }
            LatticeCluster.Spec spec = cluster.spec();
            accountCluster(cluster.name(), "cluster " + cluster.name(), spec, spec.poolName(), spec.pool() != null ? "spec.pool" : "spec.providerRef",
                    "spec", 1, p.source(), books, refusals);
        }
        List<PoolLedger> pools = new ArrayList<>();
        books.values().forEach(b -> pools.add(b.ledger()));
        return new Ledger(pools, refusals);
    }

    /**
     * The clusters in the order they came: by creation time, then name, so a cluster created later can never push out
     * one that already holds its allocation. Objects not yet created (files) come after, in the order they were read.
     */
    static List<ParsedObject> firstComeFirstServed(Inputs inputs) {
        List<ParsedObject> clusters = new ArrayList<>();
        for (ParsedObject p : inputs.objects()) {
            if (p.object() instanceof LatticeCluster || p.object() instanceof WarmPool) {
                clusters.add(p);
            }
        }
        clusters.sort(FIRST_COME);
        return clusters;
    }

    private static final Comparator<ParsedObject> FIRST_COME = (a, b) -> {
        Instant x = a.object().metadata().created();
        Instant y = b.object().metadata().created();
        if (x == null || y == null) {
            return x == null ? (y == null ? 0 : 1) : -1; // a stable sort keeps file order among the uncreated
        }
        int byTime = x.compareTo(y);
        return byTime != 0 ? byTime : a.object().name().compareTo(b.object().name());
    };

    /** The name a warm pool's allocation and refusal go by, apart from any cluster's. */
    public static String warmPoolId(String warmPool) {
        return "WarmPool/" + warmPool;
    }

    /**
     * Accounts {@code times} clusters of {@code spec} as one allocation named {@code id}: the spec written at
     * {@code specPath}, drawing on {@code poolName} (written at {@code poolPath}) unless a worker pool names its own.
     * Returns false when a pool refused it (the refusals say why), and it took nothing.
     */
    private static boolean accountCluster(String id, String what, LatticeCluster.Spec spec, String poolName, String poolPath, String specPath,
                                       int times, SourceMap at, Map<String, Book> books, List<Refusal> refusals) {
        // What the cluster asks of each pool it draws on, keyed by pool name, with where that pool was named.
        Map<String, Demand> demands = new LinkedHashMap<>();
        if (poolName != null) {
            Demand d = demands.computeIfAbsent(poolName, k -> new Demand(at.value(poolPath)));
            LatticeCluster.ControlPlaneSpec cp = spec.nodes().controlPlane();
            d.add(cp.replicas() * times, cp.instanceType(), cp.rootVolume(), books.get(poolName));
        }
        spec.nodes().workerPools().forEach((name, worker) -> {
            String workerPool = worker.pool() != null ? worker.pool() : poolName;
            if (workerPool == null) {
                return;
            }
            String path = worker.pool() != null ? SourceMap.child(specPath + ".nodes.workerPools", name) + ".pool" : poolPath;
            int nodes = worker.reservedNodes() * times;
            demands.computeIfAbsent(workerPool, k -> new Demand(at.value(path)))
                    .add(nodes, worker.instanceType(), worker.rootVolume(), books.get(workerPool));
        });
        // All or nothing: a cluster that one of its pools cannot hold takes nothing from any of them.
        List<Refusal> mine = new ArrayList<>();
        demands.forEach((drawnOn, demand) -> {
            Book book = books.get(drawnOn);
            if (book != null) {
                String why = book.refusal(what, demand);
                if (why != null) {
                    mine.add(new Refusal(id, drawnOn, demand.location, why));
                }
            }
        });
        if (!mine.isEmpty()) {
            refusals.addAll(mine);
            return false;
        }
        demands.forEach((drawnOn, demand) -> {
            Book book = books.get(drawnOn);
            if (book != null) {
                book.take(id, demand);
            }
        });
        return true;
    }

    /** What one cluster asks of one pool. */
    private static final class Demand {
        final Location location;
        long cores;
        BigInteger memory = BigInteger.ZERO;
        BigInteger storage = BigInteger.ZERO;
        BigDecimal usdPerHour = BigDecimal.ZERO;

        Demand(Location location) {
            this.location = location;
        }

        void add(int nodes, InstanceType type, LatticeCluster.RootVolume root, Book pool) {
            if (nodes == 0 || pool == null) {
                return;
            }
            MachineSize.of(type, pool.pool).ifPresent(size -> {
                cores += (long) size.cores() * nodes;
                memory = memory.add(size.memoryBytes().multiply(BigInteger.valueOf(nodes)));
                usdPerHour = usdPerHour.add(size.usdPerHour().multiply(BigDecimal.valueOf(nodes)));
            });
            BigInteger disk = diskPerNode(type, root, pool.pool);
            storage = storage.add(disk.multiply(BigInteger.valueOf(nodes)));
        }

        BigDecimal monthly() {
            return usdPerHour.multiply(BigDecimal.valueOf(HOURS_PER_MONTH)).setScale(2, RoundingMode.HALF_UP);
        }
    }

    /** A node's disk: its root volume, else its StaticPool machine type's storage, else an explicit diskGib. */
    static BigInteger diskPerNode(InstanceType type, LatticeCluster.RootVolume root, LatticeObject pool) {
        if (root != null) {
            return BigInteger.valueOf(root.sizeGb()).multiply(GB);
        }
        if (type instanceof InstanceType.Named named && pool instanceof StaticPool s) {
            return s.spec().machineTypes().stream().filter(m -> m.name().equals(named.name()) && m.storage() != null)
                    .findFirst().map(m -> m.storage().ceilUnits()).orElse(BigInteger.ZERO);
        }
        if (type instanceof InstanceType.Explicit e && e.diskGib() != null) {
            return BigInteger.valueOf(e.diskGib()).shiftLeft(30);
        }
        return BigInteger.ZERO;
    }

    /** A pool's running totals while clusters are accounted. */
    private static final class Book {
        final LatticeObject pool;
        long cores;
        BigInteger memory = BigInteger.ZERO;
        BigInteger storage = BigInteger.ZERO;
        BigDecimal spend = BigDecimal.ZERO;
        final List<Allocation> allocations = new ArrayList<>();

        Book(LatticeObject pool) {
            this.pool = pool;
        }

        /** Why the pool cannot hold {@code what} ("cluster a", "warm pool lab (3 clusters)"), or null when it can. */
        String refusal(String what, Demand d) {
            if (((Pool) pool).sharing() == Sharing.DEDICATED && !allocations.isEmpty()) {
                return "pool " + pool.name() + " is Dedicated to cluster " + allocations.get(0).cluster()
                        + "; " + what + " cannot share it";
            }
            if (pool instanceof StaticPool s) {
                StaticPool.Capacity cap = s.spec().capacity();
                List<String> short_ = new ArrayList<>();
                if (cores + d.cores > cap.cores()) {
                    short_.add(d.cores + " cores, " + Math.max(0, cap.cores() - cores) + " of " + cap.cores() + " left");
                }
                BigInteger memCap = cap.memory().ceilUnits();
                if (memory.add(d.memory).compareTo(memCap) > 0) {
                    short_.add(bytes(d.memory) + " of memory, " + bytes(memCap.subtract(memory).max(BigInteger.ZERO)) + " of "
                            + cap.memory() + " left");
                }
                if (cap.storage() != null && storage.add(d.storage).compareTo(cap.storage().ceilUnits()) > 0) {
                    BigInteger storCap = cap.storage().ceilUnits();
                    short_.add(Quantity.ofDecimalBytes(d.storage) + " of storage, "
                            + Quantity.ofDecimalBytes(storCap.subtract(storage).max(BigInteger.ZERO)) + " of "
                            + cap.storage() + " left");
                }
                return short_.isEmpty() ? null : "pool " + pool.name() + " cannot hold " + what + ": needs "
                        + String.join("; needs ", short_);
            }
            CloudPool.Budget budget = ((CloudPool) pool).spec().budget();
            BigDecimal after = spend.add(d.monthly());
            if (budget.hardLimit() && after.compareTo(budget.monthly()) > 0) {
                return "pool " + pool.name() + " cannot hold " + what + ": its $" + money(d.monthly())
                        + "/month would bring projected spend to $" + money(after) + ", over the $" + money(budget.monthly())
                        + " monthly budget (hardLimit)";
            }
            return null;
        }

        void take(String cluster, Demand d) {
            cores += d.cores;
            memory = memory.add(d.memory);
            storage = storage.add(d.storage);
            spend = spend.add(d.monthly());
            allocations.add(new Allocation(cluster, d.cores, Quantity.ofBytes(d.memory), Quantity.ofDecimalBytes(d.storage),
                    pool instanceof CloudPool ? d.monthly() : null));
        }

        PoolLedger ledger() {
            List<Condition> conditions = new ArrayList<>();
            conditions.add(new Condition("Ready", "True", "Accounted", "capacity and allocations are known", null, null));
            if (pool instanceof StaticPool s) {
                StaticPool.Capacity cap = s.spec().capacity();
                int percent = Math.max(percent(BigInteger.valueOf(cores), BigInteger.valueOf(cap.cores())),
                        Math.max(percent(memory, cap.memory().ceilUnits()),
                                cap.storage() == null ? 0 : percent(storage, cap.storage().ceilUnits())));
                boolean pressure = percent >= PRESSURE_PERCENT;
                conditions.add(new Condition("CapacityPressure", pressure ? "True" : "False",
                        pressure ? "AboveThreshold" : "BelowThreshold",
                        percent + "% of the most used resource is allocated; pressure from " + PRESSURE_PERCENT + "%", null, null));
                return new PoolLedger(pool, cores, Quantity.ofBytes(memory), Quantity.ofDecimalBytes(storage), null,
                        List.copyOf(allocations), List.copyOf(conditions));
            }
            CloudPool.Budget budget = ((CloudPool) pool).spec().budget();
            BigDecimal threshold = budget.monthly().multiply(BigDecimal.valueOf(budget.alertAt())).divide(BigDecimal.valueOf(100));
            boolean warning = spend.compareTo(threshold) >= 0;
            conditions.add(new Condition("BudgetWarning", warning ? "True" : "False",
                    warning ? "AboveAlertThreshold" : "BelowAlertThreshold",
                    "projected $" + money(spend) + " of $" + money(budget.monthly()) + " a month; warning from "
                            + budget.alertAt() + "%", null, null));
            return new PoolLedger(pool, cores, Quantity.ofBytes(memory), Quantity.ofDecimalBytes(storage), spend,
                    List.copyOf(allocations), List.copyOf(conditions));
        }
    }

    private static int percent(BigInteger used, BigInteger total) {
        if (total.signum() <= 0) {
            return used.signum() > 0 ? 100 : 0;
        }
        return used.multiply(BigInteger.valueOf(100)).divide(total).intValue();
    }

    static String bytes(BigInteger b) {
        return Quantity.ofBytes(b).toString();
    }

    static String money(BigDecimal d) {
        return d.setScale(2, RoundingMode.HALF_UP).toPlainString();
    }
}
