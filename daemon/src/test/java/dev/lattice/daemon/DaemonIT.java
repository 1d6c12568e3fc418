package dev.lattice.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.install.BootstrapTokens;
import dev.lattice.core.install.DaemonManifests;
import dev.lattice.core.model.Kind;
import dev.lattice.core.parse.Parser;
import dev.lattice.core.plan.Plan;
import dev.lattice.core.plan.Planner;
import dev.lattice.daemon.runtime.Daemon;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.testfixtures.Envtest;
import dev.lattice.testfixtures.FakeCapi;
import dev.lattice.testfixtures.SharedCrds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/** The reconcilers of one daemon against a real kube-apiserver, with the Cluster API played by FakeCapi's CRDs. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@SuppressWarnings("unchecked")
class DaemonIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ResourceDefinitionContext CNP = context("cilium.io", "v2", "CiliumNetworkPolicy", "ciliumnetworkpolicies");
    private static final ResourceDefinitionContext AUTHZ =
            context("security.istio.io", "v1", "AuthorizationPolicy", "authorizationpolicies");
    private static final ResourceDefinitionContext MD =
            context("cluster.x-k8s.io", "v1beta1", "MachineDeployment", "machinedeployments");

    private HomeDaemon home;
    private KubernetesClient client;
    private Daemon daemon;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        assumeTrue(SharedCrds.dir().isPresent(), SharedCrds.absence());
        // No resync within the tests: whatever they wait for must come from a watch event, Cluster API objects included.
        home = HomeDaemon.start(true, c -> {
            new FakeCapi(c).installCrds();
            SharedCrds.installMesh(c);
        }, c -> {
            Kube.namespace(c, "shop");
            Kube.applyResource(c, "/daemon/fleet.yaml");
        });
        client = home.client();
        daemon = home.daemon();
    }

    @AfterAll
    void stop() {
        if (home != null) {
            home.close();
        }
    }

    @Test
    @Order(1)
    @DisplayName("services are placed, their status says where, and their compiled objects are applied")
    void placesServicesAndAppliesTheirObjects() {
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(deployment("api")).isNotNull();
            assertThat(deployment("db")).isNotNull();
            Map<String, Object> status = Kube.status(Kube.get(client, Kind.LATTICE_SERVICE, "shop", "api"));
            assertThat(status).containsEntry("cluster", "home").containsEntry("phase", "Scheduled");
            assertThat((List<?>) status.get("conditions")).anySatisfy(c ->
                    assertThat((Map<String, Object>) c).containsEntry("type", "Scheduled").containsEntry("status", "True"));
            assertThat(names(AUTHZ)).anyMatch(n -> n.contains("db"));
            assertThat(names(CNP)).anyMatch(n -> n.contains("db"));
        });
        // The daemon's own pods get their policy too: probes and scrapers on its HTTP port, nothing else in.
        await().atMost(WAIT).until(() -> client.genericKubernetesResources(CNP).inNamespace("lattice-system").withName("lattice-daemon").get(),
                p -> p != null);
        assertThat(deployment("api").getMetadata().getLabels()).containsEntry("lattice.dev/source", "home");
        // Its probe and who it runs as, as the service says; no escalation and only the capability it keeps, always.
        var pod = deployment("api").getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getContainers().get(0).getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ready");
        var security = pod.getContainers().get(0).getSecurityContext();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getRunAsUser()).isEqualTo(10001L);
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(security.getCapabilities().getAdd()).containsExactly("NET_BIND_SERVICE");
        assertThat(deployment("api").getMetadata().getManagedFields()).anyMatch(f -> "lattice".equals(f.getManager()));
    }

    @Test
    @Order(2)
    @DisplayName("the daemon acts on the plan lattice place makes from the same objects, and from the files they came from")
    void actsOnThePlanTheCliMakes() throws Exception {
        String fromFiles;
        try (InputStream in = DaemonIT.class.getResourceAsStream("/daemon/fleet.yaml")) {
            Plan plan = Planner.defaults().plan(Parser.read(List.of("-"), in));
            fromFiles = plan.digest() + " " + plan.objectsDigest();
        }
        await().atMost(WAIT).untilAsserted(() -> {
            // What lattice place --kubeconfig reads, planned the one way every entry point plans.
            Plan plan = Planner.defaults().plan(LiveInputs.read(client));
            String live = plan.digest() + " " + plan.objectsDigest();
            assertThat(daemon.plan()).isEqualTo(live).isEqualTo(fromFiles);
        });
    }

    @Test
    @Order(3)
    @DisplayName("every object the daemon owns says its phase and conditions for the generation it saw")
    void everyOwnedObjectHasAPhaseConditionsAndObservedGeneration() {
        Kube.apply(client, """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeExternalService
                metadata: {name: stripe, namespace: shop}
                spec:
                  endpoints: {api: "https://api.stripe.com:443"}
                  allowed_requesters: [api]
                """);
        await().atMost(WAIT).untilAsserted(() -> {
            java.util.Set<Kind> seen = java.util.EnumSet.noneOf(Kind.class);
            for (Kind kind : Kind.values()) {
                List<GenericKubernetesResource> all = client.genericKubernetesResources(dev.lattice.engine.kube.LiveInputs.context(kind))
                        .inAnyNamespace().list().getItems();
                if (!all.isEmpty()) {
                    seen.add(kind);
                }
                for (GenericKubernetesResource r : all) {
                    Map<String, Object> status = Kube.status(r);
                    String what = kind.kindName() + " " + r.getMetadata().getName();
                    assertThat(status).as(what).containsKey("phase")
                            .containsEntry("observedGeneration", r.getMetadata().getGeneration().intValue());
                    assertThat((List<Map<String, Object>>) status.get("conditions")).as(what).isNotEmpty()
                            .allSatisfy(c -> assertThat(c).containsKeys("type", "status", "reason", "message", "lastTransitionTime"));
                }
            }
            assertThat(seen).contains(Kind.STATIC_POOL, Kind.LATTICE_CLUSTER, Kind.LATTICE_SERVICE, Kind.LATTICE_EXTERNAL_SERVICE);
            assertThat(Kube.status(Kube.get(client, Kind.LATTICE_EXTERNAL_SERVICE, "shop", "stripe"))).containsEntry("phase", "Ready");
        });
    }

    @Test
    @Order(4)
    @DisplayName("a change to a LatticeService reaches its Deployment")
    void aChangeReachesItsObjects() {
        await().atMost(WAIT).until(() -> deployment("api") != null);
        edit(Kind.LATTICE_SERVICE, "shop", "api", spec -> ((Map<String, Object>) ((Map<String, Object>) spec.get("containers"))
                .get("main")).put("image", "shop/api:v2"));
        await().atMost(WAIT).until(() -> "shop/api:v2".equals(deployment("api").getSpec().getTemplate().getSpec().getContainers().get(0).getImage()));
    }

    @Test
    @Order(5)
    @DisplayName("withdrawing the inbound declaration removes the allow rules; the deny baseline stays")
    void aWithdrawnDeclarationRemovesTheAllowRule() {
        await().atMost(WAIT).until(() -> names(AUTHZ).stream().anyMatch(n -> n.contains("db")));
        List<String> before = names(AUTHZ);
        edit(Kind.LATTICE_SERVICE, "shop", "db", spec -> spec.remove("resources"));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(names(AUTHZ)).noneMatch(n -> n.contains("db")).isNotEmpty();
            assertThat(names(CNP)).noneMatch(n -> n.contains("db") && !n.contains("egress"));
        });
        assertThat(before).hasSizeGreaterThan(names(AUTHZ).size());
    }

    @Test
    @Order(6)
    @DisplayName("a deleted service takes its objects with it")
    void aDeletedServiceTakesItsObjects() {
        await().atMost(WAIT).until(() -> deployment("db") != null);
        client.genericKubernetesResources(dev.lattice.engine.kube.LiveInputs.context(Kind.LATTICE_SERVICE)).inNamespace("shop")
                .withName("db").delete();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(deployment("db")).isNull();
            assertThat(client.services().inNamespace("shop").withName("db").get()).isNull();
        });
        assertThat(deployment("api")).isNotNull();
    }

    @Test
    @Order(7)
    @DisplayName("a pool's status accounts for the clusters drawing on it")
    void poolStatusAccountsItsClusters() {
        await().atMost(WAIT).untilAsserted(() -> {
            Map<String, Object> status = Kube.status(Kube.get(client, Kind.STATIC_POOL, null, "lab"));
            // home: 1 control-plane + 2 workers of 4 cores
            assertThat((Map<String, Object>) status.get("used")).containsEntry("cores", 12);
            assertThat((Map<String, Object>) status.get("available")).containsEntry("cores", 52);
            assertThat((List<?>) status.get("allocatedTo")).singleElement()
                    .satisfies(a -> assertThat((Map<String, Object>) a).containsEntry("cluster", "home"));
            assertThat((List<?>) status.get("conditions")).anySatisfy(c ->
                    assertThat((Map<String, Object>) c).containsEntry("type", "CapacityPressure").containsEntry("status", "False")
                            .containsKey("lastTransitionTime"));
        });
    }

    @Test
    @Order(8)
    @DisplayName("a cluster its pool cannot hold is not provisioned and says why")
    void aClusterItsPoolCannotHoldFails() {
        Kube.apply(client, labCluster("huge", 100));
        await().atMost(WAIT).untilAsserted(() -> {
            Map<String, Object> status = Kube.status(Kube.get(client, Kind.LATTICE_CLUSTER, null, "huge"));
            assertThat(status).containsEntry("phase", "Failed");
            assertThat((String) status.get("message")).contains("pool lab cannot hold cluster huge");
            assertThat(status).doesNotContainKey("bootstrapToken");
        });
        client.genericKubernetesResources(dev.lattice.engine.kube.LiveInputs.context(Kind.LATTICE_CLUSTER)).withName("huge").delete();
    }

    @Test
    @Order(9)
    @DisplayName("a cluster that arrives later never pushes out one that holds its allocation, whatever their names")
    void aNewerClusterNeverPushesOutAnOlderOne() {
        Kube.apply(client, labCluster("zzz-older", 10));
        GenericKubernetesResource older = Kube.get(client, Kind.LATTICE_CLUSTER, null, "zzz-older");
        java.time.Instant created = java.time.Instant.parse(older.getMetadata().getCreationTimestamp());
        // Creation times have whole seconds: the newer one must be created in a later one.
        await().atMost(WAIT).until(() -> java.time.Instant.now().getEpochSecond() > created.getEpochSecond());
        Kube.apply(client, labCluster("aaa-newer", 10));
        await().atMost(WAIT).untilAsserted(() -> {
            Map<String, Object> newer = Kube.status(Kube.get(client, Kind.LATTICE_CLUSTER, null, "aaa-newer"));
            assertThat(newer).containsEntry("phase", "Failed");
            assertThat((String) newer.get("message")).contains("pool lab cannot hold cluster aaa-newer");
            assertThat(Kube.status(Kube.get(client, Kind.LATTICE_CLUSTER, null, "zzz-older"))).containsEntry("phase", "Pending");
        });
        // This cluster serves no children (no parentConfig): it hands out no token, and makes no Secret for one.
        assertThat(Kube.status(Kube.get(client, Kind.LATTICE_CLUSTER, null, "zzz-older")))
                .doesNotContainKeys("bootstrapToken", dev.lattice.core.status.ClusterStatus.TOKEN_HASH);
        assertThat(client.namespaces().withName(ClusterRenderer.namespaceOf("zzz-older")).get()).isNull();
        for (String name : List.of("aaa-newer", "zzz-older")) {
            client.genericKubernetesResources(dev.lattice.engine.kube.LiveInputs.context(Kind.LATTICE_CLUSTER)).withName(name).delete();
        }
    }

    /** A child cluster on the pool lab: one control-plane node and {@code workers} workers of 4 cores each. */
    private static String labCluster(String name, int workers) {
        return """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: NAME}
                spec:
                  pool: lab
                  nodes:
                    controlPlane: {replicas: 1, instanceType: small}
                    workerPools:
                      general: {replicas: WORKERS, instanceType: small}
                """.replace("NAME", name).replace("WORKERS", String.valueOf(workers));
    }

    @Test
    @Order(10)
    @DisplayName("scaling a worker pool is editing the LatticeCluster: its MachineDeployment follows, status from CAPI")
    void scalingAPoolEditsItsMachineDeployment() {
        String ns = ClusterRenderer.namespaceOf("home");
        Kube.namespace(client, ns);
        Kube.apply(client, """
                apiVersion: cluster.x-k8s.io/v1beta1
                kind: Cluster
                metadata: {name: home, namespace: %1$s}
                spec:
                  controlPlaneEndpoint: {host: 10.0.0.10, port: 6443}
                  controlPlaneRef: {apiVersion: controlplane.cluster.x-k8s.io/v1beta1, kind: KubeadmControlPlane, name: home-control-plane}
                ---
                apiVersion: controlplane.cluster.x-k8s.io/v1beta1
                kind: KubeadmControlPlane
                metadata: {name: home-control-plane, namespace: %1$s}
                spec: {replicas: 1}
                ---
                apiVersion: cluster.x-k8s.io/v1beta1
                kind: MachineDeployment
                metadata:
                  name: home-general
                  namespace: %1$s
                  labels: {cluster.x-k8s.io/cluster-name: home, lattice.dev/worker-pool: general}
                spec: {clusterName: home, replicas: 2}
                """.formatted(ns));
        setStatus(context("controlplane.cluster.x-k8s.io", "v1beta1", "KubeadmControlPlane", "kubeadmcontrolplanes"), ns,
                "home-control-plane", Map.of("readyReplicas", 1, "replicas", 1));
        setStatus(MD, ns, "home-general", Map.of("replicas", 2, "readyReplicas", 2));
        edit(Kind.LATTICE_CLUSTER, null, "home", spec -> ((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) spec
                .get("nodes")).get("workerPools")).get("general")).put("replicas", 3));
        await().atMost(WAIT).untilAsserted(() -> {
            GenericKubernetesResource md = client.genericKubernetesResources(MD).inNamespace(ns).withName("home-general").get();
            assertThat(((Map<String, Object>) md.getAdditionalProperties().get("spec")).get("replicas")).isEqualTo(3);
            Map<String, Object> status = Kube.status(Kube.get(client, Kind.LATTICE_CLUSTER, null, "home"));
            assertThat(status).containsEntry("readyControlPlane", 1).containsEntry("readyWorkers", 2)
                    .containsEntry("endpoint", "https://10.0.0.10:6443");
            assertThat((Map<String, Object>) ((Map<String, Object>) status.get("workerPools")).get("general"))
                    .containsEntry("desiredReplicas", 3).containsEntry("readyReplicas", 2);
            assertThat((List<?>) status.get("conditions")).anySatisfy(c ->
                    assertThat((Map<String, Object>) c).containsEntry("type", "Ready").containsEntry("status", "False")
                            .containsEntry("reason", "NodesNotReady"));
        });
    }

    @Test
    @Order(11)
    @DisplayName("a worker pool added to the spec gets its MachineDeployment; one removed loses it")
    void addingAndRemovingAWorkerPoolReshapesTheCluster() {
        String ns = ClusterRenderer.namespaceOf("home");
        ResourceDefinitionContext templates = context("infrastructure.cluster.x-k8s.io", "v1beta1", "DockerMachineTemplate",
                "dockermachinetemplates");
        ResourceDefinitionContext configs = context("bootstrap.cluster.x-k8s.io", "v1beta1", "KubeadmConfigTemplate",
                "kubeadmconfigtemplates");
        edit(Kind.LATTICE_CLUSTER, null, "home", spec -> ((Map<String, Object>) ((Map<String, Object>) spec.get("nodes"))
                .get("workerPools")).put("batch", Map.of("min", 1, "max", 3, "instanceType", "small")));
        await().atMost(WAIT).untilAsserted(() -> {
            GenericKubernetesResource md = client.genericKubernetesResources(MD).inNamespace(ns).withName("home-batch").get();
            assertThat(md).isNotNull();
            assertThat(md.getMetadata().getAnnotations()).containsEntry(ClusterRenderer.AUTOSCALER_MIN, "1")
                    .containsEntry(ClusterRenderer.AUTOSCALER_MAX, "3");
            assertThat(client.genericKubernetesResources(templates).inNamespace(ns).withName("home-batch").get()).isNotNull();
            assertThat(client.genericKubernetesResources(configs).inNamespace(ns).withName("home-batch").get()).isNotNull();
        });
        edit(Kind.LATTICE_CLUSTER, null, "home", spec -> ((Map<String, Object>) ((Map<String, Object>) spec.get("nodes"))
                .get("workerPools")).remove("batch"));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(client.genericKubernetesResources(MD).inNamespace(ns).withName("home-batch").get()).isNull();
            assertThat(client.genericKubernetesResources(templates).inNamespace(ns).withName("home-batch").get()).isNull();
            assertThat(client.genericKubernetesResources(configs).inNamespace(ns).withName("home-batch").get()).isNull();
            assertThat(client.genericKubernetesResources(MD).inNamespace(ns).withName("home-general").get())
                    .as("the pool still in the spec keeps its MachineDeployment").isNotNull();
        });
    }

    @Test
    @Order(12)
    @DisplayName("health, readiness and Prometheus metrics are served")
    void servesHealthAndMetrics() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + daemon.httpPort();
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
        String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("lattice_reconcile_total{controller=\"services\",result=\"success\"}").contains("lattice_leader 1").contains("lattice_events_dropped_total ");
        // What the monitoring add-on's agent scrapes of placement: how many services the last plan placed, and not.
        java.util.regex.Matcher placed = java.util.regex.Pattern.compile("(?m)^lattice_services_placed (\\S+)$").matcher(metrics);
        assertThat(placed.find()).as(metrics).isTrue();
        assertThat(Double.parseDouble(placed.group(1))).isPositive();
        assertThat(metrics).containsPattern("(?m)^lattice_services_unplaced \\S+$");

        // Clients that connect and stall (from other addresses: one may hold only a few) never keep a probe waiting.
        List<java.net.Socket> stalled = new java.util.ArrayList<>();
        try {
            for (int source = 2; source < 6; source++) {
                for (int i = 0; i < 5; i++) {
                    java.net.Socket socket = new java.net.Socket();
                    socket.bind(new java.net.InetSocketAddress(java.net.InetAddress.getByName("127.0.0." + source), 0));
                    socket.connect(new java.net.InetSocketAddress("127.0.0.1", daemon.httpPort()), 5000);
                    socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    stalled.add(socket);
                }
            }
            HttpClient probe = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThat(probe.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        } finally {
            for (java.net.Socket socket : stalled) {
                socket.close();
            }
        }
    }

    @Test
    @Order(15)
    @DisplayName("with two replicas only the Lease holder reconciles; when it stops, the other takes over")
    void onlyTheLeaderReconciles() throws Exception {
        try (Daemon standby = new Daemon(Kube.options("home", "replica-b", true, null, null), Kube.asDaemon(client, "home"))) {
            standby.start();
            HttpClient http = HttpClient.newHttpClient();
            URI metrics = URI.create("http://127.0.0.1:" + standby.httpPort() + "/metrics");
            await().atMost(WAIT).until(() -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + standby.httpPort()
                    + "/readyz")).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            Thread.sleep(3000); // several of the Lease's retry periods
            assertThat(daemon.isLeader()).isTrue();
            assertThat(standby.isLeader()).isFalse();
            assertThat(http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .doesNotContain("lattice_reconcile_total{").contains("lattice_leader 0");

            home.stopDaemon(); // gives up the Lease
            daemon = null;
            await().atMost(WAIT).until(standby::isLeader);
            Kube.apply(client, """
                    apiVersion: lattice.dev/v1alpha1
                    kind: LatticeService
                    metadata: {name: late, namespace: shop}
                    spec:
                      containers:
                        main: {image: shop/late:v1}
                    """);
            await().atMost(WAIT).until(() -> deployment("late") != null);
        }
    }

    private Deployment deployment(String name) {
        return client.apps().deployments().inNamespace("shop").withName(name).get();
    }

    @Test
    @Order(14)
    @DisplayName("a parent's endpoints are exposed as parentConfig.service says, and no longer once it is not a parent")
    void aParentsEndpointsGetTheServiceItsSpecAsksFor() {
        var clusters = client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName("home");
        int agent = Kube.freePort();
        int bootstrap = Kube.freePort();
        var service = client.services().inNamespace("lattice-system").withName(DaemonManifests.PARENT_SERVICE);
        try {
            clusters.patch(PatchContext.of(PatchType.JSON_MERGE), ("{\"spec\": {\"parentConfig\": {\"host\": \"127.0.0.1\", \"grpcPort\": %d, "
                    + "\"bootstrapPort\": %d, \"service\": {\"type\": \"NodePort\"}}}}").formatted(agent, bootstrap));
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(service.get()).isNotNull();
                assertThat(service.get().getSpec().getType()).isEqualTo("NodePort");
                assertThat(service.get().getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getTargetPort().getIntVal())
                        .containsExactly("agent:" + agent, "bootstrap:" + bootstrap, "proxy:" + daemon.parentEndpoints().proxy().port());
                // and the daemon's policy lets children in on those ports, and users on the proxy's (the spec's, 8081).
                assertThat(client.genericKubernetesResources(CNP).inNamespace("lattice-system").withName("lattice-daemon").get()
                        .getAdditionalProperties().get("spec").toString()).contains("port=" + agent, "port=" + bootstrap, "port=8081", "all");
            });
        } finally {
            clusters.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": {\"parentConfig\": null}}");
        }
        await().atMost(WAIT).until(() -> service.get() == null);
    }

    @Test
    @Order(16)
    @DisplayName("the daemon ran on the RBAC lattice install renders, which keeps Secrets to Lattice's namespaces")
    void theDaemonsRolesKeepSecretsToLatticesNamespaces() {
        // Every test above ran the daemon as its ServiceAccount with the rendered roles (Kube.asDaemon); here, what
        // those roles refuse.
        try (KubernetesClient asDaemon = Kube.asDaemon(client, "home")) {
            Kube.namespace(client, "elsewhere");
            client.secrets().inNamespace("elsewhere").resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata()
                    .withName("not-lattices").endMetadata().addToStringData("k", "v").build()).create();
            assertThat(forbidden(() -> asDaemon.secrets().inNamespace("elsewhere").withName("not-lattices").get())).isTrue();
            assertThat(forbidden(() -> asDaemon.secrets().inAnyNamespace().list())).isTrue();
            assertThat(forbidden(() -> asDaemon.secrets().inNamespace("lattice-system").list())).isFalse();
            assertThat(forbidden(() -> asDaemon.secrets().inNamespace(ClusterRenderer.namespaceOf("home")).list())).isFalse();
            // It may bind its Secrets role only, never a role it does not hold.
            var admin = new io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder().withNewMetadata().withName("grab")
                    .withNamespace("elsewhere").endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "cluster-admin")
                    .addNewSubject().withKind("ServiceAccount").withName("lattice-daemon").withNamespace("lattice-system").endSubject().build();
            assertThat(forbidden(() -> asDaemon.rbac().roleBindings().inNamespace("elsewhere").resource(admin).create())).isTrue();
            var clusterAdmin = new io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder().withNewMetadata().withName("grab")
                    .endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "cluster-admin")
                    .addNewSubject().withKind("ServiceAccount").withName("lattice-daemon").withNamespace("lattice-system").endSubject().build();
            assertThat(forbidden(() -> asDaemon.rbac().clusterRoleBindings().resource(clusterAdmin).create())).isTrue();
            // It writes the add-ons' own roles (by name), and no other role that grants what it does not hold.
            var secrets = new io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder().withNewMetadata().withName("grab").endMetadata()
                    .addNewRule().withApiGroups("").withResources("secrets").withVerbs("get", "list").endRule().build();
            assertThat(forbidden(() -> asDaemon.rbac().clusterRoles().resource(secrets).create())).isTrue();
        }
    }

    @Test
    @Order(13)
    @DisplayName("a service placed on a cluster this daemon cannot reach says so, in its status and in a warning Event")
    void aServiceOnAClusterOutOfReachSaysSo() {
        // A cluster of the pool that this daemon neither is nor provisions (it serves no children): nothing reports for it.
        Kube.apply(client, labCluster("far", 1));
        Kube.apply(client, """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeService
                metadata: {name: remote, namespace: shop}
                spec:
                  containers:
                    main: {image: shop/remote:v1}
                  requirements: {placement: "cluster.name == 'far'"}
                """);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(Kube.status(Kube.get(client, Kind.LATTICE_SERVICE, "shop", "remote"))).containsEntry("cluster", "far");
            assertThat(Kube.condition(client, Kind.LATTICE_SERVICE, "shop", "remote", "Ready")).containsEntry("status", "Unknown")
                    .containsEntry("reason", "Unreachable");
        });
        String uid = Kube.get(client, Kind.LATTICE_SERVICE, "shop", "remote").getMetadata().getUid();
        // What kubectl describe lists under the service: its events, found by its uid.
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.v1().events().inNamespace("shop").withField("involvedObject.uid", uid)
                .list().getItems()).anySatisfy(e -> {
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getReason()).isEqualTo("Unreachable");
                    assertThat(e.getMessage()).contains("far");
                    assertThat(e.getSource().getComponent()).isEqualTo("lattice-daemon");
                    // kubectl describe selects them by the object's kind, name and namespace as well as its uid.
                    assertThat(e.getInvolvedObject().getKind()).isEqualTo("LatticeService");
                    assertThat(e.getInvolvedObject().getApiVersion()).isEqualTo("lattice.dev/v1alpha1");
                    assertThat(e.getInvolvedObject().getName()).isEqualTo("remote");
                }).anySatisfy(e -> {
                    assertThat(e.getType()).isEqualTo("Normal");
                    assertThat(e.getReason()).isEqualTo("Placed");
                    assertThat(e.getMessage()).contains("Placed on far");
                }));
        assertThat(deployment("remote")).as("nothing of it applied here").isNull();
        client.genericKubernetesResources(dev.lattice.engine.kube.LiveInputs.context(Kind.LATTICE_SERVICE)).inNamespace("shop")
                .withName("remote").delete();
        client.genericKubernetesResources(dev.lattice.engine.kube.LiveInputs.context(Kind.LATTICE_CLUSTER)).withName("far").delete();
    }

    private static boolean forbidden(Runnable call) {
        try {
            call.run();
            return false;
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (e.getCode() == 403) {
                return true;
            }
            throw e;
        }
    }

    private List<String> names(ResourceDefinitionContext kind) {
        return client.genericKubernetesResources(kind).inNamespace("shop").list().getItems().stream()
                .map(r -> r.getMetadata().getName()).toList();
    }

    @SuppressWarnings("unchecked")
    private void edit(Kind kind, String namespace, String name, java.util.function.Consumer<Map<String, Object>> change) {
        var resources = client.genericKubernetesResources(dev.lattice.engine.kube.LiveInputs.context(kind));
        // The daemon writes the status meanwhile, which moves the resourceVersion on: read, change and write again.
        await().atMost(WAIT).ignoreExceptionsMatching(e -> e instanceof io.fabric8.kubernetes.client.KubernetesClientException k
                && k.getCode() == 409).until(() -> {
                    (kind.namespaced() ? resources.inNamespace(namespace) : resources).withName(name).edit(r -> {
                        change.accept((Map<String, Object>) r.getAdditionalProperties().get("spec"));
                        return r;
                    });
                    return true;
                });
    }

    /** As a Cluster API controller would: the daemon edits the same objects at once, so read and write again on a conflict. */
    private void setStatus(ResourceDefinitionContext kind, String namespace, String name, Map<String, Object> status) {
        await().atMost(WAIT).ignoreExceptionsMatching(e -> e instanceof io.fabric8.kubernetes.client.KubernetesClientException k
                && k.getCode() == 409).until(() -> {
                    GenericKubernetesResource r = client.genericKubernetesResources(kind).inNamespace(namespace).withName(name).get();
                    r.setAdditionalProperty("status", status);
                    client.genericKubernetesResources(kind).inNamespace(namespace).resource(r).updateStatus();
                    return true;
                });
    }

    private static ResourceDefinitionContext context(String group, String version, String kind, String plural) {
        return dev.lattice.engine.kube.LiveInputs.context(group + "/" + version, kind, plural, true);
    }
}
