package dev.lattice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.model.Kind;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.testfixtures.Examples;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lattice uninstall before it touches anything: which cluster, and the confirmation (fabric8's mock server, CRUD). */
@DisplayName("lattice uninstall")
@EnableKubernetesMockClient(crud = true, https = false)
class UninstallCommandTest {
    KubernetesClient client;

    @TempDir
    Path dir;

    Path kubeconfig;

    @BeforeEach
    void holdTheLaptopCluster() throws Exception {
        String text = Files.readString(Examples.dir().resolve("docker-laptop/cluster.yaml"));
        GenericKubernetesResource cluster = client.getKubernetesSerialization().unmarshal(text, GenericKubernetesResource.class);
        client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).resource(cluster).create();
        kubeconfig = MockKubeconfig.write(dir, client);
    }

    @Test
    void neverPromptsWithoutATerminalAndChangesNothing() {
        GenericKubernetesResource before = client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName("dev").get();
        CliRun run = CliRun.of("uninstall", "--kubeconfig", kubeconfig.toString());
        assertThat(run.exitCode()).as(run.dump()).isEqualTo(1);
        assertThat(run.err()).startsWith("error: uninstall deletes the cluster dev and all its machines, and there is no terminal "
                + "to confirm it on. Add --yes to delete it without asking").doesNotContain("not-a-real-secret");
        assertThat(client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName("dev").get())
                .as("not marked Unpivoting").isEqualTo(before);
    }

    @Test
    void anUnknownNameIsSaidWithTheNamesThereAre() {
        CliRun run = CliRun.of("uninstall", "--kubeconfig", kubeconfig.toString(), "--name", "prod", "-y");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("has no LatticeCluster prod", "It has: dev");
    }
}
