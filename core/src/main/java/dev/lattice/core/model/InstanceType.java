package dev.lattice.core.model;

/**
 * A machine size: either a name the provider or pool knows ({@code m5.xlarge}, {@code large}) or an explicit
 * resource specification for providers without named types (Proxmox).
 */
public sealed interface InstanceType permits InstanceType.Named, InstanceType.Explicit {

    /** A named instance or machine type. */
    record Named(String name) implements InstanceType {
        @Override
        public String toString() {
            return name;
        }
    }

    /** An explicit size. */
    record Explicit(
            @Field(required = true, min = 1) Integer cores,
            @Field(name = "memoryGib", required = true, min = 1) Integer memoryGib,
            @Field(name = "diskGib", min = 1) Integer diskGib,
            @Field(min = 1, doc = "CPU sockets; defaults to 1.") Integer sockets,
            @Field(min = 0, max = 64, doc = "NVIDIA GPUs passed through to the machine; default 0.") Integer gpus) implements InstanceType {
        public Explicit {
            sockets = sockets == null ? 1 : sockets;
            gpus = gpus == null ? 0 : gpus;
        }
    }
}
