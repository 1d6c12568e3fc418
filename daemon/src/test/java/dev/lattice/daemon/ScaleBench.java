package dev.lattice.daemon;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.core.model.Kind;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.testfixtures.ChainFleet;
import dev.lattice.testfixtures.Envtest;
import dev.lattice.testfixtures.SharedCrds;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Not part of the test run (no *Test/*IT name): the daemon at fleet scale, run as users run it
 * ({@code daemon/target/lattice-daemon}, its default memory settings) on a real kube-apiserver, with every service
 * placed on its own cluster. For each size: how long the bulk apply took, when every service had its placement written
 * and when every Deployment was there (counted from the start of the apply), the peak resident set and bytes per
 * service, how long one change takes to reach its Deployment and one move away to remove it, and the log's warnings.
 * Each size gets a fresh API server and daemon; a size stops at {@link #LIMIT} (300 s; {@code -Dbench.limit=SECONDS}). Run:
 * {@code ./mvnw -B -pl daemon verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ScaleBench
 * -Dbench.sizes=1000,5000,10000}; {@code -Dbench.jfr=/tmp/changes} records a profile of the changes and the move
 * (Java Flight Recorder) in {@code /tmp/changes-SIZE.jfr}; {@code -Dbench.histogram=true} the live objects by class once all
 * are applied; {@code -Dbench.heapdump=/tmp/live} the live objects themselves in {@code /tmp/live-SIZE.hprof};
 * {@code -Dbench.pause=3000} the changes spaced out ({@link #PAUSE}). Several sizes take longer than an integration test
 * may (10 minutes): the bench may take as long as its test JVM may live (45 minutes, {@code -Dfailsafe.timeout}).
 */
@Timeout(value = 45, unit = TimeUnit.MINUTES)
class ScaleBench {
    /** How long after the bulk apply's start the bench waits for every placement and Deployment ({@code -Dbench.limit}, seconds). */
    private static final Duration LIMIT = Duration.ofSeconds(Long.getLong("bench.limit", 300));
    /**
     * How long the bench waits after one change has reached its Deployment before it makes the next ({@code -Dbench.pause},
     * milliseconds): 500, changes in a burst, each pass right behind the last; 3000, each change on a settled daemon.
     */
    private static final Duration PAUSE = Duration.ofMillis(Long.getLong("bench.pause", 500));
    /** How long one change or move may take before the bench records it as -1 and goes on. */
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void servicesOnTheDaemonsOwnCluster() throws Exception {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        assumeTrue(Files.isExecutable(DaemonProcess.launcher()), "build the daemon first: " + DaemonProcess.launcher());
        String header = "services | bulk apply s | all placed s | all applied s | change ms (5, sorted) | move away ms | peak RSS MiB | "
                + "bytes/service over idle | warnings";
        List<String> summary = new ArrayList<>();
        for (String size : System.getProperty("bench.sizes", "1000").split(",")) {
            summary.add(run(Integer.parseInt(size.trim())));
            System.out.println(header + "\n" + summary.get(summary.size() - 1)); // each size as soon as it is done
        }
        System.out.println(header);
        summary.forEach(System.out::println);
    }

    /** One size: every figure, as a line of the summary. */
    private static String run(int services) throws Exception {
        try (Envtest api = Envtest.start()) {
            KubernetesClient client = api.client();
            SharedCrds.installMesh(client);
            try (DaemonProcess daemon = DaemonProcess.start(api.kubeconfig(), "home", Kube.freePort())) {
                await().atMost(Duration.ofMinutes(2)).until(() -> client.apiextensions().v1().customResourceDefinitions()
                        .withName("latticeservices.lattice.dev").get() != null);
                for (int n = 0; n < ChainFleet.NAMESPACES; n++) {
                    Kube.namespace(client, "ns-" + n);
                }
                Kube.apply(client, ChainFleet.CLUSTERS);
                Thread.sleep(10_000); // the daemon settles with the clusters known and nothing placed
                long idleKb = daemon.hwmKb();
                long t0 = System.nanoTime();
                ExecutorService appliers = Executors.newFixedThreadPool(8);
                List<Future<?>> applied = new ArrayList<>();
                for (int s = 0; s < services; s++) {
                    String yaml = ChainFleet.service(s, services, "home", 1);
                    applied.add(appliers.submit(() -> Kube.apply(client, yaml)));
                }
                for (Future<?> f : applied) {
                    f.get();
                }
                appliers.shutdown();
                double bulk = seconds(t0);
                System.out.printf("%,d services applied in %.1f s%n", services, bulk);
                double placedAt = -1;
                double appliedAt = -1;
                long deadline = t0 + LIMIT.toNanos();
                long lastReport = 0;
                // Counted from watches: listing 10,000 objects a second would load the API server the daemon shares.
                try (var placedWatch = client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_SERVICE)).inAnyNamespace().inform();
                     var deploymentWatch = client.apps().deployments().inAnyNamespace().inform()) {
                    while (System.nanoTime() < deadline && daemon.alive() && (placedAt < 0 || appliedAt < 0)) {
                        long placed = placedWatch.getStore().list().stream().filter(s -> "home".equals(Kube.status(s).get("cluster"))).count();
                        long deployments = deploymentWatch.getStore().list().stream()
                                .filter(d -> d.getMetadata().getNamespace().startsWith("ns-")).count(); // not istiod
                        if (placedAt < 0 && placed == services) {
                            placedAt = seconds(t0);
                        }
                        if (appliedAt < 0 && deployments == services) {
                            appliedAt = seconds(t0);
                        }
                        if (System.nanoTime() - lastReport > 10_000_000_000L) {
                            System.out.printf("  %.0f s: %,d placed, %,d Deployments, RSS %s%n", seconds(t0), placed, deployments, daemon.rss());
                            lastReport = System.nanoTime();
                        }
                        Thread.sleep(1000);
                    }
                }
                long peakKb = daemon.hwmKb();
                if (Boolean.getBoolean("bench.histogram") && daemon.alive()) {
                    // After a full collection: the live set, by class (largest first).
                    Path histogram = Files.createTempFile("lattice-daemon-histogram-" + services + "-", ".txt");
                    Files.writeString(histogram, daemon.jcmd("GC.class_histogram"));
                    System.out.println("live objects: " + histogram + "; RSS after the full GC: " + daemon.rss());
                }
                String heapDump = System.getProperty("bench.heapdump");
                if (heapDump != null && daemon.alive()) {
                    // The live objects themselves, for a heap analyser: who holds what.
                    System.out.print(daemon.jcmd("GC.heap_dump", heapDump + "-" + services + ".hprof"));
                }
                String change = "-";
                String moveAway = "-";
                if (appliedAt >= 0 && daemon.alive()) {
                    String jfr = System.getProperty("bench.jfr"); // a profile of the changes alone, for JDK Mission Control or jfr print
                    if (jfr != null) {
                        System.out.print(daemon.jcmd("JFR.start", "name=changes", "settings=profile", "filename=" + jfr + "-" + services + ".jfr"));
                    }
                    change = changes(client, services).toString();
                    moveAway = String.valueOf(moveAway(client, services));
                    if (jfr != null) {
                        System.out.print(daemon.jcmd("JFR.stop", "name=changes"));
                    }
                }
                List<String> complaints = daemon.complaints();
                complaints.stream().limit(5).forEach(c -> System.out.println("  " + c));
                return String.format("%,d | %.1f | %s | %s | %s | %s | %d | %s | %d%s", services, bulk, figure(placedAt), figure(appliedAt),
                        change, moveAway, peakKb / 1024, peakKb > idleKb ? String.valueOf((peakKb - idleKb) * 1024 / services) : "-",
                        complaints.size(), daemon.alive() ? "" : " (the daemon exited: see " + daemon.log() + ")");
            }
        }
    }



    /** Five changes of one service's image, each timed until its Deployment has it: ms, sorted (-1: not within {@link #WAIT}). */
    private static List<Long> changes(KubernetesClient client, int total) throws Exception {
        List<Long> latencies = new ArrayList<>();
        for (int version = 2; version <= 6; version++) {
            int s = 7;
            String image = "registry.example/svc-" + s + ":" + version;
            long start = System.nanoTime();
            Kube.apply(client, ChainFleet.service(s, total, "home", version));
            try {
                await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> {
                    Deployment d = client.apps().deployments().inNamespace("ns-" + (s % ChainFleet.NAMESPACES)).withName("svc-" + s).get();
                    return d != null && image.equals(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
                });
                latencies.add((System.nanoTime() - start) / 1_000_000);
            } catch (ConditionTimeoutException e) {
                latencies.add(-1L); // shown as -1: not within WAIT
            }
            Thread.sleep(PAUSE.toMillis());
        }
        latencies.sort(Long::compare);
        return latencies;
    }

    /** One service placed elsewhere: ms until its Deployment here is gone; -1 when not within {@link #WAIT}. */
    private static long moveAway(KubernetesClient client, int total) {
        int s = 11;
        long start = System.nanoTime();
        Kube.apply(client, ChainFleet.service(s, total, "elsewhere", 1));
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() ->
                    client.apps().deployments().inNamespace("ns-" + (s % ChainFleet.NAMESPACES)).withName("svc-" + s).get() == null);
        } catch (ConditionTimeoutException e) {
            return -1;
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static String figure(double seconds) {
        return seconds < 0 ? "not within " + LIMIT.toSeconds() + " s" : String.format("%.1f", seconds);
    }
}
