package dev.lattice.core.capacity;

import dev.lattice.core.model.CloudPool;
import dev.lattice.core.model.InstanceCatalog;
import dev.lattice.core.model.InstanceType;
import dev.lattice.core.model.LatticeObject;
import dev.lattice.core.model.Quantity;
import dev.lattice.core.model.StaticPool;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Optional;

/**
 * What one machine of a cluster is: cores, memory, NVIDIA GPUs, and what it costs per hour (zero on capacity that is already
 * paid for: a StaticPool, a laptop).
 */
public record MachineSize(int cores, BigInteger memoryBytes, int gpus, BigDecimal usdPerHour) {

    private static final BigInteger GIB = BigInteger.valueOf(1024L * 1024 * 1024);

    /**
     * Resolves an instance type against the pool the machines come from (null when none): a StaticPool's machine
     * types, a CloudPool's pricing over the built-in catalogue, or the catalogue alone. Empty when the type is
     * named but not known anywhere, or not given.
     */
    public static Optional<MachineSize> of(InstanceType type, LatticeObject pool) {
        if (type instanceof InstanceType.Explicit e) {
            return Optional.of(new MachineSize(e.cores(), BigInteger.valueOf(e.memoryGib()).multiply(GIB), e.gpus(), BigDecimal.ZERO));
        }
        if (!(type instanceof InstanceType.Named named)) {
            return Optional.empty();
        }
        if (pool instanceof StaticPool staticPool) {
            return staticPool.spec().machineTypes().stream()
                    .filter(m -> m.name().equals(named.name()))
                    .findFirst()
                    .map(m -> new MachineSize(m.cores(), m.memory().ceilUnits(), m.gpus(), BigDecimal.ZERO));
        }
        Optional<InstanceCatalog.InstanceSpec> known = InstanceCatalog.find(named.name());
        BigDecimal override = pool instanceof CloudPool cloud ? cloud.spec().pricing().get(named.name()) : null;
        if (known.isEmpty() && override != null) {
            // Priced by the pool but not in the catalogue: its cost is known, its size is not.
            return Optional.of(new MachineSize(0, BigInteger.ZERO, 0, override));
        }
        return known.map(k -> new MachineSize(k.cores(), BigInteger.valueOf(k.memoryGib()).multiply(GIB), k.gpus(),
                override != null ? override : k.usdPerHour()));
    }

    /** Whether cores and memory are known (a type priced by a pool but not catalogued has only a price). */
    public boolean sizeKnown() {
        return cores > 0;
    }

    public Quantity memory() {
        return Quantity.ofBytes(memoryBytes);
    }
}
