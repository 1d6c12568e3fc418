package dev.lattice.core.model;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/** Pay-as-you-go cloud capacity bounded by a monthly budget. The constraint is money. */
public record CloudPool(ObjectMeta metadata, Spec spec, Status status) implements Pool {

    public CloudPool {
        status = status == null ? Status.EMPTY : status;
    }

    @Override
    public Provider provider() {
        return spec.provider();
    }

    @Override
    public SecretRef credentialsRef() {
        return spec.credentialsRef();
    }

    @Override
    public Sharing sharing() {
        return spec.sharing();
    }

    @Override
    public Kind kind() {
        return Kind.CLOUD_POOL;
    }

    public record Spec(
            @Field(required = true, doc = "Infrastructure provider: docker, aws, openstack or proxmox.") Provider provider,
            SecretRef credentialsRef,
            @Field(required = true) Budget budget,
            @Field(required = true, doc = "Regions this pool may provision in, by name.") Map<String, Region> regions,
            @Field(doc = "USD per hour by instance type; overrides the built-in price table.") Map<String, BigDecimal> pricing,
            @Field(doc = "Shared (default) serves many clusters; Dedicated serves exactly one.") Sharing sharing) {
        public Spec {
            regions = Immutable.map(regions);
            pricing = Immutable.map(pricing);
            sharing = sharing == null ? Sharing.SHARED : sharing;
        }
    }

    public record Budget(
            @Field(required = true, min = 0, max = 1_000_000_000_000L, doc = "Monthly budget in USD.") BigDecimal monthly,
            @Field(name = "alertAt", min = 0, max = 100, doc = "Percent of the budget that raises BudgetWarning; default 80.") Integer alertAt,
            @Field(name = "hardLimit", doc = "Refuse clusters that would exceed the budget.") Boolean hardLimit) {
        public Budget {
            alertAt = alertAt == null ? 80 : alertAt;
            hardLimit = hardLimit != null && hardLimit;
        }
    }

    public record Region(
            @Field(doc = "Defaults to true.") Boolean enabled,
            List<String> zones,
            List<String> compliance,
            List<String> capabilities) {
        public Region {
            enabled = enabled == null || enabled;
            zones = Immutable.list(zones);
            compliance = Immutable.list(compliance);
            capabilities = Immutable.list(capabilities);
        }
    }

    public record Spend(
            @Field(name = "currentMonth") BigDecimal currentMonth,
            BigDecimal projected) {
    }

    /** What one cluster costs the pool. */
    public record Allocation(
            @Field(required = true) String cluster,
            String region,
            Integer cores,
            Quantity memory,
            @Field(name = "monthlyCost") BigDecimal monthlyCost) {
    }

    public record Status(
            Long observedGeneration,
            @Field(doc = "Ready once accounted; Failed when its spec is invalid.") String phase,
            Spend spend,
            List<Allocation> allocatedTo,
            List<Condition> conditions) implements Pool.Status {
        public static final Status EMPTY = new Status(null, null, null, List.of(), List.of());

        public Status {
            allocatedTo = Immutable.list(allocatedTo);
            conditions = Immutable.list(conditions);
        }
    }
}
