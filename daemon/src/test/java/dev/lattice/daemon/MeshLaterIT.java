package dev.lattice.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.core.model.Kind;
import dev.lattice.daemon.runtime.Daemon;
import dev.lattice.testfixtures.Envtest;
import dev.lattice.testfixtures.SharedCrds;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A cluster that cannot take every object yet: no Cilium or Istio CRDs, and a Deployment in the way of one of ours.
 * The daemon applies what the cluster takes, says in each service's status what waits or was refused and why, and
 * applies the policies once their CRDs are installed, without a restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("the daemon on a cluster without the mesh CRDs")
class MeshLaterIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ResourceDefinitionContext CNP = new ResourceDefinitionContext.Builder().withGroup("cilium.io")
            .withVersion("v2").withKind("CiliumNetworkPolicy").withPlural("ciliumnetworkpolicies").withNamespaced(true).build();

    private HomeDaemon home;
    private KubernetesClient client;
    private Daemon daemon;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        assumeTrue(SharedCrds.dir().isPresent(), SharedCrds.absence());
        // Its resync is far away: the policies must follow from the CRDs' watch, not from a periodic pass.
        home = HomeDaemon.start(false, c -> { }, c -> { });
        client = home.client();
        daemon = home.daemon();
        Kube.namespace(client, "shop");
        Kube.namespace(client, "capped");
        // Someone's own Deployment where web's would go: its selector cannot change, so the server refuses ours.
        Kube.apply(client, """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: capped}
                spec:
                  selector: {matchLabels: {app: legacy}}
                  template:
                    metadata: {labels: {app: legacy}}
                    spec: {containers: [{name: main, image: "legacy:v1"}]}
                """);
        Kube.applyResource(client, "/daemon/fleet.yaml");
        Kube.apply(client, """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeService
                metadata: {name: web, namespace: capped}
                spec:
                  containers:
                    main: {image: "web:v1", resources: {requests: {cpu: 100m, memory: 64Mi}}}
                  service:
                    ports: {http: {port: 8080}}
                """);
    }

    @AfterAll
    void stop() {
        if (home != null) {
            home.close();
        }
    }

    private Map<String, Object> condition(String namespace, String service, String type) {
        return Kube.condition(client, Kind.LATTICE_SERVICE, namespace, service, type);
    }

    @Test
    void appliesWhatTheClusterTakesSaysWhatWaitsAndFollowsWhenTheCrdsArrive() {
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(client.apps().deployments().inNamespace("shop").withName("api").get()).isNotNull();
            assertThat(condition("shop", "api", "WorkloadApplied")).containsEntry("status", "True");
            assertThat(condition("shop", "api", "PoliciesApplied")).containsEntry("status", "False").containsEntry("reason", "WaitingForKind");
            assertThat((String) condition("shop", "api", "PoliciesApplied").get("message"))
                    .contains("ciliumnetworkpolicies.cilium.io", "does not serve yet");
            assertThat(condition("shop", "api", "Ready")).containsEntry("status", "False");
        });
        // One refusal holds back nothing else: web's Service is there, its Deployment refused, and the status says so.
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(client.services().inNamespace("capped").withName("web").get()).isNotNull();
            assertThat(condition("capped", "web", "WorkloadApplied")).containsEntry("status", "False").containsEntry("reason", "ApplyFailed");
            assertThat((String) condition("capped", "web", "WorkloadApplied").get("message")).contains("Deployment capped/web", "immutable");
        });
        assertThat(client.apps().deployments().inNamespace("capped").withName("web").get().getSpec().getSelector().getMatchLabels())
                .containsExactly(Map.entry("app", "legacy"));

        SharedCrds.installMesh(client);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(client.genericKubernetesResources(CNP).inNamespace("shop").list().getItems()).isNotEmpty();
            assertThat(condition("shop", "api", "PoliciesApplied")).containsEntry("status", "True");
            assertThat(condition("shop", "api", "Ready")).containsEntry("status", "True");
            assertThat(condition("shop", "db", "Ready")).containsEntry("status", "True");
        });
        assertThat(condition("capped", "web", "Ready")).containsEntry("status", "False");
    }
}
