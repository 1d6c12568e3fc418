package dev.lattice.core.capacity;

import dev.lattice.core.capacity.PoolAccounting.Allocation;
import dev.lattice.core.capacity.PoolAccounting.PoolLedger;
import dev.lattice.core.model.Condition;
import dev.lattice.core.model.Quantity;
import dev.lattice.core.model.StaticPool;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pool's accounting in the shape of its status: for a StaticPool {@code capacity}, {@code used} and
 * {@code available}; for a CloudPool {@code spend}; for both {@code allocatedTo} and {@code conditions} (without
 * transition times, which belong to whoever writes the status). {@code lattice pool status} prints it; the daemon
 * writes it.
 */
public final class PoolStatus {
    private PoolStatus() {
    }

    public static Map<String, Object> of(PoolLedger p) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (p.pool() instanceof StaticPool s) {
            StaticPool.Capacity cap = s.spec().capacity();
            m.put("capacity", resources(cap.cores(), cap.memory(), cap.storage()));
            m.put("used", resources(p.usedCores(), p.usedMemory(), cap.storage() == null ? null : p.usedStorage()));
            m.put("available", resources(cap.cores() - p.usedCores(), cap.memory().minus(p.usedMemory()),
                    cap.storage() == null ? null : cap.storage().minus(p.usedStorage())));
        } else {
            m.put("spend", Map.of("projected", money(p.projectedSpend())));
        }
        List<Map<String, Object>> allocations = new ArrayList<>();
        for (Allocation a : p.allocatedTo()) {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("cluster", a.cluster());
            am.put("cores", a.cores());
            am.put("memory", a.memory().toString());
            if (a.storage().value().signum() > 0) {
                am.put("storage", a.storage().toString());
            }
            if (a.monthlyCost() != null) {
                am.put("monthlyCost", money(a.monthlyCost()));
            }
            allocations.add(am);
        }
        m.put("allocatedTo", allocations);
        List<Map<String, Object>> conditions = new ArrayList<>();
        for (Condition c : p.conditions()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("type", c.type());
            cm.put("status", c.status());
            cm.put("reason", c.reason());
            cm.put("message", c.message());
            conditions.add(cm);
        }
        m.put("conditions", conditions);
        return m;
    }

    private static Map<String, Object> resources(long cores, Quantity memory, Quantity storage) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", cores);
        m.put("memory", memory.toString());
        if (storage != null) {
            m.put("storage", storage.toString());
        }
        return m;
    }

    /** Money as a plain JSON number with cents. */
    public static double money(BigDecimal d) {
        return d.setScale(2, RoundingMode.HALF_UP).doubleValue();
    }
}
