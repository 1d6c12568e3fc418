package dev.lattice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lattice version: the build's stamp and, given a cluster, what runs there. */
@EnableKubernetesMockClient(crud = true, https = false)
class VersionCommandTest {
    KubernetesClient client;

    @TempDir
    Path dir;

    @Test
    void namesTheBuildItsCommitAndTheJavaRuntime() throws Exception {
        CliRun run = CliRun.of("version", "-o", "json");
        assertThat(run.exitCode()).as(run.dump()).isZero();
        JsonNode client = new ObjectMapper().readTree(run.out()).get("client");
        assertThat(client.get("version").asText()).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        assertThat(client.get("commit").asText()).as("the build runs in a git checkout").matches("[0-9a-f]{12}(-dirty)?");
        assertThat(client.get("buildDate").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(client.get("java").get("version").asText()).isEqualTo(System.getProperty("java.version"));
        assertThat(new ObjectMapper().readTree(run.out()).has("server")).isFalse();
        assertThat(client.get("fips").asBoolean()).as("FIPS only with --fips").isFalse();
        assertThat(client.get("cryptography").asText()).startsWith("standard");

        CliRun table = CliRun.of("version");
        assertThat(table.out()).startsWith("lattice " + client.get("version").asText() + "\n")
                .contains("  commit:  " + client.get("commit").asText(), "  java:    " + System.getProperty("java.version"));
    }

    @Test
    void withAClusterAlsoItsKubernetesAndDaemonVersions() throws Exception {
        Path kubeconfig = MockKubeconfig.write(dir, client);
        CliRun none = CliRun.of("version", "--kubeconfig", kubeconfig.toString());
        assertThat(none.exitCode()).as(none.dump()).isZero();
        assertThat(none.out()).contains("daemon: not installed");

        client.apps().deployments().inNamespace("lattice-system").resource(new DeploymentBuilder()
                .withNewMetadata().withName("lattice-daemon").withNamespace("lattice-system").endMetadata()
                .withNewSpec().withReplicas(2).withNewTemplate().withNewSpec().addNewContainer().withName("lattice-daemon")
                .withImage("registry.example:5000/lattice/lattice-daemon:1.2.3").endContainer().endSpec().endTemplate().endSpec()
                .withNewStatus().withReadyReplicas(1).endStatus().build()).create();
        CliRun run = CliRun.of("version", "--kubeconfig", kubeconfig.toString(), "-o", "json");
        assertThat(run.exitCode()).as(run.dump()).isZero();
        JsonNode server = new ObjectMapper().readTree(run.out()).get("server");
        assertThat(server.get("daemon").get("version").asText()).isEqualTo("1.2.3");
        assertThat(server.get("daemon").get("readyReplicas").asInt()).isEqualTo(1);
        assertThat(server.get("daemon").get("replicas").asInt()).isEqualTo(2);
        assertThat(server.get("url").asText()).startsWith("http://");
        assertThat(run.out()).doesNotContain(MockKubeconfig.TOKEN);
        assertThat(server.get("daemon").get("fips").asBoolean()).as("the daemon's default").isTrue();
        assertThat(CliRun.of("version", "--kubeconfig", kubeconfig.toString()).out())
                .contains("daemon 1.2.3 (registry.example:5000/lattice/lattice-daemon:1.2.3, 1/2 ready, FIPS mode)");

        client.apps().deployments().inNamespace("lattice-system").withName("lattice-daemon").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setArgs(java.util.List.of("--cluster-name=x", "--fips=false"));
            return d;
        });
        JsonNode opted = new ObjectMapper().readTree(CliRun.of("version", "--kubeconfig", kubeconfig.toString(), "-o", "json").out());
        assertThat(opted.get("server").get("daemon").get("fips").asBoolean()).isFalse();
    }

    @Test
    void anUnreachableClusterIsALocatedError() {
        CliRun run = CliRun.of("version", "--kubeconfig", "/nonexistent/kubeconfig");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("cannot read kubeconfig /nonexistent/kubeconfig").doesNotContain("\tat ");
    }
}
