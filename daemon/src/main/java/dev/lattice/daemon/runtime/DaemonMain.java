package dev.lattice.daemon.runtime;

import java.net.URLConnection;
import java.util.List;

/**
 * Entry point of the daemon: {@code lattice-daemon --kubeconfig FILE [--context NAME] [--cluster-name NAME]} (see
 * {@link DaemonCommand}). Logging is set up before anything logs. Errors are one line ({@code error: what: why}, then
 * what to do) unless {@code --verbose}.
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
        // A thread that dies of something nobody caught leaves the daemon half-working: end it, so Kubernetes restarts it.
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            System.err.println("error: thread " + thread.getName() + " died of " + e + "; the daemon exits so that Kubernetes starts it afresh");
            if (verbose) {
                e.printStackTrace();
            }
            DaemonCommand.exit();
        });
        // A jar read through a jar: URL is kept open, parsed, for the life of the process unless told otherwise: the FIPS
        // provider's check of its own signed jar kept its manifest's digest of every class (4 MB of heap), Jetty two more.
        // The class path's jars stay open for classes all the same; only these copies go once read.
        URLConnection.setDefaultUseCaches("jar", false);
        System.exit(DaemonCommand.commandLine(System.getenv()).execute(args));
    }
}
