package dev.lattice.core;

/**
 * A failure a user can act on. Its message reads as "what: why"; {@link #nextStep()} says what to do next.
 * Anything else that escapes is a bug.
 */
public class LatticeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Exit code for a failure or invalid input. */
    public static final int FAILURE = 1;
    /** Exit code for a placement that could not be made: a service no cluster can take, or a cluster its pool cannot hold. */
    public static final int UNPLACEABLE = 3;

    private final String nextStep;
    private final int exitCode;

    public LatticeException(String message, String nextStep) {
        this(message, nextStep, FAILURE, null);
    }

    public LatticeException(String message, String nextStep, int exitCode, Throwable cause) {
        super(message, cause);
        this.nextStep = nextStep;
        this.exitCode = exitCode;
    }

    /** What the user can do about it, or null. */
    public String nextStep() {
        return nextStep;
    }

    public int exitCode() {
        return exitCode;
    }
}
