package dev.lattice.daemon.runtime;

/** Entry point of the in-cluster daemon. */
public final class DaemonMain {
    private DaemonMain() {
    }

    public static void main(String[] args) {
        // The reconcilers and the agent server are not built yet; say so instead of idling as if healthy.
        System.err.println("error: the lattice daemon is not built yet in this version of lattice");
        System.exit(1);
    }
}
