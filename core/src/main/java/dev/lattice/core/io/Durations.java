package dev.lattice.core.io;

import java.time.Duration;
import java.util.regex.Pattern;

/** Durations as people write them for {@code --timeout} and read them in messages: {@code 90s}, {@code 30m}, {@code 1h30m}. */
public final class Durations {
    private static final Pattern WRITTEN = Pattern.compile("(\\d+h)?(\\d+m)?(\\d+s)?");

    private Durations() {
    }

    /** {@code 90s}, {@code 30m}, {@code 1h30m}, or an ISO-8601 duration ({@code PT2M}). */
    public static Duration parse(String value) {
        String v = value.trim().toLowerCase();
        if (v.startsWith("p")) {
            return Duration.parse(value.trim());
        }
        if (v.isEmpty() || !WRITTEN.matcher(v).matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a duration");
        }
        return Duration.parse("PT" + v.toUpperCase());
    }

    /** The same form back: whole hours, minutes and seconds, or milliseconds under a second ({@code 0s} for none). */
    public static String format(Duration d) {
        long s = d.toSeconds();
        String out = (s >= 3600 ? s / 3600 + "h" : "") + (s % 3600 >= 60 ? s % 3600 / 60 + "m" : "") + (s % 60 > 0 ? s % 60 + "s" : "");
        return !out.isEmpty() ? out : d.isZero() ? "0s" : d.toMillis() + "ms";
    }
}
