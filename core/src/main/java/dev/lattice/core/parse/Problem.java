package dev.lattice.core.parse;

import java.util.Comparator;

/** One thing wrong (or worth a warning) in a user's input, at the place it was written. */
public record Problem(Severity severity, Location location, String message, String hint) {
    /** Longest value a message quotes whole; a longer one is shown by its ends. */
    static final int QUOTE_LIMIT = 80;
    /** Longest message or hint kept, a last guard against echoing a huge value. */
    static final int MESSAGE_LIMIT = 2000;

    public Problem {
        message = shorten(message, MESSAGE_LIMIT);
        hint = hint == null ? null : shorten(hint, MESSAGE_LIMIT);
    }

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

    /**
     * A user's value in double quotes for a message; a long one is cut to its beginning and end with its length
     * between, so a 5 MB value does not become a 5 MB message.
     */
    public static String quote(String value) {
        return "\"" + shorten(value, QUOTE_LIMIT) + "\"";
    }

    private static String shorten(String text, int limit) {
        if (text.length() <= limit) {
            return text;
        }
        int head = limit * 3 / 4;
        int tail = limit / 8;
        return text.substring(0, head) + "...(" + text.length() + " characters)..." + text.substring(text.length() - tail);
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
