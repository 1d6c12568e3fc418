package dev.lattice.daemon.runtime;

import dev.lattice.core.LatticeException;
import dev.lattice.engine.kube.KubeConnection;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Entry point of the daemon: {@code lattice-daemon --kubeconfig FILE [--context NAME] [--cluster-name NAME]}.
 * Errors are one line ({@code error: what: why}, then what to do) unless {@code --verbose}; SIGTERM stops it cleanly,
 * giving up the Lease so the other replica takes over at once.
 */
public final class DaemonMain {
    private DaemonMain() {
    }

    public static void main(String[] args) {
        List<String> all = List.of(args);
        boolean verbose = all.contains("-v") || all.contains("--verbose");
        if (verbose) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
        }
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        // fabric8 warns on every first use of a v1alpha1/v1beta1 kind; Lattice's and the Cluster API's all are.
        System.setProperty("org.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils", "error");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        if (all.contains("-h") || all.contains("--help")) {
            System.out.print(DaemonOptions.USAGE);
            return;
        }
        if (all.contains("-V") || all.contains("--version")) {
            System.out.println("lattice-daemon " + Daemon.version());
            return;
        }
        try {
            DaemonOptions options = DaemonOptions.parse(args, System.getenv());
            KubernetesClient client = KubeConnection.connect(options.kubeconfig(), options.context());
            Daemon daemon = new Daemon(options, client);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                daemon.close();
                client.close();
                stopped.countDown();
            }, "shutdown"));
            daemon.start();
            stopped.await();
        } catch (LatticeException e) {
            System.err.println("error: " + e.getMessage());
            if (e.nextStep() != null) {
                System.err.println("  " + e.nextStep());
            }
            if (verbose) {
                e.printStackTrace();
            }
            System.exit(e.exitCode());
        } catch (Exception e) {
            System.err.println("error: the daemon stopped: " + e.getMessage());
            if (verbose) {
                e.printStackTrace();
            }
            System.exit(1);
        }
    }
}
