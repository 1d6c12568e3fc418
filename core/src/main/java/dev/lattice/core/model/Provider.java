package dev.lattice.core.model;

/** The infrastructure providers Lattice provisions through Cluster API. */
public enum Provider implements Wire {
    DOCKER("docker"), AWS("aws"), OPENSTACK("openstack"), PROXMOX("proxmox");

    private final String wire;

    Provider(String wire) {
        this.wire = wire;
    }

    @Override
    public String wire() {
        return wire;
    }
}
