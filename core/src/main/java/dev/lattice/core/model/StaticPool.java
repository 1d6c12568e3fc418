package dev.lattice.core.model;

import java.util.List;
import java.util.Map;

/** Fixed capacity (a datacenter, a rack of hypervisors) that clusters draw on. The constraint is capacity. */
public record StaticPool(ObjectMeta metadata, Spec spec, Status status) implements Pool {

    public StaticPool {
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
        return Kind.STATIC_POOL;
    }

    public record Spec(
            @Field(required = true, doc = "Infrastructure provider: docker, aws, openstack or proxmox.") Provider provider,
            SecretRef credentialsRef,
            @Field(doc = "Provider-specific settings (cloud name, networks, endpoints).") Map<String, Object> providerConfig,
            Location location,
            @Field(required = true) Capacity capacity,
            List<MachineType> machineTypes,
            List<String> compliance,
            List<String> capabilities,
            @Field(doc = "Shared (default) serves many clusters; Dedicated serves exactly one.") Sharing sharing) {
        public Spec {
            providerConfig = Immutable.map(providerConfig);
            machineTypes = Immutable.list(machineTypes);
            compliance = Immutable.list(compliance);
            capabilities = Immutable.list(capabilities);
            sharing = sharing == null ? Sharing.SHARED : sharing;
        }
    }

    /** Where a pool's machines are. */
    public record Location(String region, String zone, String country, String facility) {
    }

    /** Total capacity of a pool. */
    public record Capacity(
            @Field(required = true, min = 0) Integer cores,
            @Field(required = true) Quantity memory,
            Quantity storage) {
    }

    /** A machine size clusters on this pool may ask for by name. */
    public record MachineType(
            @Field(required = true) String name,
            @Field(required = true, min = 1) Integer cores,
            @Field(required = true) Quantity memory,
            Quantity storage,
            @Field(min = 0, max = 64, doc = "NVIDIA GPUs in each machine of this type; default 0.") Integer gpus) {
        public MachineType {
            gpus = gpus == null ? 0 : gpus;
        }
    }

    /** Usage figures written by the pool controller. */
    public record Usage(Integer cores, Quantity memory, Quantity storage) {
    }

    /** What one cluster holds of the pool. */
    public record Allocation(@Field(required = true) String cluster, Integer cores, Quantity memory, Quantity storage) {
    }

    public record Status(
            Long observedGeneration,
            @Field(doc = "Ready once accounted; Failed when its spec is invalid.") String phase,
            Usage capacity,
            Usage used,
            Usage available,
            List<Allocation> allocatedTo,
            List<Condition> conditions) implements Pool.Status {
        public static final Status EMPTY = new Status(null, null, null, null, null, List.of(), List.of());

        public Status {
            allocatedTo = Immutable.list(allocatedTo);
            conditions = Immutable.list(conditions);
        }
    }
}
