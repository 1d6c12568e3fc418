package dev.lattice.core.parse;

import java.util.Comparator;

/** One thing wrong (or worth a warning) in a user's input, at the place it was written. */
public record Problem(Severity severity, Location location, String message, String hint) {

    public enum Severity { ERROR, WARNING }

    /** Orders problems as a reader scans the files: by file, then line, then column. */
    public static final Comparator<Problem> BY_LOCATION = Comparator
            .comparing((Problem p) -> p.location().file())
            .thenComparingInt(p -> p.location().line())
            .thenComparingInt(p -> p.location().column());

    public static Problem error(Location location, String message, String hint) {
        return new Problem(Severity.ERROR, location, message, hint);
    }

    public static Problem warning(Location location, String message, String hint) {
        return new Problem(Severity.WARNING, location, message, hint);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** {@code FILE:LINE:COL: message}, and the hint on its own line when there is one. */
    public String render() {
        String head = location + ": " + (isError() ? "" : "warning: ") + message;
        return hint == null ? head : head + "\n  hint: " + hint;
    }
}
