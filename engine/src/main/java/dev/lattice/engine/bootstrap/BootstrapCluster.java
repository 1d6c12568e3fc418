package dev.lattice.engine.bootstrap;

import java.time.Duration;

/**
 * The temporary cluster an install or uninstall runs Cluster API in. Creating one that exists finds it, so a run
 * that resumes picks up the cluster an earlier run made.
 */
public interface BootstrapCluster {
    /** The prefix of every bootstrap cluster's name; the run id follows. */
    String NAME_PREFIX = "lattice-bootstrap-";

    /** Its name. */
    String name();

    /** What it is, for messages: {@code kind cluster lattice-bootstrap-1a2b3c4d}. */
    String describe();

    /** Whether it exists now. */
    boolean exists();

    /** Creates it unless it exists, waits until its API answers, and returns a kubeconfig for it (a secret). */
    String create(Duration timeout);

    /** Deletes it if it exists. */
    void delete();

    /** False for a cluster Lattice did not create and therefore never deletes. */
    default boolean owned() {
        return true;
    }
}
