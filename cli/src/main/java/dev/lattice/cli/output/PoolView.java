package dev.lattice.cli.output;

import dev.lattice.core.capacity.PoolAccounting;
import dev.lattice.core.capacity.PoolAccounting.Allocation;
import dev.lattice.core.capacity.PoolAccounting.PoolLedger;
import dev.lattice.core.capacity.PoolStatus;
import dev.lattice.core.model.CanonicalForm;
import dev.lattice.core.model.CloudPool;
import dev.lattice.core.model.Condition;
import dev.lattice.core.model.StaticPool;
import dev.lattice.core.model.WarmPool;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Pool accounting as the JSON/YAML contract, a kubectl-like table, and a wide table of allocations. */
public final class PoolView {
    private PoolView() {
    }

    public static List<Map<String, Object>> data(PoolAccounting.Ledger ledger) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (PoolLedger p : ledger.pools()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", p.pool().name());
            m.put("kind", p.pool().kind().kindName());
            if (p.pool() instanceof CloudPool cloud) {
                CloudPool.Budget budget = cloud.spec().budget();
                Map<String, Object> b = new LinkedHashMap<>();
                b.put("monthly", CanonicalForm.tree(PoolStatus.money(budget.monthly())));
                b.put("alertAt", budget.alertAt());
                b.put("hardLimit", budget.hardLimit());
                m.put("budget", b);
            }
            m.putAll(CanonicalForm.map(PoolStatus.of(p)));
            // Scripts iterate these: they are there, empty, when the pool holds nothing (the canonical form leaves empties out).
            m.putIfAbsent("allocatedTo", List.of());
            m.putIfAbsent("conditions", List.of());
            // The clusters this pool cannot hold: the table lists them on stderr, scripts read them here.
            List<Map<String, Object>> refused = new ArrayList<>();
            for (PoolAccounting.Refusal r : ledger.refusals()) {
                if (r.pool().equals(p.pool().name())) {
                    refused.add(refusal(r));
                }
            }
            m.put("refused", refused);
            out.add(m);
        }
        return out;
    }

    public static List<Map<String, Object>> refusals(PoolAccounting.Ledger ledger) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (PoolAccounting.Refusal r : ledger.refusals()) {
            out.add(refusal(r));
        }
        return out;
    }

    private static Map<String, Object> refusal(PoolAccounting.Refusal r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cluster", r.cluster());
        m.put("pool", r.pool());
        m.put("file", r.location().file());
        m.put("line", r.location().line());
        m.put("column", r.location().column());
        m.put("message", r.message());
        return m;
    }

    /** NAME, KIND, CORES, MEMORY, STORAGE, SPEND/BUDGET, CONDITIONS; {@code wide} adds a table of allocations. */
    public static String table(PoolAccounting.Ledger ledger, boolean wide) {
        Printer.Table table = new Printer.Table("NAME", "KIND", "CORES", "MEMORY", "STORAGE", "SPEND/BUDGET", "CONDITIONS");
        for (PoolLedger p : ledger.pools()) {
            String conditions = p.conditions().stream().filter(c -> c.status().equals("True")).map(Condition::type)
                    .collect(Collectors.joining(","));
            if (p.pool() instanceof StaticPool s) {
                StaticPool.Capacity cap = s.spec().capacity();
                table.row(p.pool().name(), "StaticPool", p.usedCores() + "/" + cap.cores(), p.usedMemory() + "/" + cap.memory(),
                        cap.storage() == null ? "-" : p.usedStorage() + "/" + cap.storage(), "-", conditions);
            } else {
                CloudPool.Budget budget = ((CloudPool) p.pool()).spec().budget();
                table.row(p.pool().name(), "CloudPool", "-", "-", "-",
                        "$" + plain(p.projectedSpend()) + "/$" + plain(budget.monthly()), conditions);
            }
        }
        String out = table.render();
        if (wide) {
            Printer.Table allocations = new Printer.Table("POOL", "CLUSTER", "CORES", "MEMORY", "STORAGE", "MONTHLY");
            for (PoolLedger p : ledger.pools()) {
                for (Allocation a : p.allocatedTo()) {
                    allocations.row(p.pool().name(), a.cluster(), a.cores(), a.memory(),
                            a.storage().value().signum() > 0 ? a.storage() : "-",
                            a.monthlyCost() == null ? "-" : "$" + plain(a.monthlyCost()));
                }
            }
            out += "\n" + allocations.render();
        }
        return out;
    }

    /**
     * The warm pools as the JSON/YAML contract: each with its capacity pool, size, ceiling, what its status counts
     * (written by the daemon; absent for files), the claims waiting, its conditions, and whether its capacity pool
     * refuses it.
     */
    public static List<Map<String, Object>> warmData(List<WarmPool> warmPools, PoolAccounting.Ledger ledger) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (WarmPool w : warmPools) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", w.name());
            m.put("pool", w.spec().pool());
            m.put("size", w.spec().size());
            m.put("maxSize", w.spec().ceiling());
            WarmPool.Status st = w.status();
            Map<String, Object> counts = new LinkedHashMap<>();
            counts.put("available", st.available());
            counts.put("claimed", st.claimed());
            counts.put("resetting", st.resetting());
            counts.put("provisioning", st.provisioning());
            counts.put("error", st.error());
            counts.values().removeIf(java.util.Objects::isNull);
            m.put("clusters", counts);
            m.put("queue", st.queue());
            m.put("conditions", st.conditions().isEmpty() ? List.of() : CanonicalForm.tree(st.conditions()));
            refusal(w, ledger).ifPresent(r -> m.put("refused", refusal(r)));
            out.add(m);
        }
        return out;
    }

    /** NAME, POOL, SIZE, AVAILABLE, CLAIMED, RESETTING, PROVISIONING, ERROR, WAITING, CONDITIONS ("-": no status yet). */
    public static String warmTable(List<WarmPool> warmPools, PoolAccounting.Ledger ledger) {
        Printer.Table table = new Printer.Table("WARM POOL", "POOL", "SIZE", "AVAILABLE", "CLAIMED", "RESETTING", "PROVISIONING",
                "ERROR", "WAITING", "CONDITIONS");
        for (WarmPool w : warmPools) {
            WarmPool.Status st = w.status();
            List<String> conditions = new ArrayList<>(st.conditions().stream().filter(c -> c.status().equals("True"))
                    .map(Condition::type).toList());
            if (refusal(w, ledger).isPresent()) {
                conditions.add("PoolRefused");
            }
            int ceiling = w.spec().ceiling();
            table.row(w.name(), w.spec().pool(), ceiling == w.spec().size() ? String.valueOf(ceiling) : w.spec().size() + "-" + ceiling,
                    count(st.available()), count(st.claimed()), count(st.resetting()), count(st.provisioning()), count(st.error()),
                    st.observedGeneration() == null ? "-" : String.valueOf(st.queue().size()),
                    conditions.isEmpty() ? "-" : String.join(",", conditions));
        }
        return table.render();
    }

    private static java.util.Optional<PoolAccounting.Refusal> refusal(WarmPool w, PoolAccounting.Ledger ledger) {
        String id = PoolAccounting.warmPoolId(w.name());
        return ledger.refusals().stream().filter(r -> r.cluster().equals(id)).findFirst();
    }

    private static String count(Integer n) {
        return n == null ? "-" : String.valueOf(n);
    }

    private static String plain(BigDecimal d) {
        return d.setScale(2, RoundingMode.HALF_UP).toPlainString();
    }
}
