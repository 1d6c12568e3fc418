package dev.lattice.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.install.BootstrapTokens;
import dev.lattice.core.status.ClusterStatus;
import dev.lattice.core.model.Kind;
import dev.lattice.daemon.agent.ParentCredentials;
import dev.lattice.daemon.agent.ParentEndpoints;
import dev.lattice.daemon.agent.Pki;
import dev.lattice.daemon.reconciler.Provisioning;
import dev.lattice.daemon.runtime.Daemon;
import dev.lattice.engine.install.ChildProvisioning;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.engine.pivot.Mover;
import dev.lattice.testfixtures.Envtest;
import dev.lattice.testfixtures.FakeCapi;
import dev.lattice.testfixtures.FakeCloud;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A parent daemon provisions a child LatticeCluster through its own Cluster API (the fake provider; every cluster a
 * real kube-apiserver): Pending → Provisioning → Pivoting → Pivoted, the child's Cluster API objects end up in the
 * child with the providers, the daemon and the Secret that leads it home; the child's daemon then registers with the
 * token it was given and the parent calls the child Ready. Deleting the child on the parent unpivots it over the agent
 * stream (Deleting → Unpivoting) and deletes its machines.
 */
@SuppressWarnings("unchecked")
class ProvisionIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String IMAGE = "registry.example/lattice-daemon:test";
    private static final String FLEET = Kube.family("kid", 2);

    @TempDir
    Path dir;

    @Test
    void aParentProvisionsAChildThatComesHomeAndUnpivotsItOnDeletion() throws Exception {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        Path components = FakeCapi.writeComponents(dir.resolve("components"));
        try (FakeCloud cloud = new FakeCloud()) {
            Envtest parentApi = cloud.existing();
            KubernetesClient parent = parentApi.client();
            new FakeCapi(parent).installCrds(); // the parent runs Cluster API: it manages itself

            List<String> phases = new CopyOnWriteArrayList<>();
            try (Daemon parentDaemon = new Daemon(Kube.provisioning("parent", components, IMAGE), Kube.asDaemon(parent, "parent"))) {
                parentDaemon.start();
                Kube.apply(parent, FLEET);
                Watch watch = parent.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName("kid")
                        .watch(phasesOf(phases));
                try {
                    await().atMost(WAIT).until(() -> Kube.status(Kube.get(parent, Kind.LATTICE_CLUSTER, null, "kid")).get("phase"),
                            "Pivoted"::equals);
                } finally {
                    watch.close();
                }
                assertThat(phases).containsSubsequence("Pending", "Provisioning", "Pivoting", "Pivoted");
                await().atMost(WAIT).untilAsserted(() -> assertThat((List<?>) Kube.status(Kube.get(parent, Kind.LATTICE_CLUSTER, null, "kid"))
                        .get("conditions")).anySatisfy(c -> assertThat((Map<String, Object>) c)
                        .containsEntry("type", "Provisioned").containsEntry("status", "True")));
                Map<String, Object> status = Kube.status(Kube.get(parent, Kind.LATTICE_CLUSTER, null, "kid"));
                assertThat(status).containsEntry("pivotComplete", true).doesNotContainKey("bootstrapToken")
                        .containsKeys(ClusterStatus.TOKEN_HASH, ClusterStatus.TOKEN_EXPIRES);

                // The child's Cluster API objects live in the child now, unpaused, and are gone from the parent.
                KubernetesClient kid = cloud.workload("kid").orElseThrow().client();
                GenericKubernetesResource capi = kid.genericKubernetesResources("cluster.x-k8s.io/v1beta1", "Cluster")
                        .inNamespace("capi-kid").withName("kid").get();
                assertThat(capi).isNotNull();
                assertThat(capi.getMetadata().getAnnotations()).containsKey(Mover.SOURCE_UID);
                assertThat(((Map<?, ?>) capi.getAdditionalProperties().get("spec")).get("paused")).isNotEqualTo(true);
                assertThat(kid.genericKubernetesResources("cluster.x-k8s.io/v1beta1", "Machine").inNamespace("capi-kid")
                        .list().getItems()).hasSize(3);
                assertThat(parent.genericKubernetesResources("cluster.x-k8s.io/v1beta1", "Cluster").inNamespace("capi-kid")
                        .withName("kid").get()).isNull();
                // The control plane fetches the daemon from the parent on first boot, with the token from its Secret.
                GenericKubernetesResource kcp = kid.genericKubernetesResources("controlplane.cluster.x-k8s.io/v1beta1", "KubeadmControlPlane")
                        .inNamespace("capi-kid").list().getItems().get(0);
                int bootstrapPort = parentDaemon.parentEndpoints().bootstrap().port();
                assertThat(kcp.getAdditionalProperties().toString())
                        .contains("https://127.0.0.1:" + bootstrapPort + "/v1/clusters/kid/manifests")
                        .contains(ChildProvisioning.tokenSecret("kid"));
                Secret tokenSecret = kid.secrets().inNamespace("capi-kid").withName(ChildProvisioning.tokenSecret("kid")).get();
                String machineToken = Kube.decode(tokenSecret.getData().get(ChildProvisioning.TOKEN_KEY));
                assertThat(kcp.getAdditionalProperties().toString()).doesNotContain(machineToken);

                // The providers, the daemon (this parent's image) and the way home are installed in it.
                assertThat(kid.apps().deployments().inNamespace("capi-system").withName("cluster-api-controller-manager").get()).isNotNull();
                Deployment daemon = kid.apps().deployments().inNamespace("lattice-system").withName("lattice-daemon").get();
                assertThat(daemon.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo(IMAGE);
                assertThat(daemon.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).containsSequence("--cluster-name", "kid");
                Map<String, String> home = dev.lattice.engine.kube.Secrets.text(
                        kid.secrets().inNamespace("lattice-system").withName(ParentCredentials.SECRET).get());
                // The pivot handed the daemon a token of its own: the machines' one is spent, only the hash is kept.
                String token = home.get("token");
                assertThat(token).isNotBlank().isNotEqualTo(machineToken);
                assertThat(status).containsEntry(ClusterStatus.TOKEN_HASH, BootstrapTokens.hash(token));
                assertThat(home).containsEntry("host", "127.0.0.1")
                        .containsEntry("bootstrapPort", String.valueOf(bootstrapPort))
                        .containsEntry("grpcPort", String.valueOf(parentDaemon.parentEndpoints().agents().port()));
                assertThat(Kube.get(kid, Kind.LATTICE_CLUSTER, null, "kid")).isNotNull();
                assertThat(Kube.get(kid, Kind.STATIC_POOL, null, "lab")).isNotNull();

                // What the first control-plane node would fetch: only with the child's valid token, which it spends; the
                // manifests carry the next one for the daemon.
                Secret ca = parent.secrets().inNamespace("lattice-system").withName(ParentEndpoints.CA_SECRET).get();
                HttpClient https = HttpClient.newBuilder().sslContext(Kube.trusting(Kube.decode(ca.getData().get("tls.crt")))).build();
                assertThat(manifests(https, bootstrapPort, "kid", machineToken).statusCode()).as("superseded by the pivot's").isEqualTo(403);
                assertThat(manifests(https, bootstrapPort, "kid", "not-the-token").statusCode()).isEqualTo(403);
                assertThat(manifests(https, bootstrapPort, "parent", token).statusCode()).isEqualTo(403);
                HttpResponse<String> manifests = manifests(https, bootstrapPort, "kid", token);
                assertThat(manifests.statusCode()).isEqualTo(200);
                assertThat(manifests.headers().firstValue("Content-Type")).hasValue("application/yaml");
                assertThat(manifests.body()).contains("kind: Deployment", "image: " + IMAGE, "name: " + ParentCredentials.SECRET);
                assertThat(manifests(https, bootstrapPort, "kid", token).statusCode()).as("spent").isEqualTo(403);
                token = servedToken(manifests.body());
                assertThat(Kube.status(Kube.get(parent, Kind.LATTICE_CLUSTER, null, "kid"))).containsEntry(ClusterStatus.TOKEN_HASH, BootstrapTokens.hash(token));

                // The node's own command, as rendered, run with real curl: it trusts only the parent's CA from the spec.
                Map<String, Object> configSpec = (Map<String, Object>) ((Map<String, Object>) kcp.getAdditionalProperties()
                        .get("spec")).get("kubeadmConfigSpec");
                String caPem = ((List<Map<String, Object>>) configSpec.get("files")).stream()
                        .filter(f -> ClusterRenderer.PARENT_CA_FILE.equals(f.get("path"))).map(f -> f.get("content").toString())
                        .findFirst().orElseThrow();
                String command = ((List<String>) configSpec.get("postKubeadmCommands")).get(0);
                assertThat(firstBoot(command, token, Pki.newAuthority("impostor").certificatePem(), false))
                        .as("another CA's server gets no token").startsWith("failed");
                String applied = firstBoot(command, token, caPem, false);
                assertThat(applied).as("verified against the parent's CA").contains("kind: Deployment");
                // A control-plane node that joins later finds the daemon there and fetches nothing (its token is spent).
                assertThat(firstBoot(command, token, caPem, true)).isEmpty();
                // What the node applied holds the daemon's token: that is the way home.
                token = servedToken(applied);
                String daemonToken = token;
                kid.secrets().inNamespace("lattice-system").withName(ParentCredentials.SECRET).edit(s -> {
                    Map<String, String> data = new java.util.HashMap<>(s.getData());
                    data.put("token", java.util.Base64.getEncoder().encodeToString(daemonToken.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                    s.setData(data);
                    return s;
                });

                // The daemon that Deployment runs comes up in the child: it registers with the token and manages itself.
                try (Daemon kidDaemon = new Daemon(Kube.options("kid", "kid-a", true, null, null), Kube.asDaemon(kid, "kid"))) {
                    kidDaemon.start();
                    await().atMost(WAIT).untilAsserted(() -> {
                        Map<String, Object> now = Kube.status(Kube.get(parent, Kind.LATTICE_CLUSTER, null, "kid"));
                        assertThat(now).containsEntry("phase", "Ready").containsEntry("bootstrapComplete", true)
                                .doesNotContainKey("bootstrapToken");
                        Map<String, Object> own = Kube.status(Kube.get(kid, Kind.LATTICE_CLUSTER, null, "kid"));
                        assertThat(own).containsEntry("pivotComplete", true).containsEntry("phase", "Ready")
                                .containsEntry("readyWorkers", 2);
                    });
                    // The token is spent: the manifests are no longer served.
                    assertThat(manifests(https, bootstrapPort, "kid", token).statusCode()).isEqualTo(403);

                    // A spec the parser refuses, edited into the pivoted child on its parent, is said so on Ready without
                    // the phase being lost; once fixed, nothing is provisioned again (its Cluster API objects are in it).
                    pool(parent, "nowhere");
                    await().atMost(WAIT).untilAsserted(() -> assertThat(Kube.condition(parent, Kind.LATTICE_CLUSTER, null, "kid", "Ready"))
                            .containsEntry("status", "False").containsEntry("reason", "InvalidSpec"));
                    assertThat(Kube.status(Kube.get(parent, Kind.LATTICE_CLUSTER, null, "kid"))).containsEntry("phase", "Ready");
                    pool(parent, "lab");
                    await().atMost(WAIT).until(() -> Kube.condition(parent, Kind.LATTICE_CLUSTER, null, "kid", "Ready").isEmpty());
                    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> parent
                            .genericKubernetesResources("cluster.x-k8s.io/v1beta1", "Cluster").inNamespace("capi-kid").list().getItems().isEmpty());
                    Map<String, Object> fixed = Kube.status(Kube.get(parent, Kind.LATTICE_CLUSTER, null, "kid"));
                    assertThat(fixed).containsEntry("phase", "Ready");
                    assertThat(String.valueOf(fixed.get("message"))).doesNotContain("nowhere");

                    // Deleting the child on its parent unpivots it: its agent hands its Cluster API objects back, the
                    // parent deletes them with its machines, and only then the LatticeCluster goes.
                    assertThat(Kube.get(parent, Kind.LATTICE_CLUSTER, null, "kid").getMetadata().getFinalizers())
                            .contains(Provisioning.FINALIZER);
                    phases.clear();
                    watch = parent.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName("kid")
                            .watch(phasesOf(phases));
                    try {
                        parent.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName("kid").delete();
                        await().atMost(WAIT).until(() -> Kube.get(parent, Kind.LATTICE_CLUSTER, null, "kid") == null);
                    } finally {
                        watch.close();
                    }
                    assertThat(phases).containsSubsequence("Deleting", "Unpivoting");
                    assertThat(cloud.workload("kid")).as("Cluster API deleted the child's machines").isEmpty();
                    assertThat(parent.genericKubernetesResources("cluster.x-k8s.io/v1beta1", "Machine").inNamespace("capi-kid")
                            .list().getItems()).isEmpty();
                }
            }
            assertThat(cloud.failures()).isEmpty();
        }
    }

    @Test
    void aParentStoppedAsEachPhaseBeginsResumesWhereItWas() throws Exception {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        Path components = FakeCapi.writeComponents(dir.resolve("components"));
        try (FakeCloud cloud = new FakeCloud()) {
            KubernetesClient parent = cloud.existing().client();
            new FakeCapi(parent).installCrds();
            // Each parent daemon is stopped the moment the child's phase moves on, half-way into the next step; the
            // next one (as after a restart, or a new leader) picks up from the status.
            List<String> stoppedAt = new java.util.ArrayList<>();
            String phase = null;
            for (int run = 0; !"Pivoted".equals(phase); run++) {
                assertThat(run).as("stopped at " + stoppedAt).isLessThan(8);
                String before = phase;
                try (Daemon parentDaemon = new Daemon(Kube.provisioning("parent", components, IMAGE), Kube.asDaemon(parent, "parent"))) {
                    parentDaemon.start();
                    if (run == 0) {
                        Kube.apply(parent, FLEET);
                    }
                    phase = await().atMost(WAIT).until(() -> (String) Kube.status(Kube.get(parent, Kind.LATTICE_CLUSTER, null, "kid"))
                            .get("phase"), p -> p != null && !p.equals(before));
                }
                stoppedAt.add(phase);
            }
            assertThat(stoppedAt).containsSubsequence("Provisioning", "Pivoting", "Pivoted");
            KubernetesClient kid = cloud.workload("kid").orElseThrow().client();
            assertThat(kid.genericKubernetesResources("cluster.x-k8s.io/v1beta1", "Machine").inNamespace("capi-kid").list().getItems())
                    .as("every machine once").hasSize(3);
            assertThat(kid.genericKubernetesResources("cluster.x-k8s.io/v1beta1", "Cluster").inNamespace("capi-kid").list().getItems())
                    .singleElement().satisfies(c -> assertThat(((Map<?, ?>) c.getAdditionalProperties().get("spec")).get("paused"))
                            .isNotEqualTo(true));
            assertThat(parent.genericKubernetesResources("cluster.x-k8s.io/v1beta1", "Cluster").inNamespace("capi-kid").list().getItems())
                    .as("moved, not copied").isEmpty();
            assertThat(kid.apps().deployments().inNamespace("lattice-system").withName("lattice-daemon").get()).isNotNull();
            assertThat(Kube.status(Kube.get(parent, Kind.LATTICE_CLUSTER, null, "kid"))).containsEntry("pivotComplete", true);
            assertThat(cloud.failures()).isEmpty();
        }
    }

    @SuppressWarnings("unchecked")
    private static void pool(KubernetesClient parent, String pool) {
        parent.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName("kid").edit(r -> {
            ((Map<String, Object>) r.getAdditionalProperties().get("spec")).put("pool", pool);
            return r;
        });
    }

    private static Watcher<GenericKubernetesResource> phasesOf(List<String> phases) {
        return new Watcher<>() {
            @Override
            public void eventReceived(Action action, GenericKubernetesResource resource) {
                Object phase = Kube.status(resource).get("phase");
                if (phase != null && (phases.isEmpty() || !phases.get(phases.size() - 1).equals(phase))) {
                    phases.add(phase.toString());
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        };
    }

    /**
     * Runs a first-boot command on this machine: the node's files in a temp directory, and the manifests it would
     * apply printed instead. Returns them, or {@code curl failed} and its exit code.
     */
    /**
     * Runs a node's first-boot command as rendered, with real curl and a stand-in kubectl that finds the daemon's
     * Secret when {@code daemonThere} and prints what it is asked to apply: what the node would apply, or "failed".
     */
    private String firstBoot(String command, String token, String caPem, boolean daemonThere) throws Exception {
        Path tokenFile = java.nio.file.Files.writeString(dir.resolve("bootstrap-token"), token);
        Path caFile = java.nio.file.Files.writeString(dir.resolve("parent-ca.crt"), caPem);
        Path kubectl = java.nio.file.Files.writeString(dir.resolve("kubectl"), "#!/bin/bash\n"
                + "case \"$1 $2\" in 'get secret') exit " + (daemonThere ? 0 : 1) + " ;; 'apply -f') cat ;; *) exit 2 ;; esac\n");
        kubectl.toFile().setExecutable(true);
        String local = command.replace("/etc/lattice/bootstrap-token", tokenFile.toString())
                .replace(ClusterRenderer.PARENT_CA_FILE, caFile.toString())
                .replace("--retry 30 --retry-delay 10", "--retry 0")
                .replace("kubectl --kubeconfig /etc/kubernetes/admin.conf", kubectl.toString());
        assertThat(local).doesNotContain("/etc/lattice", "/etc/kubernetes");
        Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c", local).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        int code = p.waitFor();
        return code == 0 ? out : "failed (" + code + "): " + out;
    }

    /** The daemon's token in the manifests the bootstrap endpoint served. */
    private static String servedToken(String manifests) {
        for (Object doc : new org.snakeyaml.engine.v2.api.Load(org.snakeyaml.engine.v2.api.LoadSettings.builder().build())
                .loadAllFromString(manifests)) {
            Map<String, Object> object = (Map<String, Object>) doc;
            if ("Secret".equals(object.get("kind")) && ParentCredentials.SECRET.equals(((Map<String, Object>) object.get("metadata")).get("name"))) {
                String encoded = (String) ((Map<String, Object>) object.get("data")).get("token");
                return new String(java.util.Base64.getDecoder().decode(encoded), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("no token in the manifests:\n" + manifests);
    }

    private static HttpResponse<String> manifests(HttpClient https, int port, String cluster, String token) throws Exception {
        return https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/v1/clusters/" + cluster + "/manifests"))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
