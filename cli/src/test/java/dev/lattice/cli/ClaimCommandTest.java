package dev.lattice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.model.Kind;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.engine.kube.Secrets;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lattice claim against a Kubernetes API (fabric8's mock server in CRUD mode) holding a warm pool; the test plays the
 * daemon where a claim is to be bound. What binding does on a real API server is WarmPoolIT's (daemon module).
 */
@EnableKubernetesMockClient(crud = true, https = false)
class ClaimCommandTest {
    KubernetesClient client;

    @TempDir
    Path dir;

    String kubeconfig;

    @BeforeEach
    void aClusterWithAWarmPool() throws Exception {
        GenericKubernetesResource pool = client.getKubernetesSerialization().unmarshal("""
                apiVersion: lattice.dev/v1alpha1
                kind: WarmPool
                metadata: {name: lab}
                spec:
                  size: 2
                  pool: rack
                  template: {nodes: {controlPlane: {replicas: 1, instanceType: small}}}
                """, GenericKubernetesResource.class);
        client.genericKubernetesResources(LiveInputs.context(Kind.WARM_POOL)).resource(pool).create();
        kubeconfig = MockKubeconfig.write(dir, client).toString();
    }

    CliRun run(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--kubeconfig";
        all[args.length + 1] = kubeconfig;
        return CliRun.of(all);
    }

    GenericKubernetesResource claim(String namespace, String name) {
        return client.genericKubernetesResources(LiveInputs.context(Kind.CLUSTER_CLAIM)).inNamespace(namespace).withName(name).get();
    }

    @Test
    @SuppressWarnings("unchecked")
    void createsAClaimOnAWarmPoolAndRefusesOneOnAPoolThatIsNotThere() {
        CliRun missing = run("claim", "create", "--pool", "labs", "-n", "training");
        assertThat(missing.exitCode()).as(missing.dump()).isEqualTo(1);
        assertThat(missing.err()).contains("no warm pool named \"labs\"", "Warm pools: lab");

        CliRun made = run("claim", "create", "--pool", "lab", "--name", "alice", "--session", "s-1", "--lifetime", "90m", "-n", "training");
        assertThat(made.exitCode()).as(made.dump()).isZero();
        assertThat(made.err()).contains("claim training/alice made on warm pool lab");
        assertThat(made.out()).contains("NAMESPACE", "training    alice   lab    s-1       Pending   -");
        Map<String, Object> spec = (Map<String, Object>) claim("training", "alice").getAdditionalProperties().get("spec");
        assertThat(spec).containsEntry("pool", "lab").containsEntry("session", "s-1").containsEntry("lifetime", "1h30m");

        CliRun zero = run("claim", "create", "--pool", "lab", "--lifetime", "0s");
        assertThat(zero.exitCode()).isEqualTo(2);
        assertThat(zero.err()).contains("--lifetime must be longer than 0s");
    }

    @Test
    void waitsUntilBoundAndWritesTheClaimsKubeconfigForItsOwnerOnly() throws Exception {
        Path out = dir.resolve("alice.kubeconfig");
        // The daemon's part: bind the claim and hand out its kubeconfig.
        CompletableFuture<Void> daemon = CompletableFuture.runAsync(() -> {
            GenericKubernetesResource c = client.genericKubernetesResources(LiveInputs.context(Kind.CLUSTER_CLAIM)).inNamespace("training")
                    .withName("alice").waitUntilCondition(r -> r != null, 30, TimeUnit.SECONDS);
            client.secrets().inNamespace("training").resource(new SecretBuilder().withNewMetadata().withName("alice-kubeconfig")
                    .withNamespace("training").endMetadata().withData(Secrets.data(Map.of("kubeconfig", "apiVersion: v1\nkind: Config\n")))
                    .build()).create();
            c.setAdditionalProperty("status", Map.of("phase", "Bound", "cluster", "lab-x2k9d", "boundAt", "2026-12-07T10:00:00Z",
                    "expiresAt", "2026-12-07T12:00:00Z", "kubeconfigSecret", "alice-kubeconfig", "message", "bound"));
            client.genericKubernetesResources(LiveInputs.context(Kind.CLUSTER_CLAIM)).inNamespace("training").resource(c).updateStatus();
        });
        CliRun run = run("claim", "create", "--pool", "lab", "--name", "alice", "-n", "training", "--kubeconfig-out", out.toString(),
                "-o", "yaml");
        daemon.get(30, TimeUnit.SECONDS);
        assertThat(run.exitCode()).as(run.dump()).isZero();
        assertThat(run.err()).contains("bound to lab-x2k9d in", "until 2026-12-07T12:00:00Z", "its kubeconfig: " + out);
        assertThat(run.out()).contains("kind: ClusterClaim", "phase: Bound", "cluster: lab-x2k9d").doesNotContain("apiVersion: v1\nkind: Config");
        assertThat(out).hasContent("apiVersion: v1\nkind: Config\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rw-------");

        CliRun again = run("claim", "create", "--pool", "lab", "--name", "again", "-n", "training", "--kubeconfig-out", out.toString());
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("exists, and claim create does not overwrite files");
        assertThat(claim("training", "again")).as("nothing made").isNull();
    }

    @Test
    void listsClaimsOfANamespaceOrOfAllAndReleasesOne() {
        run("claim", "create", "--pool", "lab", "--name", "alice", "-n", "training");
        run("claim", "create", "--pool", "lab", "--name", "bob", "-n", "other");

        CliRun listed = run("claim", "list", "-n", "training");
        assertThat(listed.exitCode()).as(listed.dump()).isZero();
        assertThat(listed.out()).contains("alice").doesNotContain("bob");
        CliRun all = run("claim", "list", "-A", "-o", "json");
        assertThat(all.out()).contains("\"name\" : \"alice\"", "\"name\" : \"bob\"");
        assertThat(run("claim", "list", "-A", "-n", "x").exitCode()).isEqualTo(2);
        assertThat(run("claim", "list", "-n", "empty").err()).contains("note: no claims in this namespace");

        CliRun released = run("claim", "release", "alice", "-n", "training");
        assertThat(released.exitCode()).as(released.dump()).isZero();
        assertThat(released.err()).contains("claim training/alice released");
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) claim("training", "alice").getAdditionalProperties().get("spec");
        assertThat(spec).containsEntry("released", true);

        CliRun missing = run("claim", "release", "alicia", "-n", "training");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("no claim named \"alicia\" in namespace training", "Claims there: alice");
    }

    @Test
    void poolStatusShowsAWarmPoolAsItsDaemonCountsIt() {
        GenericKubernetesResource rack = client.getKubernetesSerialization().unmarshal("""
                apiVersion: lattice.dev/v1alpha1
                kind: StaticPool
                metadata: {name: rack}
                spec:
                  provider: docker
                  capacity: {cores: 64, memory: 256Gi}
                  machineTypes: [{name: small, cores: 4, memory: 16Gi}]
                """, GenericKubernetesResource.class);
        client.genericKubernetesResources(LiveInputs.context(Kind.STATIC_POOL)).resource(rack).create();
        var pools = client.genericKubernetesResources(LiveInputs.context(Kind.WARM_POOL));
        GenericKubernetesResource lab = pools.withName("lab").get();
        lab.setAdditionalProperty("status", Map.of("observedGeneration", 1, "available", 1, "claimed", 1, "resetting", 0,
                "provisioning", 0, "error", 0, "queue", List.of("training/bob"), "clusters", List.of(), "conditions", List.of(
                        Map.of("type", "Exhausted", "status", "True", "reason", "ClaimsWaiting", "message", "1 claim waits for a cluster",
                                "lastTransitionTime", "2026-12-07T10:00:00Z"))));
        pools.resource(lab).updateStatus();

        CliRun run = run("pool", "status", "lab");
        assertThat(run.exitCode()).as(run.dump()).isZero();
        assertThat(run.out().lines().filter(l -> l.startsWith("lab ")).findFirst().orElseThrow().split("\\s+"))
                .containsExactly("lab", "rack", "2", "1", "1", "0", "0", "0", "1", "Exhausted");
    }

    @Test
    void completesWarmPoolsAndClaimsFromTheCluster() {
        run("claim", "create", "--pool", "lab", "--name", "alice", "-n", "training");
        assertThat(CliRun.of("__complete", "--", "--pool", "claim", "create", "--kubeconfig", kubeconfig).out().lines().toList())
                .isEqualTo(List.of("lab"));
        assertThat(CliRun.of("__complete", "--", "NAME", "claim", "release", "--kubeconfig", kubeconfig).out().lines().toList())
                .isEqualTo(List.of("alice"));
        assertThat(CliRun.of("__complete", "--", "POOL", "pool", "status", "--kubeconfig", kubeconfig).out().lines().toList())
                .contains("lab");
    }
}
