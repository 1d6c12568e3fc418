package dev.lattice.daemon;

import dev.lattice.daemon.runtime.Daemon;
import dev.lattice.testfixtures.Envtest;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;

/**
 * What the one-cluster daemon ITs share: a fresh kube-apiserver with the daemon of the cluster {@code home} on it, as
 * replica {@code replica-a}, acting as its ServiceAccount with only the rendered RBAC, and with its resync an hour
 * away, so whatever a test waits for must come from a watch event.
 */
final class HomeDaemon implements AutoCloseable {
    /** Something done to the API server, before the daemon starts or after. */
    interface Step {
        void run(KubernetesClient client) throws Exception;
    }

    private final Envtest api;
    private Daemon daemon;

    private HomeDaemon(Envtest api) {
        this.api = api;
    }

    /** Starts the API server, runs {@code before} (what the daemon finds there on start), the daemon, then {@code after}. */
    static HomeDaemon start(boolean leaderElection, Step before, Step after) throws Exception {
        HomeDaemon home = new HomeDaemon(Envtest.start());
        try {
            before.run(home.client());
            home.daemon = new Daemon(Kube.options("home", "replica-a", leaderElection, null, null, Duration.ofHours(1)),
                    Kube.asDaemon(home.client(), "home"));
            home.daemon.start();
            after.run(home.client());
            return home;
        } catch (Exception | Error e) {
            home.close();
            throw e;
        }
    }

    /** The API server's admin client. */
    KubernetesClient client() {
        return api.client();
    }

    Daemon daemon() {
        return daemon;
    }

    /** Stops the daemon (it gives up the Lease), leaving the API server running. */
    void stopDaemon() {
        if (daemon != null) {
            daemon.close();
            daemon = null;
        }
    }

    @Override
    public void close() {
        stopDaemon();
        api.close();
    }
}
