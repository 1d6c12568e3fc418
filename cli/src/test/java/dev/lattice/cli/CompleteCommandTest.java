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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lattice __complete: the values the completion scripts offer, from the words typed so far. */
@EnableKubernetesMockClient(crud = true, https = false)
class CompleteCommandTest {
    KubernetesClient client;

    @TempDir
    Path dir;

    static List<String> complete(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "__complete";
        all[1] = "--";
        System.arraycopy(args, 0, all, 2, args.length);
        CliRun run = CliRun.of(all);
        assertThat(run.exitCode()).as(run.dump()).isZero();
        assertThat(run.err()).isEmpty();
        return run.out().lines().toList();
    }

    @Test
    void clusterNamesComeFromTheFilesOnTheCommandLine() {
        String chicago = Examples.dir().resolve("dc-chicago").toString();
        assertThat(complete("--cluster", "plan", "-f", chicago, "--cluster")).containsExactly("prod-critical", "prod-general", "staging");
        assertThat(complete("--cluster", "plan", "--filename=" + chicago)).containsExactly("prod-critical", "prod-general", "staging");
        assertThat(complete("--name", "install", "-f" + chicago)).containsExactly("prod-critical", "prod-general", "staging");
    }

    @Test
    void poolNamesForPoolStatus() {
        assertThat(complete("POOL", "pool", "status", "-f", Examples.dir().resolve("multi-pool").toString()))
                .contains("hv-pool-a", "hv-pool-b").doesNotContain("prod-critical");
    }

    @Test
    void filesBeingWrittenStillGiveTheNamesThatCanBeRead() throws Exception {
        Path draft = dir.resolve("draft.yaml");
        Files.writeString(draft, """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: half-written}
                spec: {lables: oops
                ---
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: complete-one}
                spec: {}
                """);
        assertThat(complete("--cluster", "plan", "-f", draft.toString())).contains("complete-one");
        assertThat(complete("--cluster", "plan", "-f", dir.resolve("missing.yaml").toString())).isEmpty();
    }

    @Test
    void contextsComeFromTheKubeconfig() throws Exception {
        Path kubeconfig = dir.resolve("config");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: a, cluster: {server: "https://127.0.0.1:1"}}]
                contexts: [{name: prod, context: {cluster: a, user: u}}, {name: dev, context: {cluster: a, user: u}}]
                current-context: dev
                users: [{name: u, user: {token: secret-token}}]
                """);
        assertThat(complete("--context", "place", "--kubeconfig", kubeconfig.toString())).containsExactly("dev", "prod");
        assertThat(complete("--context", "version", "--kubeconfig=" + kubeconfig)).containsExactly("dev", "prod");
    }

    @Test
    void clusterNamesComeFromTheClusterWhenTheCommandReadsOne() throws Exception {
        for (String name : List.of("blue", "green")) {
            GenericKubernetesResource cluster = client.getKubernetesSerialization().unmarshal("""
                    apiVersion: lattice.dev/v1alpha1
                    kind: LatticeCluster
                    metadata: {name: NAME}
                    spec: {}
                    """.replace("NAME", name), GenericKubernetesResource.class);
            client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).resource(cluster).create();
        }
        Path kubeconfig = MockKubeconfig.write(dir, client);
        assertThat(complete("--name", "uninstall", "--kubeconfig", kubeconfig.toString())).containsExactly("blue", "green");
        assertThat(complete("--name", "install", "--kubeconfig", kubeconfig.toString()))
                .as("install names a cluster from its files, none given yet").isEmpty();
    }

    @Test
    void nothingForOptionsWithoutDynamicValuesOrAnUnreachableCluster() {
        assertThat(complete("--trust-domain", "plan")).isEmpty();
        assertThat(complete("--nope", "nonsense", "words")).isEmpty();
        assertThat(complete("--name", "uninstall", "--kubeconfig", "/nonexistent/kubeconfig")).isEmpty();
    }
}
