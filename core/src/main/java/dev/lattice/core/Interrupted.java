package dev.lattice.core;

import java.time.Duration;

/** The work was interrupted (Ctrl-C): whoever started it cleans up and stops. Exit code 130, as shells use. */
public final class Interrupted extends LatticeException {
    private static final long serialVersionUID = 1L;

    public Interrupted() {
        super("interrupted", "run the same command again to resume", 130, null);
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
