package dev.lattice.daemon;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.core.model.Kind;
import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Parser;
import dev.lattice.core.placement.Solver;
import dev.lattice.core.placement.Weights;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.testfixtures.Envtest;
import dev.lattice.testfixtures.FleetGenerator;
import dev.lattice.testfixtures.SharedCrds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Not part of the test run (no *Test/*IT name): the daemon's idle memory with 1,000 services and 100 clusters known,
 * and how long a change to a LatticeService takes to reach its Deployment, on a real kube-apiserver, with the
 * daemon run as users run it ({@code daemon/target/lattice-daemon}). Run:
 * {@code ./mvnw -B -o -pl daemon verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=DaemonBench}.
 * Add {@code -Dbench.histogram=true} for the live objects after a full collection, and
 * {@code LATTICE_DAEMON_JAVA_OPTS=-XX:NativeMemoryTracking=summary} in the environment for the native memory summary
 * and the resident size of each mapping.
 */
class DaemonBench {
    @Test
    void idleMemoryAndChangeLatency() throws Exception {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        assumeTrue(Files.isExecutable(DaemonProcess.launcher()), "build the daemon first: " + DaemonProcess.launcher());
        try (Envtest api = Envtest.start()) {
            KubernetesClient client = api.client();
            SharedCrds.installMesh(client);
            int port = Kube.freePort();
            // The API holds the canonical shape only; the generator writes the short forms files may use.
            String fleet = FleetGenerator.yaml(1000, 100, 50, 5, 42).replaceAll(
                    "  controlPlane: \\{replicas: 3, machineType: medium}\n  workers: \\{replicas: (\\d+), machineType: large}",
                    "  nodes:\n    controlPlane: {replicas: 3, instanceType: medium}\n    workerPools:\n      default: {replicas: $1, instanceType: large}");
            // The daemon plays the cluster the solver gives the most services, so its compiled objects land here.
            Map<String, Long> perCluster = new Solver(Weights.DEFAULT, false).solve(Parser.parse(List.of(new InputReader.Input("fleet", fleet))))
                    .placements().stream().filter(p -> p.scheduled())
                    .collect(Collectors.groupingBy(p -> p.cluster(), Collectors.counting()));
            String self = perCluster.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            try (DaemonProcess daemon = DaemonProcess.start(api.kubeconfig(), self, port)) {
                await().atMost(Duration.ofMinutes(2)).until(() -> client.apiextensions().v1().customResourceDefinitions()
                        .withName("latticeservices.lattice.dev").get() != null);
                Kube.namespace(client, "ns");
                long t0 = System.nanoTime();
                Kube.apply(client, fleet);
                System.out.printf("applied 1,000 services, 100 clusters, 5 pools in %.1f s%n", (System.nanoTime() - t0) / 1e9);
                // Settled: every service has a placement recorded.
                await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(2)).until(() -> services(client).stream()
                        .allMatch(s -> Kube.status(s).get("phase") != null));
                System.out.printf("all 1,000 placements recorded %.1f s after the apply%n", (System.nanoTime() - t0) / 1e9);
                List<String> local = new ArrayList<>();
                services(client).forEach(s -> {
                    if (self.equals(Kube.status(s).get("cluster"))) {
                        local.add(s.getMetadata().getName());
                    }
                });
                System.out.println(local.size() + " services placed on this cluster (" + self + ")");
                String name = local.get(0);
                await().atMost(Duration.ofMinutes(2)).until(() -> deployment(client, name) != null);
                Thread.sleep(30_000); // idle
                System.out.println("idle RSS after 30 s: " + daemon.rss() + " (VmHWM " + daemon.hwm() + ")");
                if (String.valueOf(System.getenv("LATTICE_DAEMON_JAVA_OPTS")).contains("NativeMemoryTracking")) {
                    Path nmt = Files.createTempFile("lattice-daemon-nmt", ".txt");
                    new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(daemon.pid()),
                            "VM.native_memory", "summary").redirectOutput(nmt.toFile()).start().waitFor();
                    System.out.println("native memory summary: " + nmt);
                    Path maps = Files.createTempFile("lattice-daemon-pmap", ".txt");
                    new ProcessBuilder("pmap", "-x", String.valueOf(daemon.pid())).redirectOutput(maps.toFile()).start().waitFor();
                    System.out.println("resident by mapping: " + maps);
                }
                if (Boolean.getBoolean("bench.histogram")) {
                    // A full collection first: what stays is the live set.
                    Path histogram = Files.createTempFile("lattice-daemon-histogram", ".txt");
                    new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(daemon.pid()),
                            "GC.class_histogram").redirectOutput(histogram.toFile()).start().waitFor();
                    System.out.println("live objects: " + histogram + "; RSS after the full GC: " + daemon.rss());
                }
                List<Long> latencies = new ArrayList<>();
                for (int i = 2; i < 12; i++) {
                    String image = "registry.example/" + name + ":" + i;
                    long start = System.nanoTime();
                    client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_SERVICE)).inNamespace("ns").withName(name)
                            .edit(r -> {
                                @SuppressWarnings("unchecked")
                                Map<String, Object> main = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) r
                                        .getAdditionalProperties().get("spec")).get("containers")).get("main");
                                main.put("image", image);
                                return r;
                            });
                    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() ->
                            image.equals(deployment(client, name).getSpec().getTemplate().getSpec().getContainers().get(0).getImage()));
                    latencies.add((System.nanoTime() - start) / 1_000_000);
                    Thread.sleep(500);
                }
                latencies.sort(Long::compare);
                System.out.println("change -> Deployment, ms (10 edits, sorted): " + latencies);
                System.out.println("RSS after the edits: " + daemon.rss());
            }
        }
    }

    private static List<GenericKubernetesResource> services(KubernetesClient client) {
        return client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_SERVICE)).inNamespace("ns").list().getItems();
    }

    private static Deployment deployment(KubernetesClient client, String name) {
        return client.apps().deployments().inNamespace("ns").withName(name).get();
    }
}
