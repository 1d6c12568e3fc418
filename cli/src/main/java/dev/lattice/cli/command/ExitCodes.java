package dev.lattice.cli.command;

import dev.lattice.core.LatticeException;

/** The exit codes every command lists in its help and man page: one wording, so the pages cannot disagree. */
public final class ExitCodes {
    public static final String HEADING = "%nExit codes:%n";
    public static final String SUCCESS = "0:success";
    public static final String FAILURE = LatticeException.FAILURE + ":failure or invalid input (each problem reported as FILE:LINE:COL; "
            + "nothing was changed)";
    public static final String USAGE = "2:usage error (unknown option, missing argument)";
    public static final String UNPLACEABLE = LatticeException.UNPLACEABLE + ":a placement could not be made: some service no "
            + "cluster can take, or some cluster its pool cannot hold";

    private ExitCodes() {
    }
}
