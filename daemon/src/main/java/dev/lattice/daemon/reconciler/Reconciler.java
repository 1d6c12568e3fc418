package dev.lattice.daemon.reconciler;

/**
 * Brings one key's part of the world to its desired state. Level-based: it reads everything it needs on every
 * call and never asks what changed; calling it again with nothing changed changes nothing. A thrown exception makes
 * the {@link WorkQueue} try again later, with back-off.
 */
public interface Reconciler {
    /** A short name for logs and metrics. */
    String name();

    void reconcile(String key) throws Exception;
}
