package dev.lattice.core.capacity;

import dev.lattice.core.capacity.PoolAccounting.PoolLedger;
import dev.lattice.core.model.CloudPool;
import dev.lattice.core.model.Condition;
import dev.lattice.core.model.Pool;
import dev.lattice.core.model.Quantity;
import dev.lattice.core.model.StaticPool;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * A pool's accounting in the shape of its status: for a StaticPool {@code capacity}, {@code used} and
 * {@code available}; for a CloudPool {@code spend}; for both {@code allocatedTo} and {@code conditions} (without
 * transition times, which belong to whoever writes the status). {@code lattice pool status} prints it; the daemon
 * writes it.
 */
public final class PoolStatus {
    private PoolStatus() {
    }

    public static Pool.Status of(PoolLedger p) {
        List<Condition> conditions = p.conditions().stream()
                .map(c -> new Condition(c.type(), c.status(), c.reason(), c.message(), null, null)).toList();
        if (p.pool() instanceof StaticPool s) {
            StaticPool.Capacity cap = s.spec().capacity();
            List<StaticPool.Allocation> allocations = p.allocatedTo().stream().map(a -> new StaticPool.Allocation(a.cluster(), Math.toIntExact(a.cores()),
                    a.memory(), a.storage().value().signum() > 0 ? a.storage() : null)).toList();
            return new StaticPool.Status(null, null,
                    usage(cap.cores(), cap.memory(), cap.storage()),
                    usage(p.usedCores(), p.usedMemory(), cap.storage() == null ? null : p.usedStorage()),
                    usage(cap.cores() - p.usedCores(), cap.memory().minus(p.usedMemory()),
                            cap.storage() == null ? null : cap.storage().minus(p.usedStorage())),
                    allocations, conditions);
        }
        List<CloudPool.Allocation> allocations = p.allocatedTo().stream().map(a -> new CloudPool.Allocation(a.cluster(), null, Math.toIntExact(a.cores()),
                a.memory(), a.monthlyCost() == null ? null : money(a.monthlyCost()))).toList();
        return new CloudPool.Status(null, null, new CloudPool.Spend(null, money(p.projectedSpend())), allocations, conditions);
    }

    private static StaticPool.Usage usage(long cores, Quantity memory, Quantity storage) {
        return new StaticPool.Usage(Math.toIntExact(cores), memory, storage);
    }

    /** Money to the cent. */
    public static BigDecimal money(BigDecimal d) {
        return d.setScale(2, RoundingMode.HALF_UP);
    }
}
