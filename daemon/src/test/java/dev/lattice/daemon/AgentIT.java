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
import dev.lattice.engine.install.ChildProvisioning;
import dev.lattice.testfixtures.Envtest;
import dev.lattice.testfixtures.SharedCrds;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
            SharedCrds.installMesh(child);

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
            String caPem = Kube.decode(ca.getData().get("tls.crt"));
            await().atMost(WAIT).until(() -> parentDaemon.parentEndpoints() != null && parentDaemon.parentEndpoints().agents() != null);
            // Its endpoints are exposed as parentConfig.service says (LoadBalancer by default), to the leading replica only.
            io.fabric8.kubernetes.api.model.Service exposed = await().atMost(WAIT).until(() -> parent.services()
                    .inNamespace("lattice-system").withName(DaemonManifests.PARENT_SERVICE).get(), s -> s != null);
            assertThat(exposed.getSpec().getType()).isEqualTo("LoadBalancer");
            assertThat(exposed.getSpec().getSelector()).containsEntry(DaemonManifests.LEADER_LABEL, "true");
            assertThat(exposed.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort())
                    .containsExactly("agent:" + agentPort, "bootstrap:" + bootstrapPort);

            try (Daemon childDaemon = new Daemon(Kube.options("child", "child-a", true, null, null), Kube.asDaemon(child, "child"))) {
                childDaemon.start();
                String[] docs = FLEET.split("---\n");
                Kube.apply(child, docs[0] + "---\n" + docs[2]); // its pool and itself
                child.secrets().inNamespace("lattice-system").resource(new SecretBuilder().withNewMetadata()
                        .withName(ParentCredentials.SECRET).withNamespace("lattice-system").endMetadata()
                        .addToStringData("host", "127.0.0.1").addToStringData("grpcPort", String.valueOf(agentPort))
                        .addToStringData("bootstrapPort", String.valueOf(bootstrapPort)).addToStringData("ca.crt", caPem)
                        .addToStringData("token", token).build()).create();

                // Registered: the token is used up, the certificate kept, heartbeats in the parent's status.
                await().atMost(WAIT).untilAsserted(() -> {
                    Map<String, Object> health = childHealth(parent);
                    assertThat(health).containsEntry("agentState", "Ready").containsKey("lastHeartbeat");
                    Map<String, Object> childStatus = Kube.status(Kube.get(parent, Kind.LATTICE_CLUSTER, null, "child"));
                    assertThat(childStatus).containsEntry("bootstrapComplete", true)
                            .doesNotContainKeys("bootstrapToken", ClusterStatus.TOKEN_HASH, ClusterStatus.TOKEN_EXPIRES);
                    assertThat((List<?>) childStatus.get("conditions")).anySatisfy(c -> assertThat((Map<String, Object>) c)
                            .containsEntry("type", "AgentConnected").containsEntry("status", "True"));
                });
                Secret kept = child.secrets().inNamespace("lattice-system").withName(ParentCredentials.SECRET).get();
                assertThat(kept.getData()).containsKeys("tls.crt", "tls.key").doesNotContainKey("token");

                // The service the parent placed on the child is applied there, and follows changes.
                await().atMost(WAIT).until(() -> image(child, "web"), "shop/web:v1"::equals);
                assertThat(Kube.status(Kube.get(parent, Kind.LATTICE_SERVICE, "shop", "web"))).containsEntry("cluster", "child");
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
