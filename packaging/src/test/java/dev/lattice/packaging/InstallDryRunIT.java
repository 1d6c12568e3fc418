package dev.lattice.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.cli.Main;
import dev.lattice.core.io.Documents;
import dev.lattice.core.mesh.MeshCompiler;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Parser;
import dev.lattice.testfixtures.Envtest;
import dev.lattice.testfixtures.Examples;
import dev.lattice.testfixtures.SharedCharts;
import dev.lattice.testfixtures.SharedCrds;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What {@code lattice install --dry-run -o yaml} prints for each provider is what a real kube-apiserver with the real
 * Cluster API, Cilium and Istio CRDs (../shared/crds) takes: every object under strict field validation (the add-ons'
 * too: Istio ambient, which the install applies to the new cluster), and every object of the network's
 * ClusterResourceSet as Cluster API would apply it to the new cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("install --dry-run on a real API server with the real CRDs")
class InstallDryRunIT {
    private Envtest api;
    /** The CRDs applied so far, as written. */
    private final java.util.Set<String> appliedCrds = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @BeforeAll
    void start() throws IOException {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        assumeTrue(SharedCrds.dir().isPresent(), SharedCrds.absence());
        assumeTrue(SharedCharts.dir().isPresent(), SharedCharts.absence());
        api = Envtest.start();
        Path crds = SharedCrds.dir().orElseThrow();
        List<String> files = new ArrayList<>();
        for (String folder : List.of("capi", "cilium", "istio", "keda", "victoria-metrics")) {
            try (Stream<Path> walk = Files.walk(crds.resolve(folder))) {
                walk.filter(f -> f.toString().endsWith(".yaml") && !f.toString().contains("/.")).sorted().forEach(f -> files.add(crds.relativize(f).toString()));
            }
        }
        SharedCrds.install(api.client(), files.toArray(String[]::new));
    }

    @AfterAll
    void stop() {
        if (api != null) {
            api.close();
        }
    }

    /** Each provider and bootstrap the examples cover: the folder, and the cluster to install from it. */
    static Stream<Arguments> installs() {
        return Stream.of(Arguments.of("docker-laptop", "dev"), Arguments.of("aws-production", "production"),
                Arguments.of("proxmox-quickstart", "homelab"), Arguments.of("dc-chicago", "prod-critical"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("installs")
    @SuppressWarnings("unchecked")
    void everyObjectIsAcceptedAsWritten(String example, String cluster, @TempDir Path dir) throws IOException {
        // The charts render for the cluster's Kubernetes version (1.30 adds fields a 1.28 server does not know): the
        // example is installed at the server's version.
        Path files = dir.resolve(example);
        Files.createDirectories(files);
        try (Stream<Path> list = Files.list(Examples.dir().resolve(example))) {
            for (Path file : list.toList()) {
                Files.writeString(files.resolve(file.getFileName()),
                        Files.readString(file).replaceAll("version: \"1\\.3[0-9](\\.[0-9]+)?\"", "version: \"1.28.7\""));
            }
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"install", "--dry-run", "-o", "yaml", "-f", files.toString(),
            "--name", cluster, "--charts-dir", SharedCharts.dir().orElseThrow().toString()}, new PrintWriter(out), new PrintWriter(err));
        assertThat(code).as(err.toString()).isZero();
        List<Map<String, Object>> objects = Documents.readStream(out.toString());
        assertThat(objects).extracting(o -> o.get("kind")).contains("Namespace", "ConfigMap", "ClusterResourceSet", "Cluster");
        assertThat(Documents.yamlStream(objects)).contains("version: v1.28.7");
        // services is on (the default): Istio ambient's four releases follow, for the new cluster itself; the other
        // add-ons as each example's flags say.
        assertThat(out.toString()).contains("objects for " + cluster + " itself once it is up");
        assertThat(objects).filteredOn(o -> "DaemonSet".equals(o.get("kind")))
                .extracting(o -> ((Map<String, Object>) o.get("metadata")).get("name")).contains("istio-cni-node", "ztunnel");
        if (example.equals("aws-production")) {
            // gpu, monitoring and backups (with its location) are on there: every add-on is among what the API server takes.
            assertThat(objects).filteredOn(o -> "DaemonSet".equals(o.get("kind")))
                    .extracting(o -> ((Map<String, Object>) o.get("metadata")).get("name"))
                    .contains("nvidia-device-plugin", "node-feature-discovery-worker", "node-agent", "vm-prometheus-node-exporter");
            assertThat(objects).extracting(o -> o.get("kind")).contains("VMSingle", "BackupStorageLocation", "Schedule", "APIService");
        }
        // As the install applies them: namespaces, then CRDs (the add-ons' own, from their charts), served before any
        // object of their kinds, then the rest.
        apply(Documents.yamlStream(objects.stream().filter(o -> "Namespace".equals(o.get("kind"))).toList()));
        // A CRD another example already applied, as written, is not applied again (the add-ons' CRDs are megabytes).
        List<Map<String, Object>> crds = objects.stream().filter(o -> "CustomResourceDefinition".equals(o.get("kind")))
                .filter(o -> appliedCrds.add(Documents.yaml(o))).toList();
        if (!crds.isEmpty()) {
            apply(Documents.yamlStream(crds));
            Envtest.Kubectl established = api.kubectl("", "wait", "--for", "condition=established", "--timeout=60s", "crd", "--all");
            assertThat(established.exitCode()).as(established.output()).isZero();
        }
        apply(Documents.yamlStream(objects.stream().filter(o -> !"Namespace".equals(o.get("kind"))
                && !"CustomResourceDefinition".equals(o.get("kind"))).toList()));

        // The network's manifests as written into the ConfigMaps (Cluster API reads them as YAML 1.1, as kubectl does).
        StringBuilder network = new StringBuilder();
        for (Map<String, Object> o : objects) {
            Map<String, Object> annotations = (Map<String, Object>) ((Map<String, Object>) o.get("metadata")).getOrDefault("annotations", Map.of());
            if ("ConfigMap".equals(o.get("kind")) && annotations.containsKey("lattice.dev/chart")) {
                ((Map<String, String>) o.get("data")).values().forEach(network::append);
            }
        }
        List<Map<String, Object>> parsed = Documents.readStream(network.toString());
        assertThat(parsed).extracting(o -> o.get("kind")).contains("DaemonSet", "Deployment", "ConfigMap", "ClusterRole", "Namespace");
        String namespaces = parsed.stream().filter(o -> "Namespace".equals(o.get("kind")))
                .map(o -> "---\n" + Documents.yaml(o)).reduce("", String::concat);
        apply(namespaces);
        apply(network.toString());
    }

    @Test
    void theDaemonsOwnPolicyIsAcceptedAsWritten() {
        // What a parent's daemon applies to lattice-system once Cilium serves its CRD (a plain cluster's is the same, less a rule).
        LatticeCluster parent = Parser.parse(List.of(new InputReader.Input("parent.yaml", """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: hub}
                spec:
                  provider: {config: {docker: {}}}
                  nodes: {controlPlane: {replicas: 1}}
                  parentConfig: {host: 10.0.0.5, service: {type: NodePort}}
                """))).clusters().get(0);
        apply("---\napiVersion: v1\nkind: Namespace\nmetadata: {name: lattice-system}\n");
        apply(Documents.yamlStream(MeshCompiler.daemonPolicy(parent)));
    }

    @Test
    void aGpuServicesAutoscaledWorkloadIsAcceptedAsWritten() {
        // A GPU share scheduled by HAMi's scheduler; a whole GPU as a limit, the NVIDIA node selector and the GPU pool's
        // toleration, its KEDA ScaledObject and its
        // VMPodScrape (the real CRDs) and the policies that open its metrics port to the agent: what a real API server takes.
        var inputs = Parser.parse(List.of(new InputReader.Input("trainer.yaml", """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeService
                metadata: {name: trainer, namespace: ml}
                spec:
                  containers:
                    main:
                      image: trainer:1
                      resources: {requests: {cpu: "2", memory: 8Gi, nvidia.com/gpu: 1}}
                      ports: {metrics: {port: 9090}}
                  autoscaling: {min: 1, max: 4, cpu: 80, metric: {query: 'sum(training_queue_depth)', target: "10"}}
                ---
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeService
                metadata: {name: notebook, namespace: ml}
                spec:
                  containers: {main: {image: jupyter:1, resources: {requests: {nvidia.com/gpu: 1, nvidia.com/gpumem: 4000}}}}
                """)));
        var compiled = new MeshCompiler(MeshCompiler.DEFAULT_TRUST_DOMAIN).compile(inputs, List.of());
        List<Map<String, Object>> objects = compiled.manifests().stream().flatMap(m -> m.objects().stream())
                .map(dev.lattice.core.render.Manifests::tree).toList();
        assertThat(objects).extracting(o -> o.get("kind")).contains("Deployment", "ScaledObject", "VMPodScrape");
        apply("---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ml}\n");
        apply(Documents.yamlStream(objects));
    }

    /** Applies a YAML stream server-side with strict field validation. */
    private void apply(String yaml) {
        Envtest.Kubectl run = api.kubectl(yaml, "apply", "--server-side", "--force-conflicts", "--validate=strict", "-f", "-");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).doesNotContain("Warning: unknown field");
    }
}
