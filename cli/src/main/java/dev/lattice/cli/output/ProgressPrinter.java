package dev.lattice.cli.output;

import dev.lattice.core.io.Durations;
import dev.lattice.engine.install.Progress;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * Shows an install's progress on stderr: on a terminal one live line per step that its status rewrites, then a
 * tick; elsewhere (a pipe, a CI log) plain lines, a status only when it changes.
 */
public final class ProgressPrinter implements Progress {
    private final PrintWriter err;
    private final boolean live;
    private String step;
    private String lastStatus;
    private long started;

    public ProgressPrinter(PrintWriter err, boolean live) {
        this.err = err;
        this.live = live;
    }

    /** Live when stderr is a terminal and the user has not asked for plain output (NO_COLOR, TERM=dumb). */
    public static boolean terminal() {
        return System.console() != null && System.getenv("NO_COLOR") == null && !"dumb".equals(System.getenv("TERM"));
    }

    @Override
    public synchronized void begin(String step) {
        this.step = step;
        this.lastStatus = null;
        this.started = System.nanoTime();
        if (live) {
            err.print("\r\033[K  … " + step);
        } else {
            err.println("… " + step);
        }
        err.flush();
    }

    @Override
    public synchronized void update(String status) {
        if (status.equals(lastStatus)) {
            return;
        }
        lastStatus = status;
        if (live) {
            err.print("\r\033[K  … " + step + ": " + status);
        } else {
            err.println("    " + status);
        }
        err.flush();
    }

    @Override
    public synchronized void done(String step, boolean earlier) {
        String took = earlier ? "done by an earlier run" : Durations.format(Duration.ofNanos(System.nanoTime() - started).truncatedTo(ChronoUnit.SECONDS));
        err.println((live ? "\r\033[K  ✓ " : "✓ ") + step + " (" + took + ")");
        err.flush();
        this.step = null;
    }

    @Override
    public synchronized void warn(String message) {
        err.println((live && step != null ? "\r\033[K" : "") + "warning: " + message);
        err.flush();
    }
}
