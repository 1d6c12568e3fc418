package dev.lattice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.core.capi.CapiVersions;
import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.io.Documents;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Parser;
import dev.lattice.testfixtures.Examples;
import dev.lattice.testfixtures.SharedCharts;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;


@DisplayName("lattice install --dry-run")
class InstallCommandTest {
    private static final String DOCKER = Examples.dir().resolve("docker-laptop").toString();
    private static final String CHICAGO = Examples.dir().resolve("dc-chicago").toString();

    @BeforeEach
    void needsTheCharts() {
        // install renders the cluster's network from the released charts; the build points LATTICE_CHARTS_DIR there
        assumeTrue(SharedCharts.dir().isPresent(), SharedCharts.absence());
    }

    @Test
    void listsTheStepsInOrderAndChangesNothing() {
        CliRun run = CliRun.of("install", "--dry-run", "-f", DOCKER);
        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).startsWith("Install dev (docker, kubeadm), dry run: nothing is changed.")
                .containsSubsequence("create the bootstrap cluster", "install cert-manager " + CapiVersions.CERT_MANAGER.version(),
                        "install cluster-api", "install docker " + CapiVersions.DOCKER.version(),
                        "apply 10 objects for dev (namespace capi-dev), its network among them: Cilium 1.19.4 in ClusterResourceSet dev-network",
                        "wait until 1 control-plane and 2 worker machines are ready", "pivot", "delete the bootstrap cluster",
                        "write the kubeconfig of dev");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void anAutoscaledWorkerPoolIsWaitedForAtItsMinimum(@TempDir Path dir) throws Exception {
        Path cluster = dir.resolve("cluster.yaml");
        Files.writeString(cluster, """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: elastic}
                spec:
                  controlPlane: {replicas: 1}
                  nodes:
                    workerPools:
                      fixed: {replicas: 2}
                      burst: {min: 1, max: 10}
                """);
        CliRun run = CliRun.of("install", "--dry-run", "-f", cluster.toString());
        assertThat(run.exitCode()).as(run.dump()).isZero();
        assertThat(run.out()).contains("wait until 1 control-plane and 3 worker machines are ready");
    }

    @Test
    @SuppressWarnings("unchecked")
    void yamlIsTheNamespaceAndTheRenderedObjectsAsDocuments() {
        CliRun run = CliRun.of("install", "--dry-run", "-o", "yaml", "-f", DOCKER);
        assertThat(run.exitCode()).isEqualTo(0);
        List<Object> docs = new ArrayList<>();
        Inputs inputs = Parser.read(List.of(DOCKER), new ByteArrayInputStream(new byte[0]));
        List<HasMetadata> rendered = ClusterRenderer.render(inputs.clusters().get(0), null, null).objects();
        // The bootstrap cluster's objects, then (after a comment that says so) the new cluster's add-ons: Istio ambient.
        String[] parts = run.out().split("(?m)^# \\d+ objects for dev itself once it is up.*$", 2);
        assertThat(parts).hasSize(2);
        new Load(LoadSettings.builder().build()).loadAllFromString(parts[0]).forEach(docs::add);
        assertThat(docs).hasSize(rendered.size() + 3);
        assertThat(docs.subList(0, 3)).extracting(d -> ((Map<String, Object>) d).get("kind"))
                .containsExactly("Namespace", "ConfigMap", "ClusterResourceSet");
        assertThat(Documents.yamlStream(docs.subList(3, docs.size()))).isEqualTo(Documents.yamlStream(rendered));
        List<Object> addons = new ArrayList<>();
        new Load(LoadSettings.builder().setCodePointLimit(Integer.MAX_VALUE).build()).loadAllFromString(parts[1]).forEach(addons::add);
        assertThat(addons).hasSize(46).first().satisfies(d -> assertThat(((Map<String, Object>) d).get("kind")).isEqualTo("Namespace"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theNetworkTravelsAsAClusterResourceSetThatSelectsTheCluster() {
        CliRun run = CliRun.of("install", "--dry-run", "-o", "yaml", "-f", DOCKER);
        assertThat(run.exitCode()).as(run.dump()).isZero();
        List<Map<String, Object>> docs = new ArrayList<>();
        new Load(LoadSettings.builder().build()).loadAllFromString(run.out()).forEach(d -> docs.add((Map<String, Object>) d));
        Map<String, Object> set = docs.get(2);
        Map<String, Object> spec = (Map<String, Object>) set.get("spec");
        Map<String, Object> cluster = docs.stream().filter(d -> "Cluster".equals(d.get("kind"))).findFirst().orElseThrow();
        Map<String, String> clusterLabels = (Map<String, String>) ((Map<String, Object>) cluster.get("metadata")).get("labels");
        assertThat(clusterLabels).containsAllEntriesOf((Map<String, String>) ((Map<String, Object>) spec.get("clusterSelector")).get("matchLabels"));
        assertThat(spec).containsEntry("strategy", "Reconcile")
                .containsEntry("resources", List.of(Map.of("kind", "ConfigMap", "name", "dev-cilium")));
        String cilium = ((Map<String, String>) docs.get(1).get("data")).get("cilium.yaml");
        List<Map<String, Object>> objects = new ArrayList<>();
        new Load(LoadSettings.builder().build()).loadAllFromString(cilium).forEach(d -> objects.add((Map<String, Object>) d));
        assertThat(objects).extracting(o -> o.get("kind") + "/" + ((Map<String, Object>) o.get("metadata")).get("name"))
                .contains("DaemonSet/cilium", "Deployment/cilium-operator", "ConfigMap/cilium-config");
        List<String> pods = (List<String>) ((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) cluster.get("spec"))
                .get("clusterNetwork")).get("pods")).get("cidrBlocks");
        Map<String, Object> config = objects.stream().filter(o -> "ConfigMap".equals(o.get("kind"))
                && "cilium-config".equals(((Map<String, Object>) o.get("metadata")).get("name"))).findFirst().orElseThrow();
        assertThat(((Map<String, Object>) config.get("data")).get("cluster-pool-ipv4-cidr")).isEqualTo(String.join(" ", pods));
    }

    @Test
    void jsonListsTheAddonsWithTheirVersions() {
        CliRun run = CliRun.of("install", "--dry-run", "-o", "json", "-f", DOCKER);
        assertThat(run.exitCode()).as(run.dump()).isZero();
        assertThat(run.out()).contains("\"addons\" : [ {\n    \"chart\" : \"cilium\",\n    \"version\" : \"1.19.4\",\n"
                + "    \"delivery\" : \"ClusterResourceSet dev-network (as soon as its API answers)\"");
    }

    @Test
    void aChartsDirectoryWithoutTheChartIsALocatedRefusal(@TempDir Path dir) {
        CliRun run = CliRun.of("install", "--dry-run", "-f", DOCKER, "--charts-dir", dir.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("the charts directory " + dir + " has neither cilium-1.19.4.tgz nor cilium/1.19.4/cilium/",
                "https://helm.cilium.io/cilium-1.19.4.tgz").doesNotContain("\tat ");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void severalClustersNeedANameAndAnUnknownNameIsSaid() {
        CliRun several = CliRun.of("install", "--dry-run", "-f", CHICAGO);
        assertThat(several.exitCode()).isEqualTo(1);
        assertThat(several.err()).contains("install takes one LatticeCluster, and the inputs have 3 (prod-critical, prod-general, staging)",
                "--name NAME").doesNotContain("\tat ");
        CliRun named = CliRun.of("install", "--dry-run", "-f", CHICAGO, "--name", "prod-critical");
        assertThat(named.exitCode()).isEqualTo(0);
        assertThat(named.out()).contains("Install prod-critical (openstack, rke2)", "install rke2 " + CapiVersions.RKE2_CONTROL_PLANE.version(),
                "copy the pool's OpenStack credentials into Secret capi-prod-critical/prod-critical-cloud-config");
        CliRun unknown = CliRun.of("install", "--dry-run", "-f", CHICAGO, "--name", "prod");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("no LatticeCluster named \"prod\"", "prod-critical, prod-general, staging");
    }

    @Test
    void variablesTheEnvironmentLacksAreWarnedAboutOnStderr() {
        CliRun run = CliRun.of("install", "--dry-run", "-o", "json", "-f", Examples.dir().resolve("proxmox-quickstart").toString());
        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.err()).startsWith("warning: homelab leaves ").contains("DNS_SERVERS", "spec.provider.config.proxmox");
        assertThat(run.out()).contains("\"missingVariables\"", "\"DNS_SERVERS\"");
    }

    @Test
    void aComponentsDirectoryIsUsedForTheFilesItHas(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(CapiVersions.CORE.cachePath());
        Files.createDirectories(file.getParent());
        Files.writeString(file, "# core components\n");
        CliRun run = CliRun.of("install", "--dry-run", "-f", DOCKER, "--components-dir", dir.toString());
        assertThat(run.out()).contains("install cluster-api " + CapiVersions.CORE.version() + " (core) from " + file)
                .contains("install cert-manager " + CapiVersions.CERT_MANAGER.version() + " (cert-manager) from " + CapiVersions.CERT_MANAGER.url());
    }
}
