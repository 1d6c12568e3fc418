package dev.lattice.daemon.reconciler;

import dev.lattice.core.capacity.PoolAccounting.PoolLedger;
import dev.lattice.core.capacity.PoolStatus;
import dev.lattice.core.model.Kind;
import dev.lattice.engine.kube.StatusWriter;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;

/**
 * StaticPool and CloudPool: each pool's status from the accounting over every cluster that draws on it (used,
 * available, allocatedTo, spend, conditions Ready, CapacityPressure, BudgetWarning). Accounting spans all pools and
 * clusters, so there is one key.
 */
public final class PoolReconciler implements Reconciler {
    public static final String KEY = "pools";

    private final LatticeCache cache;
    private final StatusWriter status;

    PoolReconciler(LatticeCache cache, StatusWriter status) {
        this.cache = cache;
        this.status = status;
    }

    @Override
    public String name() {
        return "pools";
    }

    @Override
    @SuppressWarnings("unchecked")
    public void reconcile(String key) {
        LatticeCache.Snapshot snapshot = cache.snapshot();
        for (PoolLedger ledger : snapshot.ledger().pools()) {
            Kind kind = ledger.pool().kind();
            GenericKubernetesResource live = cache.get(kind, null, ledger.pool().name());
            if (live == null) {
                continue;
            }
            Long generation = live.getMetadata().getGeneration();
            Map<String, Object> before = StatusWriter.of(live);
            Map<String, Object> after = new java.util.LinkedHashMap<>(PoolStatus.of(ledger));
            List<Map<String, Object>> conditions = (List<Map<String, Object>>) after.remove("conditions");
            after.put("observedGeneration", generation);
            after.put("phase", "Ready");
            after.put("conditions", before.getOrDefault("conditions", List.of()));
            for (Map<String, Object> c : conditions) {
                status.condition(after, (String) c.get("type"), "True".equals(c.get("status")), (String) c.get("reason"),
                        (String) c.get("message"), generation);
            }
            status.write(kind, live, after);
        }
        for (LatticeCache.Rejected r : snapshot.rejected(Kind.STATIC_POOL, Kind.CLOUD_POOL)) {
            Map<String, Object> after = StatusWriter.of(r.live());
            after.put("observedGeneration", r.live().getMetadata().getGeneration());
            after.put("phase", "Failed");
            status.condition(after, "Ready", false, "InvalidSpec", r.problems().get(0).render(), r.live().getMetadata().getGeneration());
            status.write(r.kind(), r.live(), after);
        }
    }
}
