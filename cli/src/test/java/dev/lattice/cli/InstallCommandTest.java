package dev.lattice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.capi.CapiVersions;
import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.io.Documents;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Parser;
import dev.lattice.testfixtures.Examples;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;


@DisplayName("lattice install --dry-run")
class InstallCommandTest {
    private static final String DOCKER = Examples.dir().resolve("docker-laptop").toString();
    private static final String CHICAGO = Examples.dir().resolve("dc-chicago").toString();

    @Test
    void listsTheStepsInOrderAndChangesNothing() {
        CliRun run = CliRun.of("install", "--dry-run", "-f", DOCKER);
        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).startsWith("Install dev (docker, kubeadm), dry run: nothing is changed.")
                .containsSubsequence("create the bootstrap cluster", "install cert-manager " + CapiVersions.CERT_MANAGER.version(),
                        "install cluster-api", "install docker " + CapiVersions.DOCKER.version(), "apply 8 objects for dev",
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
        new Load(LoadSettings.builder().build()).loadAllFromString(run.out()).forEach(docs::add);
        Inputs inputs = Parser.read(List.of(DOCKER), new ByteArrayInputStream(new byte[0]));
        List<HasMetadata> rendered = ClusterRenderer.render(inputs.clusters().get(0), null, null).objects();
        assertThat(docs).hasSize(rendered.size() + 1);
        assertThat(((Map<String, Object>) docs.get(0)).get("kind")).isEqualTo("Namespace");
        assertThat(Documents.yamlStream(docs.subList(1, docs.size()))).isEqualTo(Documents.yamlStream(rendered));
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
