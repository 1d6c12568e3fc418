package dev.lattice.cli.command;

import dev.lattice.core.LatticeException;

/** Thrown by commands whose engine has not been built yet, so nobody mistakes a stub for a result. */
final class NotBuiltYet extends LatticeException {
    private static final long serialVersionUID = 1L;

    NotBuiltYet(String command, String meanwhile) {
        super("'lattice " + command + "' is not built yet in this version of lattice", meanwhile);
    }
}
