package dev.lattice.daemon.reconciler;

import dev.lattice.core.capacity.PoolAccounting.PoolLedger;
import dev.lattice.core.capacity.PoolStatus;
import dev.lattice.core.model.CanonicalForm;
import dev.lattice.core.model.Condition;
import dev.lattice.core.model.Kind;
import dev.lattice.core.model.Pool;
import dev.lattice.core.status.ObjectStatus;
import dev.lattice.engine.kube.StatusWriter;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

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
    public void reconcile(String key) {
        LatticeCache.Snapshot snapshot = cache.snapshot();
        for (PoolLedger ledger : snapshot.ledger().pools()) {
            Kind kind = ledger.pool().kind();
            GenericKubernetesResource live = cache.get(kind, null, ledger.pool().name());
            if (live == null) {
                continue;
            }
            Long generation = live.getMetadata().getGeneration();
            Pool.Status accounted = PoolStatus.of(ledger);
            ObjectStatus after = new ObjectStatus(CanonicalForm.map(accounted)).observedGeneration(generation).phase("Ready")
                    .conditions(StatusWriter.of(live).conditions());
            for (Condition c : accounted.conditions()) {
                after.condition(c.type(), "True".equals(c.status()), c.reason(), c.message(), generation, status.now());
            }
            status.write(kind, live, after);
        }
        for (LatticeCache.Rejected r : snapshot.rejected(Kind.STATIC_POOL, Kind.CLOUD_POOL)) {
            Long generation = r.live().getMetadata().getGeneration();
            ObjectStatus after = StatusWriter.of(r.live()).observedGeneration(generation).phase("Failed")
                    .condition("Ready", false, "InvalidSpec", r.problems().get(0).render(), generation, status.now());
            status.write(r.kind(), r.live(), after);
        }
    }
}
