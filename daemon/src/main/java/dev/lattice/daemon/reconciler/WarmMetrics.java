package dev.lattice.daemon.reconciler;

import java.time.Duration;

/** What the warm pools tell the daemon's metrics. */
public interface WarmMetrics {
    WarmMetrics NONE = new WarmMetrics() {
    };

    /** A claim was bound, {@code latency} after it was made. */
    default void claimBound(Duration latency) {
    }

    /** A reset ended, after {@code took}; {@code clean} when the cluster is Available again. */
    default void resetFinished(Duration took, boolean clean) {
    }

    /** The pool began to keep claims waiting. */
    default void exhausted(String pool) {
    }
}
