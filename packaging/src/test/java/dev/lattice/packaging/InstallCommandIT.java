package dev.lattice.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.cli.Main;
import dev.lattice.core.install.DaemonManifests;
import dev.lattice.core.model.Kind;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.testfixtures.Envtest;
import dev.lattice.testfixtures.Examples;
import dev.lattice.testfixtures.FakeCapi;
import dev.lattice.testfixtures.FakeCloud;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands a user types, end to end on API servers: {@code lattice install} with an existing cluster as the
 * bootstrap cluster ({@code --bootstrap-kubeconfig}), then {@code lattice uninstall -y} of the cluster it made.
 */
@DisplayName("lattice install and lattice uninstall, the commands")
class InstallCommandIT {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    private static Run lattice(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void installsThenUninstalls() throws Exception {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        Path components = FakeCapi.writeComponents(dir.resolve("components"));
        try (FakeCloud cloud = new FakeCloud()) {
            Envtest management = cloud.existing();
            Path kubeconfig = dir.resolve("dev.kubeconfig");
            Run install = lattice("install", "-f", Examples.dir().resolve("docker-laptop").toString(),
                    "--bootstrap-kubeconfig", management.kubeconfig().toString(), "--components-dir", components.toString(),
                    "--kubeconfig-out", kubeconfig.toString(), "--timeout", "2m");
            assertThat(install.code()).as(install.err()).isZero();
            assertThat(install.out()).isEqualTo(kubeconfig + "\n");
            assertThat(install.err()).startsWith("Installing dev (docker), run ")
                    .contains("✓ create the bootstrap cluster (the existing cluster of " + management.kubeconfig() + ")",
                            "✓ wait for the control plane and workers of dev", "Cluster Provisioned; control plane 1/1, workers 2/2 machines ready",
                            "✓ pivot the Cluster API objects of dev into it", "dev is self-managing. Its kubeconfig: " + kubeconfig)
                    // Kubeconfigs and tokens are secrets: never on the screen.
                    .doesNotContain("client-key-data", "BEGIN");
            assertThat(Files.readString(kubeconfig)).contains("client-key-data");
            // The existing cluster is nobody's to delete, and its Cluster API objects moved out.
            assertThat(management.client().genericKubernetesResources("cluster.x-k8s.io/v1beta1", "Cluster").inAnyNamespace()
                    .list().getItems()).isEmpty();
            GenericKubernetesResource lc = cloud.workload("dev").orElseThrow().client()
                    .genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName("dev").get();
            assertThat(((Map<?, ?>) lc.getAdditionalProperties().get("status")).get("pivotComplete")).isEqualTo(true);

            // lattice version asks the new cluster: its API server, and the daemon install started there (FakeCapi
            // plays the Deployment controller and marks both replicas ready).
            Run version = lattice("version", "--kubeconfig", kubeconfig.toString());
            assertThat(version.code()).as(version.err()).isZero();
            String kubernetes = cloud.workload("dev").orElseThrow().client().getKubernetesVersion().getGitVersion();
            String image = DaemonManifests.DEFAULT_IMAGE;
            assertThat(version.out()).contains("kubernetes " + kubernetes + " (https://",
                    "daemon " + image.substring(image.lastIndexOf(':') + 1) + " (" + image + ", 2/2 ready, FIPS mode)")
                    .doesNotContain("client-key-data", "BEGIN");

            // Tab after uninstall --kubeconfig FILE --name: the LatticeClusters in that cluster
            Run names = lattice("__complete", "--", "--name", "uninstall", "--kubeconfig", kubeconfig.toString());
            assertThat(names.code()).as(names.err()).isZero();
            assertThat(names.out()).isEqualTo("dev\n");

            Run again = lattice("install", "-f", Examples.dir().resolve("docker-laptop").toString(),
                    "--kubeconfig-out", kubeconfig.toString());
            assertThat(again.code()).isEqualTo(1);
            assertThat(again.err()).startsWith("error: " + kubeconfig + " exists, and install does not overwrite files");

            Run uninstall = lattice("uninstall", "--kubeconfig", kubeconfig.toString(), "-y",
                    "--bootstrap-kubeconfig", management.kubeconfig().toString(), "--components-dir", components.toString(),
                    "--timeout", "2m");
            assertThat(uninstall.code()).as(uninstall.err()).isZero();
            assertThat(uninstall.err()).contains("✓ move the Cluster API objects of dev back into the bootstrap cluster",
                    "✓ delete dev and its machines", "dev and its machines are deleted.");
            assertThat(cloud.workload("dev")).isEmpty();
            assertThat(cloud.failures()).isEmpty();
        }
    }
}
