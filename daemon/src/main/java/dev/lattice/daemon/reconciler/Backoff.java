package dev.lattice.daemon.reconciler;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The daemon's one back-off policy, for every retry it makes (a reconcile, a child's provisioning step, an agent's
 * reconnection): the wait doubles from {@code first} with each failure in a row up to {@code max}, and is drawn at
 * random from the upper half of that ("equal jitter"), so that many keys or children failing together do not retry
 * together, and no wait is longer than {@code max}.
 */
public record Backoff(Duration first, Duration max) {
    /** A reconcile: soon at first, as client-go's controllers do, since most failures are a write that lost a race. */
    public static final Backoff RECONCILE = new Backoff(Duration.ofMillis(5), Duration.ofSeconds(30));
    /** A child's provisioning step: each try waits minutes on machines, so trying again at once would gain nothing. */
    public static final Backoff PROVISION = new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(5));
    /** An agent reconnecting to its parent. */
    public static final Backoff RECONNECT = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30));

    public Backoff {
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("a back-off needs 0 < first <= max, not " + first + " and " + max);
        }
    }

    /** How long to wait after {@code failuresInARow} (1 or more) failures. */
    public Duration delay(int failuresInARow) {
        long doubled = first.toNanos() << Math.min(Math.max(failuresInARow, 1) - 1, 40);
        long capped = doubled <= 0 ? max.toNanos() : Math.min(doubled, max.toNanos());
        return Duration.ofNanos(capped - ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }
}
