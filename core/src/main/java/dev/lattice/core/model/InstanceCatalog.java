package dev.lattice.core.model;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;

/**
 * Common cloud instance types: vCPUs, memory and on-demand price. The figures are AWS's published on-demand
 * Linux prices for us-east-1 (the public EC2 price list, as of mid-2024). They are a default only: a CloudPool's
 * {@code spec.pricing} overrides the price of any type, and names a price for types not listed here.
 */
public final class InstanceCatalog {

    /** One instance type: its NVIDIA GPUs among the rest (g5: A10G, p3: V100). */
    public record InstanceSpec(String name, int cores, int memoryGib, int gpus, BigDecimal usdPerHour) {
    }

    private static final Map<String, InstanceSpec> TYPES = Map.ofEntries(
            type("t3.medium", 2, 4, "0.0416"),
            type("t3.large", 2, 8, "0.0832"),
            type("t3.xlarge", 4, 16, "0.1664"),
            type("t3.2xlarge", 8, 32, "0.3328"),
            type("m5.large", 2, 8, "0.096"),
            type("m5.xlarge", 4, 16, "0.192"),
            type("m5.2xlarge", 8, 32, "0.384"),
            type("m5.4xlarge", 16, 64, "0.768"),
            type("m5.8xlarge", 32, 128, "1.536"),
            type("m5.12xlarge", 48, 192, "2.304"),
            type("m6i.large", 2, 8, "0.096"),
            type("m6i.xlarge", 4, 16, "0.192"),
            type("m6i.2xlarge", 8, 32, "0.384"),
            type("m6i.4xlarge", 16, 64, "0.768"),
            type("c5.large", 2, 4, "0.085"),
            type("c5.xlarge", 4, 8, "0.17"),
            type("c5.2xlarge", 8, 16, "0.34"),
            type("c5.4xlarge", 16, 32, "0.68"),
            type("r5.large", 2, 16, "0.126"),
            type("r5.xlarge", 4, 32, "0.252"),
            type("r5.2xlarge", 8, 64, "0.504"),
            type("r5.4xlarge", 16, 128, "1.008"),
            gpu("g5.xlarge", 4, 16, 1, "1.006"),
            gpu("g5.2xlarge", 8, 32, 1, "1.212"),
            gpu("p3.2xlarge", 8, 61, 1, "3.06"));

    private InstanceCatalog() {
    }

    public static Optional<InstanceSpec> find(String name) {
        return Optional.ofNullable(TYPES.get(name));
    }

    private static Map.Entry<String, InstanceSpec> type(String name, int cores, int memoryGib, String usdPerHour) {
        return gpu(name, cores, memoryGib, 0, usdPerHour);
    }

    private static Map.Entry<String, InstanceSpec> gpu(String name, int cores, int memoryGib, int gpus, String usdPerHour) {
        return Map.entry(name, new InstanceSpec(name, cores, memoryGib, gpus, new BigDecimal(usdPerHour)));
    }
}
