package dev.lattice.core.model;

/** Whether a pool serves many clusters or exactly one. */
public enum Sharing implements Wire {
    SHARED("Shared"), DEDICATED("Dedicated");

    private final String wire;

    Sharing(String wire) {
        this.wire = wire;
    }

    @Override
    public String wire() {
        return wire;
    }
}
