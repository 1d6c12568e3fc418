package dev.lattice.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.cli.Main;
import dev.lattice.core.model.Kind;
import dev.lattice.engine.bootstrap.DockerEngine;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.testfixtures.Examples;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real thing, under {@code -Pe2e}: {@code lattice install} of the docker-laptop example through a kind or k3s
 * bootstrap cluster and CAPD, a check that the new cluster's nodes are Ready and that it holds its own Cluster API
 * objects, then {@code lattice uninstall -y}. Needs a Docker engine (and kind for the kind variant), and the
 * provider manifests: downloaded, or from {@code LATTICE_E2E_COMPONENTS_DIR}.
 */
@DisplayName("install and uninstall with Docker (kind or k3s, CAPD)")
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class InstallE2E {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"kind", "k3s"})
    void installsAndUninstallsTheLaptopCluster(String bootstrap) throws Exception {
        String docker = DockerEngine.absence();
        assumeTrue(docker == null, () -> "needs a Docker engine: " + docker);
        assumeTrue(!bootstrap.equals("kind") || onPath("kind"), "needs the kind binary on PATH");
        Path kubeconfig = dir.resolve("dev.kubeconfig");
        List<String> install = new ArrayList<>(List.of("install", "-f", Examples.dir().resolve("docker-laptop").toString(),
                "--bootstrap", bootstrap, "--kubeconfig-out", kubeconfig.toString(), "--timeout", "20m"));
        String components = System.getenv("LATTICE_E2E_COMPONENTS_DIR");
        if (components != null) {
            install.addAll(List.of("--components-dir", components));
        }
        PrintWriter out = new PrintWriter(System.out, true);
        assertThat(Main.run(install.toArray(String[]::new), out, new PrintWriter(System.err, true))).isZero();
        try (KubernetesClient cluster = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build()) {
            List<Node> nodes = cluster.nodes().list().getItems();
            assertThat(nodes).hasSize(3);
            assertThat(cluster.genericKubernetesResources("cluster.x-k8s.io/v1beta1", "Cluster").inNamespace("capi-dev")
                    .withName("dev").get()).isNotNull();
            GenericKubernetesResource lc = cluster.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName("dev").get();
            assertThat(((Map<?, ?>) lc.getAdditionalProperties().get("status")).get("pivotComplete")).isEqualTo(true);
        }
        List<String> uninstall = new ArrayList<>(List.of("uninstall", "--kubeconfig", kubeconfig.toString(), "-y",
                "--bootstrap", bootstrap, "--timeout", "20m"));
        if (components != null) {
            uninstall.addAll(List.of("--components-dir", components));
        }
        assertThat(Main.run(uninstall.toArray(String[]::new), out, new PrintWriter(System.err, true))).isZero();
    }

    private static boolean onPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d.isEmpty() ? "." : d, name))) {
                return true;
            }
        }
        return false;
    }
}
