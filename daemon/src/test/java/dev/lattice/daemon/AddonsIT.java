package dev.lattice.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.core.install.DaemonManifests;
import dev.lattice.core.model.Kind;
import dev.lattice.daemon.runtime.Daemon;
import dev.lattice.engine.addons.AddonSync;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.testfixtures.Envtest;
import dev.lattice.testfixtures.SharedCharts;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The daemon keeps its own cluster's add-ons as the LatticeCluster says, with only the RBAC the install gives it:
 * {@code services: true} installs Istio in ambient mode from its charts (and the services' Istio policies follow
 * without a restart); turning it off removes Istio again, and the cluster's status says which it is.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("the daemon keeps its cluster's add-ons")
class AddonsIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ResourceDefinitionContext AUTHORIZATION_POLICIES = new ResourceDefinitionContext.Builder()
            .withGroup("security.istio.io").withVersion("v1").withKind("AuthorizationPolicy").withPlural("authorizationpolicies")
            .withNamespaced(true).build();

    private HomeDaemon home;
    private KubernetesClient client;
    private Daemon daemon;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        assumeTrue(SharedCharts.dir().isPresent(), SharedCharts.absence());
        home = HomeDaemon.start(false, c -> { }, c -> {
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

    private Map<String, Object> clusterCondition(String type) {
        return Kube.condition(client, Kind.LATTICE_CLUSTER, null, "home", type);
    }

    private ConfigMap inventory() {
        return client.configMaps().inNamespace(DaemonManifests.NAMESPACE).withName(AddonSync.INVENTORY).get();
    }

    @Test
    void installsMonitoringGpusAndBackupsWhenTurnedOnAndRemovesThemWhenTurnedOffLeavingTheUsersCredentials() {
        ResourceDefinitionContext vmSingles = new ResourceDefinitionContext.Builder().withGroup("operator.victoriametrics.com")
                .withVersion("v1beta1").withKind("VMSingle").withPlural("vmsingles").withNamespaced(true).build();
        ResourceDefinitionContext locations = new ResourceDefinitionContext.Builder().withGroup("velero.io").withVersion("v1")
                .withKind("BackupStorageLocation").withPlural("backupstoragelocations").withNamespaced(true).build();
        // The user's credentials, where the backup location's credentialsSecret says (before Velero's namespace is made).
        Kube.namespace(client, "velero");
        client.secrets().inNamespace("velero").resource(new SecretBuilder().withNewMetadata().withName("s3-keys").endMetadata()
                .withStringData(Map.of("cloud", "[default]\naws_access_key_id=AK\naws_secret_access_key=SK\n")).build()).create();

        client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName("home").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\": {\"monitoring\": true, \"gpu\": true, \"backups\": true, \"backupLocation\": {\"bucket\": \"vault\", \"region\": \"eu-1\", "
                        + "\"endpoint\": \"https://s3.example.com\", \"credentialsSecret\": \"s3-keys\", \"schedule\": \"30 1 * * *\"}}}");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(client.apps().deployments().inNamespace("keda").withName("keda-operator").get()).isNotNull();
            assertThat(client.apps().deployments().inNamespace("monitoring").withName("vm-victoria-metrics-operator").get()).isNotNull();
            assertThat(client.genericKubernetesResources(vmSingles).inNamespace("monitoring").withName("lattice-metrics").get()).isNotNull();
            assertThat(client.genericKubernetesResources(locations).inNamespace("velero").withName("default").get()).isNotNull();
            assertThat(client.apps().daemonSets().inNamespace("nvidia-device-plugin").withName("nvidia-device-plugin").get()).isNotNull();
            assertThat(client.apps().deployments().inNamespace("hami-system").withName("hami-scheduler").get()).isNotNull();
            assertThat(clusterCondition("AddonsReady")).as(() -> "status " + Kube.status(Kube.get(client, Kind.LATTICE_CLUSTER, null, "home")))
                    .containsEntry("status", "True").containsEntry("reason", "Applied");
            assertThat(clusterCondition("AddonsReady").get("message").toString()).contains("monitoring", "gpu", "backups");
        });
        assertThat(inventory().getData()).containsKeys("monitoring", "gpu", "backups");
        // The agent scrapes the daemon itself.
        assertThat(client.genericKubernetesResources("operator.victoriametrics.com/v1beta1", "VMPodScrape")
                .inNamespace(DaemonManifests.NAMESPACE).withName("lattice-daemon").get()).isNotNull();
        var velero = client.apps().deployments().inNamespace("velero").withName("velero").get();
        assertThat(velero.getMetadata().getManagedFields()).extracting(f -> f.getManager()).containsOnly("lattice");
        assertThat(client.genericKubernetesResources(locations).inNamespace("velero").withName("default").get().getAdditionalProperties()
                .get("spec").toString()).contains("bucket=vault", "prefix=home");

        // Velero's backups, as its server writes them: the newest one is the cluster's lastBackup.
        ResourceDefinitionContext backups = new ResourceDefinitionContext.Builder().withGroup("velero.io").withVersion("v1")
                .withKind("Backup").withPlural("backups").withNamespaced(true).build();
        for (String[] b : new String[][] {{"velero-daily-20261205030000", "2026-12-05T03:00:00Z", "Completed"},
                {"velero-daily-20261206030000", "2026-12-06T03:00:00Z", "PartiallyFailed"}}) {
            client.genericKubernetesResources(backups).inNamespace("velero").resource(new GenericKubernetesResourceBuilder()
                    .withApiVersion("velero.io/v1").withKind("Backup").withNewMetadata().withName(b[0]).endMetadata()
                    .addToAdditionalProperties("status", Map.of("phase", b[2], "startTimestamp", b[1],
                            "completionTimestamp", b[1].replace("03:00:00", "03:04:10"), "progress", Map.of("itemsBackedUp", 412)))
                    .build()).create();
        }

        // A new schedule in the spec is a new apply: the add-on follows its values, not only its flag.
        client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName("home").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\": {\"backupLocation\": {\"schedule\": \"0 4 * * *\"}}}");
        ResourceDefinitionContext schedules = new ResourceDefinitionContext.Builder().withGroup("velero.io").withVersion("v1")
                .withKind("Schedule").withPlural("schedules").withNamespaced(true).build();
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.genericKubernetesResources(schedules).inNamespace("velero")
                .withName("velero-daily").get().getAdditionalProperties().get("spec").toString()).contains("schedule=0 4 * * *"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(Kube.status(Kube.get(client, Kind.LATTICE_CLUSTER, null, "home")).get("lastBackup"))
                .isEqualTo(Map.of("name", "velero-daily-20261206030000", "phase", "PartiallyFailed", "started", "2026-12-06T03:00:00Z",
                        "completed", "2026-12-06T03:04:10Z", "items", 412)));

        client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName("home")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": {\"monitoring\": false, \"gpu\": false, \"backups\": false}}");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(client.apps().deployments().inNamespace("keda").withName("keda-operator").get()).isNull();
            assertThat(client.apps().deployments().inNamespace("velero").withName("velero").get()).isNull();
            assertThat(client.apiextensions().v1().customResourceDefinitions().withName("vmsingles.operator.victoriametrics.com").get()).isNull();
            assertThat(client.apiextensions().v1().customResourceDefinitions().withName("backupstoragelocations.velero.io").get()).isNull();
            assertThat(client.genericKubernetesResources("apiregistration.k8s.io/v1", "APIService").withName("v1beta1.external.metrics.k8s.io")
                    .get()).isNull();
            assertThat(inventory().getData()).doesNotContainKeys("monitoring", "gpu", "backups");
            assertThat(client.apps().deployments().inNamespace("hami-system").withName("hami-scheduler").get()).isNull();
            assertThat(Kube.status(Kube.get(client, Kind.LATTICE_CLUSTER, null, "home"))).doesNotContainKey("lastBackup");
        });
        Namespace monitoring = client.namespaces().withName("monitoring").get();
        assertThat(monitoring == null || monitoring.getMetadata().getDeletionTimestamp() != null).isTrue();
        // Velero's namespace stays, as Helm leaves namespaces, and the user's credentials in it.
        assertThat(client.namespaces().withName("velero").get().getMetadata().getDeletionTimestamp()).isNull();
        assertThat(client.secrets().inNamespace("velero").withName("s3-keys").get()).isNotNull();
    }

    @Test
    void installsIstioAmbientWhileServicesIsOnAndRemovesItWhenTurnedOff() {
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(client.apps().deployments().inNamespace("istio-system").withName("istiod").get()).isNotNull();
            assertThat(client.apps().daemonSets().inNamespace("istio-system").withName("ztunnel").get()).isNotNull();
            assertThat(client.apps().daemonSets().inNamespace("istio-system").withName("istio-cni-node").get()).isNotNull();
            assertThat(clusterCondition("AddonsReady")).as(() -> "status " + Kube.status(Kube.get(client, Kind.LATTICE_CLUSTER, null, "home")))
                    .containsEntry("status", "True").containsEntry("reason", "Applied");
        });
        assertThat(inventory().getData()).containsOnlyKeys("mesh");
        assertThat(inventory().getData().get("mesh").lines()).hasSize(46)
                .contains("apiextensions.k8s.io/v1 CustomResourceDefinition  authorizationpolicies.security.istio.io");
        // The services' Istio policies follow the CRDs the add-on brought, and their namespace joins the ambient mesh.
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(client.genericKubernetesResources(AUTHORIZATION_POLICIES).inNamespace("shop").list().getItems()).isNotEmpty();
            assertThat(client.namespaces().withName("shop").get().getMetadata().getLabels())
                    .containsEntry("istio.io/dataplane-mode", "ambient");
        });

        client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName("home")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": {\"services\": false}}");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(client.apps().deployments().inNamespace("istio-system").withName("istiod").get()).isNull();
            assertThat(client.apiextensions().v1().customResourceDefinitions().withName("authorizationpolicies.security.istio.io").get())
                    .isNull();
            assertThat(clusterCondition("AddonsReady")).containsEntry("status", "True").containsEntry("reason", "NoneWanted");
        });
        assertThat(inventory().getData()).doesNotContainKey("mesh");
        // An API server alone has no namespace controller to finish the deletion; that it was asked for is what counts.
        Namespace istio = client.namespaces().withName("istio-system").get();
        assertThat(istio == null || istio.getMetadata().getDeletionTimestamp() != null).isTrue();
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.namespaces().withName("shop").get().getMetadata().getLabels())
                .doesNotContainKey("istio.io/dataplane-mode"));
    }
}
