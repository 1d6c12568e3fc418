package dev.lattice.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.install.BootstrapTokens;
import dev.lattice.core.install.DaemonManifests;
import dev.lattice.core.status.ClusterStatus;
import dev.lattice.core.model.Kind;
import dev.lattice.daemon.agent.ParentCredentials;
import dev.lattice.daemon.agent.ParentEndpoints;
import dev.lattice.daemon.runtime.Daemon;
import dev.lattice.engine.crypto.Crypto;
import dev.lattice.engine.install.ChildProvisioning;
import dev.lattice.testfixtures.Envtest;
import dev.lattice.testfixtures.SharedCrds;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A parent and a child daemon, each with its own kube-apiserver, over real loopback gRPC with mutual TLS: the child
 * registers with its one-time token, its heartbeats reach the parent's childrenHealth, a service the parent places on
 * the child is applied there, the child keeps working while the parent is down and reconnects when it returns, and a
 * wrong or reused token gets nothing.
 */
@SuppressWarnings("unchecked")
class AgentIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String FLEET = Kube.family("child", 1);
    private static final String WEB = """
            apiVersion: lattice.dev/v1alpha1
            kind: LatticeService
            metadata: {name: web, namespace: shop}
            spec:
              containers:
                main: {image: shop/web:%s}
              requirements:
                placement: "cluster.name == 'child'"
            """;

    @Test
    void aChildRegistersReportsAndKeepsWorkingWithoutItsParent() throws Exception {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        assumeTrue(SharedCrds.dir().isPresent(), SharedCrds.absence());
        int agentPort = Kube.freePort();
        int bootstrapPort = Kube.freePort();
        try (Envtest parentApi = Envtest.start(); Envtest childApi = Envtest.start()) {
            KubernetesClient parent = parentApi.client();
            KubernetesClient child = childApi.client();

            Parent family = startParent(parent, agentPort, bootstrapPort);
            Daemon parentDaemon = family.daemon();
            String token = family.token();
            String caPem = family.caPem();
            // Its endpoints are exposed as parentConfig.service says (LoadBalancer by default), to the leading replica only.
            io.fabric8.kubernetes.api.model.Service exposed = await().atMost(WAIT).until(() -> parent.services()
                    .inNamespace("lattice-system").withName(DaemonManifests.PARENT_SERVICE).get(), s -> s != null);
            assertThat(exposed.getSpec().getType()).isEqualTo("LoadBalancer");
            assertThat(exposed.getSpec().getSelector()).containsEntry(DaemonManifests.LEADER_LABEL, "true");
            assertThat(exposed.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort())
                    .containsExactly("agent:" + agentPort, "bootstrap:" + bootstrapPort,
                            "proxy:" + parentDaemon.parentEndpoints().proxy().port());

            try (Daemon childDaemon = startChild(child, agentPort, bootstrapPort, family)) {
                awaitRegistered(parent, child);

                // The service the parent placed on the child is applied there, and follows changes.
                await().atMost(WAIT).until(() -> image(child, "web"), "shop/web:v1"::equals);
                assertThat(Kube.status(Kube.get(parent, Kind.LATTICE_SERVICE, "shop", "web"))).containsEntry("cluster", "child");
                // The child serves no Cilium policies yet (Cilium reaches a real child by ClusterResourceSet; its own daemon
                // installs Istio): those policies wait, and the service's status on the parent says so.
                await().atMost(WAIT).untilAsserted(() -> assertThat(conditions(parent, "web")).containsEntry("WorkloadApplied", "True/Applied")
                        .containsEntry("PoliciesApplied", "False/WaitingForKind").containsEntry("Ready", "False/NotApplied"));
                // Once the child serves them, they follow without a restart, and the service is Ready.
                SharedCrds.install(child, "cilium/ciliumnetworkpolicies.cilium.io.yaml");
                await().atMost(WAIT).untilAsserted(() -> assertThat(conditions(parent, "web"))
                        .containsEntry("PoliciesApplied", "True/Applied").containsEntry("Ready", "True/Applied"));
                assertThat(parent.apps().deployments().inNamespace("shop").withName("web").get()).isNull();
                Kube.apply(parent, WEB.formatted("v2"));
                await().atMost(WAIT).until(() -> image(child, "web"), "shop/web:v2"::equals);

                // A wrong token, and the used one, get nothing.
                HttpClient https = HttpClient.newBuilder().sslContext(Kube.trusting(caPem)).build();
                assertThat(bootstrap(https, bootstrapPort, "child", "not-the-token")).isEqualTo(403);
                assertThat(bootstrap(https, bootstrapPort, "child", token)).isEqualTo(403);

                // The parent goes away: the child keeps reconciling its own services.
                parentDaemon.close();
                await().atMost(WAIT).until(() -> !childDaemon.agent().connected());
                Kube.namespace(child, "home");
                Kube.apply(child, """
                        apiVersion: lattice.dev/v1alpha1
                        kind: LatticeService
                        metadata: {name: local, namespace: home}
                        spec:
                          containers:
                            main: {image: home/local:v1}
                        """);
                await().atMost(WAIT).until(() -> child.apps().deployments().inNamespace("home").withName("local").get() != null);
                assertThat(image(child, "web")).isEqualTo("shop/web:v2"); // what the parent placed stays

                // The parent returns on the same ports: the child reconnects with its certificate, no token needed.
                Instant back = Instant.now();
                try (Daemon returned = new Daemon(Kube.options("parent", "parent-a", true, agentPort, bootstrapPort), Kube.asDaemon(parent, "parent"))) {
                    returned.start();
                    await().atMost(WAIT).untilAsserted(() -> {
                        assertThat(childDaemon.agent().connected()).isTrue();
                        Map<String, Object> health = childHealth(parent);
                        assertThat(health).containsEntry("agentState", "Ready");
                        assertThat(Instant.parse((String) health.get("lastHeartbeat"))).isAfterOrEqualTo(back.minusSeconds(1));
                    });
                    assertThat(child.apps().deployments().inNamespace("home").withName("local").get()).isNotNull();
                }
            }
        }
    }

    /**
     * The parent's proxy port serves the child's API to whom the parent's RBAC allows it, over the agent stream: kubectl
     * works through it, each verb needs its own grant, a watch streams and ends in the child once its caller has gone, and
     * a child that is not connected is said to be so.
     */
    @Test
    void aParentServesItsChildsApiToWhomItsRbacAllows() throws Exception {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        assumeTrue(SharedCrds.dir().isPresent(), SharedCrds.absence());
        int agentPort = Kube.freePort();
        int bootstrapPort = Kube.freePort();
        try (Envtest parentApi = Envtest.start(); Envtest childApi = Envtest.start()) {
            KubernetesClient parent = parentApi.client();
            KubernetesClient child = childApi.client();
            Parent family = startParent(parent, agentPort, bootstrapPort);
            try (Daemon parentDaemon = family.daemon(); Daemon childDaemon = startChild(child, agentPort, bootstrapPort, family)) {
                awaitRegistered(parent, child);
                String base = "https://127.0.0.1:" + parentDaemon.parentEndpoints().proxy().port() + "/clusters/child";
                HttpClient https = HttpClient.newBuilder().sslContext(Kube.trusting(family.caPem())).build();
                Kube.namespace(child, "only-in-child");
                parent.serviceAccounts().inNamespace("default").resource(new ServiceAccountBuilder().withNewMetadata().withName("alice")
                        .endMetadata().build()).create();
                String alice = parent.serviceAccounts().inNamespace("default").withName("alice")
                        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
                        .getStatus().getToken();

                // Who shows no token, or one the parent does not know, or has no grant, gets nothing.
                assertThat(send(https, "GET", base + "/api/v1/namespaces", null, null).statusCode()).isEqualTo(401);
                assertThat(send(https, "GET", base + "/api/v1/namespaces", "not-a-token", null).statusCode()).isEqualTo(401);
                HttpResponse<String> refused = send(https, "GET", base + "/api/v1/namespaces", alice, null);
                assertThat(refused.statusCode()).isEqualTo(403);
                assertThat(refused.body()).contains("\"kind\":\"Status\"", "cannot get resource \\\"latticeclusters/proxy\\\"");

                // `get` on the child's proxy: reads, with kubectl as a user would.
                grant(parent, "alice", "get");
                await().atMost(WAIT).until(() -> send(https, "GET", base + "/api/v1/namespaces/only-in-child", alice, null).statusCode() == 200);
                Path ca = Files.createTempFile("parent-ca", ".crt");
                Files.writeString(ca, family.caPem());
                Envtest.Kubectl read = childApi.kubectl("", "--server", base, "--certificate-authority", ca.toString(), "--token", alice,
                        "get", "namespace", "only-in-child", "-o", "name");
                assertThat(read.exitCode()).as(read.output()).isZero();
                assertThat(read.output().strip()).isEqualTo("namespace/only-in-child");

                // Writes need their own verb; with it, the child's daemon makes the object there.
                String configMap = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"from-parent\"},\"data\":{\"k\":\"v\"}}";
                String configMaps = base + "/api/v1/namespaces/lattice-system/configmaps";
                assertThat(send(https, "POST", configMaps, alice, configMap).statusCode()).isEqualTo(403);
                grant(parent, "alice", "create");
                await().atMost(WAIT).until(() -> send(https, "POST", configMaps, alice, configMap).statusCode() == 201);
                assertThat(child.configMaps().inNamespace("lattice-system").withName("from-parent").get().getData()).containsEntry("k", "v");
                // Nothing outside the Kubernetes API, and no upgraded connections.
                assertThat(send(https, "GET", base + "/metrics", alice, null).statusCode()).isEqualTo(404);
                assertThat(send(https, "GET", base + "/api/v1/../../metrics", alice, null).statusCode()).isIn(400, 404);

                // A watch streams as the child's API server sends, and ends there when its caller goes.
                double watchesBefore = configMapWatches(child);
                java.net.http.HttpClient streaming = HttpClient.newBuilder().sslContext(Kube.trusting(family.caPem())).build();
                HttpResponse<java.io.InputStream> watch = streaming.send(HttpRequest.newBuilder(URI.create(configMaps
                                + "?watch=true&fieldSelector=metadata.name%3Dwatched")).header("Authorization", "Bearer " + alice).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertThat(watch.statusCode()).isEqualTo(200);
                await().atMost(WAIT).until(() -> configMapWatches(child) == watchesBefore + 1);
                child.configMaps().inNamespace("lattice-system").resource(new ConfigMapBuilder().withNewMetadata().withName("watched")
                        .endMetadata().build()).create();
                java.io.BufferedReader events = new java.io.BufferedReader(new java.io.InputStreamReader(watch.body(),
                        java.nio.charset.StandardCharsets.UTF_8));
                String event = events.readLine();
                assertThat(event).contains("\"type\":\"ADDED\"", "\"name\":\"watched\"");
                watch.body().close();
                // The parent notices when its writes fail that no one reads (TCP lets the first write after a close
                // through): the child's watch ends.
                int[] edits = {0};
                await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
                    child.configMaps().inNamespace("lattice-system").withName("watched")
                            .edit(c -> new ConfigMapBuilder(c).addToData("edit", String.valueOf(++edits[0])).build());
                    return configMapWatches(child) == watchesBefore;
                });
                assertThat(edits[0]).as("events written after the caller went").isLessThan(10);

                // The child goes away: its API is not reachable through here until it is back.
                childDaemon.close();
                await().atMost(WAIT).until(() -> !parentDaemon.parentEndpoints().agents().connected().contains("child"));
                HttpResponse<String> away = send(https, "GET", base + "/api/v1/namespaces", alice, null);
                assertThat(away.statusCode()).isEqualTo(503);
                assertThat(away.body()).contains("not connected");
                // Nor can anyone here say whether the service placed there is in place.
                await().atMost(WAIT).untilAsserted(() -> assertThat(conditions(parent, "web")).containsEntry("Ready", "Unknown/NotReported")
                        .doesNotContainKeys("WorkloadApplied", "PoliciesApplied"));
            }
        }
    }

    /** Grants the parent's ServiceAccount {@code user} {@code verb} on the child's proxy, and nothing else. */
    private static void grant(KubernetesClient parent, String user, String verb) {
        String name = "child-proxy-" + verb;
        parent.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName(name).endMetadata()
                .addNewRule().withApiGroups(Kind.GROUP).withResources("latticeclusters/proxy").withResourceNames("child").withVerbs(verb)
                .endRule().build()).create();
        parent.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", name)
                .addNewSubject().withKind("ServiceAccount").withName(user).withNamespace("default").endSubject().build()).create();
    }

    private static HttpResponse<String> send(HttpClient https, String method, String url, String token, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).method(method,
                json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        return https.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The watches of ConfigMaps the child's API server is serving, from its own metrics. */
    private static double configMapWatches(KubernetesClient child) {
        return child.raw("/metrics").lines()
                .filter(l -> l.startsWith("apiserver_longrunning_requests{") && l.contains("resource=\"configmaps\"") && l.contains("verb=\"WATCH\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** A parent daemon serving children, with what its child needs to register: its one-time token and the CA. */
    private record Parent(Daemon daemon, String token, String caPem) {
    }

    /** Starts the parent's daemon with the family's pool and clusters, and waits until it serves children. */
    private static Parent startParent(KubernetesClient parent, int agentPort, int bootstrapPort) throws IOException {
        Daemon parentDaemon = new Daemon(Kube.options("parent", "parent-a", true, agentPort, bootstrapPort), Kube.asDaemon(parent, "parent"));
        parentDaemon.start();
        Kube.namespace(parent, "shop");
        Kube.apply(parent, FLEET);
        Kube.apply(parent, WEB.formatted("v1"));
        // The child's token is in the Secret its machines read it from; its status keeps only the hash.
        Secret tokenSecret = await().atMost(WAIT).until(() -> parent.secrets().inNamespace(ClusterRenderer.namespaceOf("child"))
                .withName(ChildProvisioning.tokenSecret("child")).get(), s -> s != null);
        String token = Kube.decode(tokenSecret.getData().get(ChildProvisioning.TOKEN_KEY));
        await().atMost(WAIT).until(() -> Kube.status(Kube.get(parent, Kind.LATTICE_CLUSTER, null, "child")).get(ClusterStatus.TOKEN_HASH),
                BootstrapTokens.hash(token)::equals);
        Secret ca = await().atMost(WAIT).until(() -> parent.secrets().inNamespace("lattice-system")
                .withName(ParentEndpoints.CA_SECRET).get(), s -> s != null);
        await().atMost(WAIT).until(() -> parentDaemon.parentEndpoints() != null && parentDaemon.parentEndpoints().agents() != null);
        return new Parent(parentDaemon, token, Kube.decode(ca.getData().get("tls.crt")));
    }

    /** Starts the child's daemon with its pool, itself and the Secret that says where its parent is. */
    private static Daemon startChild(KubernetesClient child, int agentPort, int bootstrapPort, Parent parent) throws IOException {
        Daemon childDaemon = new Daemon(Kube.options("child", "child-a", true, null, null), Kube.asDaemon(child, "child"));
        childDaemon.start();
        String[] docs = FLEET.split("---\n");
        Kube.apply(child, docs[0] + "---\n" + docs[2]); // its pool and itself
        child.secrets().inNamespace("lattice-system").resource(new SecretBuilder().withNewMetadata()
                .withName(ParentCredentials.SECRET).withNamespace("lattice-system").endMetadata()
                .addToStringData("host", "127.0.0.1").addToStringData("grpcPort", String.valueOf(agentPort))
                .addToStringData("bootstrapPort", String.valueOf(bootstrapPort)).addToStringData("ca.crt", parent.caPem())
                .addToStringData("token", parent.token()).build()).create();
        return childDaemon;
    }

    /** Waits until the child has registered: the token is used up, the certificate kept, heartbeats in the parent's status. */
    private static void awaitRegistered(KubernetesClient parent, KubernetesClient child) {
        await().atMost(WAIT).untilAsserted(() -> {
            Map<String, Object> health = childHealth(parent);
            assertThat(health).containsEntry("agentState", "Ready").containsKey("lastHeartbeat");
            Map<String, Object> childStatus = Kube.status(Kube.get(parent, Kind.LATTICE_CLUSTER, null, "child"));
            assertThat(childStatus).containsEntry("bootstrapComplete", true)
                    .doesNotContainKeys("bootstrapToken", ClusterStatus.TOKEN_HASH, ClusterStatus.TOKEN_EXPIRES);
            // The stream runs in FIPS mode (every daemon test does): TLS 1.3 with an AES-GCM suite, as both ends negotiated.
            assertThat((List<?>) childStatus.get("conditions")).anySatisfy(c -> assertThat((Map<String, Object>) c)
                    .containsEntry("type", "AgentConnected").containsEntry("status", "True")
                    .hasEntrySatisfying("message", m -> assertThat((String) m).matches(".* over TLSv1\\.3 TLS_AES_(128|256)_GCM_SHA(256|384)")));
        });
        assertThat(Crypto.fips()).isTrue();
        Secret kept = child.secrets().inNamespace("lattice-system").withName(ParentCredentials.SECRET).get();
        assertThat(kept.getData()).containsKeys("tls.crt", "tls.key").doesNotContainKey("token");
    }

    /** The service's conditions on the parent, each as STATUS/REASON by type. */
    private static Map<String, String> conditions(KubernetesClient parent, String service) {
        List<Map<String, Object>> conditions = (List<Map<String, Object>>) Kube.status(Kube.get(parent, Kind.LATTICE_SERVICE, "shop", service))
                .getOrDefault("conditions", List.of());
        Map<String, String> out = new java.util.TreeMap<>();
        conditions.forEach(c -> out.put((String) c.get("type"), c.get("status") + "/" + c.get("reason")));
        return out;
    }

    private static Map<String, Object> childHealth(KubernetesClient parent) {
        List<Map<String, Object>> health = (List<Map<String, Object>>) Kube.status(Kube.get(parent, Kind.LATTICE_CLUSTER, null, "parent"))
                .get("childrenHealth");
        assertThat(health).isNotNull().hasSize(1);
        assertThat(health.get(0)).containsEntry("name", "child");
        return health.get(0);
    }

    private static String image(KubernetesClient client, String name) {
        Deployment d = client.apps().deployments().inNamespace("shop").withName(name).get();
        return d == null ? null : d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    private static int bootstrap(HttpClient https, int port, String cluster, String token) throws Exception {
        String body = new ObjectMapper().writeValueAsString(Map.of("cluster", cluster, "token", token,
                "csr", dev.lattice.daemon.agent.Pki.signingRequest(cluster).csrPem()));
        return https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/v1/bootstrap"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
