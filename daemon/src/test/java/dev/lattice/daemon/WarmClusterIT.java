package dev.lattice.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.engine.warm.WarmCluster;
import dev.lattice.testfixtures.Envtest;
import dev.lattice.testfixtures.FakeKubelet;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A warm cluster as its parent handles it, on a real API server standing in for the cluster: its baseline, a claim's
 * credentials that work (cluster-admin) and stop working when revoked, a Clean reset that removes what the session
 * added (namespaces, a CRD, RBAC, a volume, an object in a baseline namespace) and verifies it, and a health check
 * that finds a missing node or baseline namespace. The API server has no controllers: the test empties Terminating
 * namespaces and lifts the volume's protection itself, as the cluster's controllers would.
 */
class WarmClusterIT {

    @Test
    void credentialsPerClaimAndACleanResetBackToTheBaseline() throws Exception {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        try (Envtest api = Envtest.start(); WarmCluster warm = new WarmCluster(Files.readString(api.kubeconfig()))) {
            KubernetesClient admin = api.client();
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("lab-base").endMetadata().build()).create();
            WarmCluster.Inventory none = warm.inventory();
            assertThat(warm.unhealthy(none)).isEqualTo("it has no nodes");
            FakeKubelet.readyNode(admin, "node-1");
            WarmCluster.Inventory baseline = WarmCluster.Inventory.fromJson(warm.inventory().toJson());
            assertThat(baseline).isEqualTo(warm.inventory());
            assertThat(warm.unhealthy(baseline)).isNull();

            String kubeconfig = warm.mint("training/alice", Duration.ofHours(2));
            assertThat(kubeconfig).contains("token: ").doesNotContain("client-key-data");
            try (KubernetesClient session = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build()) {
                // What a session might leave behind, made with the claim's own credentials.
                session.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("scratch").endMetadata().build()).create();
                session.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("notes")
                        .endMetadata().addToData("a", "b").build()).create();
                session.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName("session-role").endMetadata()
                        .build()).create();
                session.persistentVolumes().resource(new PersistentVolumeBuilder().withNewMetadata().withName("session-pv").endMetadata()
                        .withNewSpec().withCapacity(Map.of("storage", new Quantity("1Gi"))).withAccessModes("ReadWriteOnce")
                        .withNewHostPath().withPath("/tmp/pv").endHostPath().endSpec().build()).create();
                api.kubectl("""
                        apiVersion: apiextensions.k8s.io/v1
                        kind: CustomResourceDefinition
                        metadata: {name: widgets.session.example}
                        spec:
                          group: session.example
                          names: {kind: Widget, plural: widgets}
                          scope: Namespaced
                          versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
                        """, "apply", "-f", "-");
                assertThat(warm.inventory().beyond(baseline)).containsExactlyInAnyOrder(
                        "namespaces scratch", "configmaps default/notes", "clusterroles.rbac.authorization.k8s.io session-role",
                        "persistentvolumes session-pv", "customresourcedefinitions.apiextensions.k8s.io widgets.session.example");
                assertThat(warm.holdsCredentialsOf("training/alice")).isTrue();

                warm.revoke("training/alice");
                KubernetesClientException refused = catchThrowableOfType(KubernetesClientException.class,
                        () -> session.namespaces().list());
                // At once its binding is gone (403); once the API server's token cache (10 s) lets go, the token itself is
                // refused (401), its ServiceAccount being gone.
                assertThat(refused).as("the former session's token no longer gets in").isNotNull();
                assertThat(refused.getCode()).isIn(401, 403);
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    try {
                        session.namespaces().list();
                        return false;
                    } catch (KubernetesClientException e) {
                        return e.getCode() == 401;
                    }
                });
                assertThat(warm.holdsCredentialsOf("training/alice")).isFalse();
            }

            List<String> left = warm.clean(baseline);
            assertThat(left).as("the namespace and the volume wait for controllers this API server does not run")
                    .containsExactlyInAnyOrder("namespaces scratch", "persistentvolumes session-pv");
            FakeKubelet.finishTerminatingNamespaces(admin);
            admin.persistentVolumes().withName("session-pv").edit(pv -> {
                pv.getMetadata().setFinalizers(List.of());
                return pv;
            });
            assertThat(warm.clean(baseline)).isEmpty();
            assertThat(warm.differences(baseline)).as("verified: exactly the baseline").isEmpty();
            // What a session removed no reset brings back: verification says so, and the cluster is not offered again.
            admin.rbac().clusterRoles().withName("view").delete();
            assertThat(warm.differences(baseline)).containsExactly("- clusterroles.rbac.authorization.k8s.io view");

            // A cluster that lost a baseline namespace or whose node is not Ready is not handed out.
            admin.namespaces().withName("lab-base").delete();
            FakeKubelet.finishTerminatingNamespaces(admin);
            assertThat(warm.unhealthy(baseline)).isEqualTo("namespaces of its baseline are gone: lab-base");
            FakeKubelet.nodeReady(admin, "node-1", false);
            assertThat(warm.unhealthy(baseline)).isEqualTo("nodes not Ready: node-1");
        }
    }
}
