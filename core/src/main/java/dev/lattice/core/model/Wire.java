package dev.lattice.core.model;

/** An enum whose constants have a wire spelling different from their Java names. */
public interface Wire {
    String wire();
}
