package dev.lattice.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lattice.core.addons.ClusterAddons;
import dev.lattice.core.install.DaemonManifests;
import dev.lattice.core.model.Kind;
import dev.lattice.engine.kube.Applier;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.engine.charts.ChartStore;
import dev.lattice.testfixtures.Envtest;
import dev.lattice.testfixtures.SharedCharts;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The daemon's image as it ships: imported into the single-node cluster of {@code ../shared/kube} (kubelet and
 * containerd, pods really run) and installed with the objects {@code lattice install} renders — two replicas under
 * their memory limit, a read-only root, their own ServiceAccount and RBAC, so no admin credentials hide a missing
 * permission. Needs the node (root; {@code NODE_KUBECONFIG}, which .ci/run sets) and the image tar (the daemon module's
 * profile {@code image}, on where {@code LATTICE_IMAGE_BASE} names a base); skips, saying which, without them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("the daemon image as two pods of a real cluster")
class DaemonPodIT {
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String NS = DaemonManifests.NAMESPACE;
    private static final String SELECTOR = "app.kubernetes.io/name";

    private KubernetesClient client;
    private List<HasMetadata> installed = List.of();

    @BeforeAll
    void install() throws Exception {
        String kubeconfig = System.getenv("NODE_KUBECONFIG");
        assumeTrue(kubeconfig != null && Files.isReadable(Path.of(kubeconfig)),
                "needs the node cluster of ../shared/kube: as root, export NODE_KUBECONFIG=$(../shared/kube/node-up.sh | tail -1) (.ci/run does)");
        String tar = System.getProperty("lattice.daemon.image.tar", "");
        assumeTrue(Files.isRegularFile(Path.of(tar)), "needs the daemon image " + tar + ": build the daemon module with LATTICE_IMAGE_BASE naming a "
                + "base image, e.g. tar://$(../shared/kube/make-images.sh jre | tail -1) (.ci/run does, as root)");
        Path importer = Envtest.assets().orElseThrow(() -> new IllegalStateException(Envtest.absence())).resolve("import-image.sh");
        run(List.of("bash", importer.toString(), tar));
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(Path.of(kubeconfig)))).build();
        uninstall(); // what an earlier run left
        installed = DaemonManifests.render("home", System.getProperty("lattice.daemon.image"));
        // No registry and no chart repository answer here: the add-on charts come from ../shared/charts, as an air-gapped
        // install would give them (--charts).
        Path charts = SharedCharts.dir().orElse(null);
        assumeTrue(charts != null, SharedCharts.absence());
        for (HasMetadata o : installed) {
            if (o instanceof Deployment d) {
                var pod = d.getSpec().getTemplate().getSpec();
                pod.getVolumes().add(new VolumeBuilder().withName("charts").withNewHostPath().withPath(charts.toRealPath().toString())
                        .endHostPath().build());
                pod.getContainers().get(0).getVolumeMounts().add(new VolumeMountBuilder().withName("charts").withMountPath("/charts")
                        .withReadOnly(true).build());
                pod.getContainers().get(0).getEnv().add(new EnvVar(ChartStore.CHARTS_DIR_ENV, "/charts", null));
            }
        }
        new Applier(client).apply(installed, Duration.ofMinutes(1));
        // Restricted Pod Security: a compiled pod is admitted only with everything it asks for (fleet.yaml's api runs as
        // non-root; the rest comes from the compiler whatever the service says).
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop")
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted").endMetadata().build()).serverSideApply();
        Kube.applyResource(client, "/daemon/fleet.yaml");
    }

    @AfterAll
    void uninstall() {
        if (client == null) {
            return;
        }
        // The CRDs last: their deletion takes every Lattice object with it, so nothing waits on a daemon's finalizer.
        client.namespaces().withName("shop").delete();
        client.apps().deployments().inNamespace(NS).withName(DaemonManifests.NAME).delete();
        client.namespaces().withName(NS).delete();
        // What an add-on left, should a test have stopped before the daemon removed it.
        client.namespaces().withLabel(ClusterAddons.ADDON_LABEL).delete();
        client.rbac().clusterRoles().withLabel(ClusterAddons.ADDON_LABEL).delete();
        client.rbac().clusterRoleBindings().withLabel(ClusterAddons.ADDON_LABEL).delete();
        client.admissionRegistration().v1().mutatingWebhookConfigurations().withLabel(ClusterAddons.ADDON_LABEL).delete();
        client.admissionRegistration().v1().validatingWebhookConfigurations().withLabel(ClusterAddons.ADDON_LABEL).delete();
        client.apiextensions().v1().customResourceDefinitions().withLabel(ClusterAddons.ADDON_LABEL).delete();
        await().atMost(WAIT).until(() -> client.namespaces().withName(NS).get() == null && client.namespaces().withName("shop").get() == null
                && client.namespaces().withLabel(ClusterAddons.ADDON_LABEL).list().getItems().isEmpty());
        for (HasMetadata o : DaemonManifests.render("home", "unused")) {
            if (o.getMetadata().getNamespace() == null) {
                client.resource(o).delete();
            }
        }
    }

    @Test
    @Order(1)
    void twoReplicasStartAndOneLeads() {
        await().atMost(WAIT).untilAsserted(() -> {
            Deployment d = client.apps().deployments().inNamespace(NS).withName(DaemonManifests.NAME).get();
            assertThat(d.getStatus().getReadyReplicas()).as("ready replicas; pods: %s", podSummary()).isEqualTo(2);
            assertThat(leader()).as("the pod labelled %s", DaemonManifests.LEADER_LABEL).isNotNull();
        });
        // It logs (one SLF4J binding on the class path, not a silent one) that it started and leads.
        assertThat(log(leader())).contains("Lattice kinds on", "leads: reconciling");
    }

    @Test
    @Order(2)
    void placesAndAppliesWithItsOwnRbacAndNothingFails() {
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(client.apps().deployments().inNamespace("shop").withName("api").get()).isNotNull();
            assertThat(client.services().inNamespace("shop").withName("db").get()).isNotNull();
            assertThat(condition("api", "WorkloadApplied")).containsEntry("status", "True");
            // No Cilium here: the policies wait for their CRDs, and say so, while the workloads run.
            assertThat(condition("api", "PoliciesApplied")).containsEntry("reason", "WaitingForKind");
            // Its own add-ons (Istio: services is on), rendered from the charts and applied with its own RBAC.
            assertThat(clusterCondition("AddonsReady")).as("home's AddonsReady").containsEntry("status", "True");
        });
        assertThat(client.apps().deployments().inNamespace("istio-system").withName("istiod").get()).isNotNull();
        // Restricted Pod Security admits api's pod (its image cannot be pulled here: admitted is what counts).
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.pods().inNamespace("shop").withLabel(SELECTOR, "api").list().getItems())
                .as("api's pods under restricted Pod Security").isNotEmpty());
        // What happened is in Events, written by the leader under its own RBAC: kubectl describe latticeservice api.
        String api = Kube.get(client, Kind.LATTICE_SERVICE, "shop", "api").getMetadata().getUid();
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.v1().events().inNamespace("shop").withField("involvedObject.uid", api)
                .list().getItems()).anySatisfy(e -> {
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getReason()).isEqualTo("WaitingForKind");
                    assertThat(e.getReportingInstance()).startsWith(DaemonManifests.NAME + "-");
                }));
        for (Pod pod : pods()) {
            String log = log(pod);
            assertThat(log).as("log of %s", pod.getMetadata().getName()).doesNotContainIgnoringCase("forbidden")
                    .doesNotContain("ERROR", "Exception", "WARN");
            for (ContainerStatus status : pod.getStatus().getContainerStatuses()) {
                assertThat(status.getRestartCount()).as("restarts of %s", pod.getMetadata().getName()).isZero();
            }
        }
        System.out.println("daemon pods' memory (kubelet): " + memory());
    }

    @Test
    @Order(3)
    void whenTheLeaderIsGoneTheOtherTakesOverAndAppliesWhatComesNext() {
        Pod leader = leader();
        client.pods().resource(leader).withGracePeriod(0).delete();
        Kube.apply(client, """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeService
                metadata: {name: cache, namespace: shop}
                spec:
                  containers:
                    main: {image: "redis:7", resources: {requests: {cpu: 50m, memory: 64Mi}}}
                  service:
                    ports: {redis: {port: 6379}}
                """);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(client.apps().deployments().inNamespace("shop").withName("cache").get()).isNotNull();
            Pod next = leader();
            assertThat(next).isNotNull();
            assertThat(next.getMetadata().getName()).isNotEqualTo(leader.getMetadata().getName());
        });
    }

    @Test
    @Order(4)
    void turningServicesOffRemovesTheMeshItInstalled() {
        client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName("home")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": {\"services\": false}}");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(client.apps().deployments().inNamespace("istio-system").withName("istiod").get()).isNull();
            assertThat(client.rbac().clusterRoles().withLabel(ClusterAddons.ADDON_LABEL).list().getItems()).isEmpty();
            assertThat(clusterCondition("AddonsReady")).containsEntry("reason", "NoneWanted");
        });
    }

    private Pod leader() {
        return pods().stream().filter(p -> "true".equals(p.getMetadata().getLabels().get(DaemonManifests.LEADER_LABEL))).findFirst().orElse(null);
    }

    private List<Pod> pods() {
        return client.pods().inNamespace(NS).withLabel(SELECTOR, DaemonManifests.NAME).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private String podSummary() {
        List<String> out = new ArrayList<>();
        for (Pod p : client.pods().inNamespace(NS).list().getItems()) {
            out.add(p.getMetadata().getName() + " " + p.getStatus().getPhase() + " " + p.getStatus().getContainerStatuses());
        }
        return String.join("; ", out);
    }

    private String log(Pod pod) {
        return client.pods().inNamespace(NS).withName(pod.getMetadata().getName()).getLog();
    }

    private Map<String, Object> condition(String service, String type) {
        return Kube.condition(client, Kind.LATTICE_SERVICE, "shop", service, type);
    }

    private Map<String, Object> clusterCondition(String type) {
        return Kube.condition(client, Kind.LATTICE_CLUSTER, null, "home", type);
    }

    /** Each daemon pod's working set and resident set, from the kubelet's summary. */
    private String memory() {
        try {
            JsonNode summary = new ObjectMapper().readTree(client.raw("/api/v1/nodes/" + pods().get(0).getSpec().getNodeName() + "/proxy/stats/summary"));
            List<String> out = new ArrayList<>();
            for (JsonNode pod : summary.path("pods")) {
                if (NS.equals(pod.path("podRef").path("namespace").asText())) {
                    JsonNode m = pod.path("memory");
                    out.add(pod.path("podRef").path("name").asText() + ": working set " + (m.path("workingSetBytes").asLong() >> 20)
                            + " MiB, rss " + (m.path("rssBytes").asLong() >> 20) + " MiB");
                }
            }
            return String.join("; ", out);
        } catch (IOException | RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("lattice-import", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
        assertThat(p.exitValue()).as("%s: %s", command, Files.readString(out)).isZero();
    }
}
