package dev.lattice.engine;

import dev.lattice.core.LatticeException;
import java.time.Duration;

/** The work was interrupted (Ctrl-C): whoever started it cleans up and stops. Exit code 130, as shells use. */
public final class Interrupted extends LatticeException {
    private static final long serialVersionUID = 1L;

    public Interrupted() {
        super("interrupted", "run the same command again to resume", 130, null);
    }

    /**
     * What a failure amounts to: {@link Interrupted} when the thread was interrupted (the flag, cleared here so that
     * clean-up can wait, or an {@link InterruptedException} among the causes), else the failure itself.
     */
    public static RuntimeException or(RuntimeException failure) {
        boolean interrupted = Thread.interrupted() || failure instanceof Interrupted;
        for (Throwable t = failure; t != null && !interrupted; t = t.getCause() == t ? null : t.getCause()) {
            interrupted = t instanceof InterruptedException;
        }
        return interrupted && !(failure instanceof Interrupted) ? new Interrupted() : failure;
    }

    /** Sleeps, turning an interrupt into {@link Interrupted} so that the caller unwinds. */
    public static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Interrupted();
        }
    }
}
