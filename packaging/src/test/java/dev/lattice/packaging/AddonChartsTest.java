package dev.lattice.packaging;

import static dev.lattice.core.render.Tree.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.core.addons.AddonCost;
import dev.lattice.core.addons.ClusterAddons;
import dev.lattice.core.addons.ClusterAddons.Addon;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Parser;
import dev.lattice.core.render.Manifests;
import dev.lattice.testfixtures.SharedCharts;
import dev.lattice.testfixtures.SharedCrds;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The add-ons a cluster's {@code monitoring}, {@code gpu} and {@code backups} flags turn on, rendered from their released
 * charts in ../shared/charts with the values Lattice gives them (../shared/charts/README.md, Add-ons, counts the objects).
 */
@DisplayName("the monitoring, GPU and backup add-ons from their charts")
class AddonChartsTest {
    private static final String LOCATION = "  backupLocation: {bucket: vault, region: eu-1, credentialsSecret: s3-keys, "
            + "endpoint: 'https://s3.example.com'}\n";

    @BeforeAll
    static void charts() {
        assumeTrue(SharedCharts.dir().isPresent(), SharedCharts.absence());
        assumeTrue(SharedCrds.dir().isPresent(), SharedCrds.absence());
    }

    static LatticeCluster cluster(String flags) {
        return Parser.parse(List.of(new InputReader.Input("cluster.yaml", """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: edge}
                spec:
                  provider: {config: {docker: {}}, kubernetes: {version: "1.28.7"}}
                  nodes: {controlPlane: {replicas: 1}}
                %s""".formatted(flags)))).clusters().get(0);
    }

    private static List<HasMetadata> objects(Addon addon, LatticeCluster cluster) {
        return ClusterAddons.objects(addon, cluster, SharedCharts.helm());
    }

    private static Map<String, Long> kinds(List<HasMetadata> objects) {
        return new TreeMap<>(objects.stream().collect(Collectors.groupingBy(HasMetadata::getKind, Collectors.counting())));
    }

    private static Map<String, Object> find(List<HasMetadata> objects, String kind, String name) {
        return Manifests.tree(objects.stream().filter(o -> o.getKind().equals(kind) && o.getMetadata().getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name)));
    }

    /** The CRDs ../shared/crds holds for {@code project}, by name. */
    private static Set<String> sharedCrds(String project) throws IOException {
        try (Stream<Path> files = Files.list(SharedCrds.dir().orElseThrow().resolve(project))) {
            return files.map(f -> f.getFileName().toString().replaceFirst("\\.yaml$", "")).collect(Collectors.toSet());
        }
    }

    private static Set<String> crds(List<HasMetadata> objects) {
        return objects.stream().filter(o -> o.getKind().equals("CustomResourceDefinition")).map(o -> o.getMetadata().getName())
                .collect(Collectors.toSet());
    }

    /** The roles the objects create and the roles their bindings name: the daemon may write and bind exactly these. */
    private static Set<String> roles(List<HasMetadata> objects) {
        Set<String> names = objects.stream().filter(o -> o.getKind().equals("ClusterRole") || o.getKind().equals("Role"))
                .map(o -> o.getMetadata().getName()).collect(Collectors.toSet());
        objects.stream().filter(o -> o.getKind().endsWith("RoleBinding")).forEach(o -> names.add(at(Manifests.tree(o), "roleRef", "name")));
        return names;
    }

    @Test
    void whatEachAddOnIsSaidToCostIsWhatItsChartsAskFor() {
        LatticeCluster cluster = cluster("  gpu: true\n" + LOCATION);
        for (Addon addon : ClusterAddons.ALL) {
            assertThat(addon.cost()).as(addon.name()).isEqualTo(AddonCost.of(objects(addon, cluster)));
        }
        // VictoriaMetrics' storage is its VMSingle's volume: 20 GiB.
        assertThat(ClusterAddons.MONITORING.cost().storageBytes()).isEqualTo(20L << 30);
    }

    @Test
    void theFlagsTurnOnTheirAddOnsAndBackupsWaitForALocation() {
        assertThat(ClusterAddons.wanted(cluster(""))).containsExactly(ClusterAddons.MESH, ClusterAddons.MONITORING);
        assertThat(ClusterAddons.wanted(cluster("  services: false\n  monitoring: false\n"))).isEmpty();
        assertThat(ClusterAddons.wanted(cluster("  gpu: true\n" + LOCATION)))
                .containsExactly(ClusterAddons.MESH, ClusterAddons.MONITORING, ClusterAddons.GPU, ClusterAddons.BACKUPS);
        assertThat(ClusterAddons.wanted(cluster("  backups: false\n  monitoring: false\n  services: false\n" + LOCATION))).isEmpty();
    }

    @Test
    void monitoringIsASingleNodeVictoriaMetricsScrapingTheClusterAndKeda() throws IOException {
        List<HasMetadata> objects = objects(ClusterAddons.MONITORING, cluster(""));
        // VictoriaMetrics 35 and KEDA 29 (README), VictoriaMetrics' 25 CRDs from its operator's crds folder, two
        // namespaces, and the scrape of the Lattice daemon.
        assertThat(objects).hasSize(35 + 29 + 25 + 2 + 1);
        Map<String, Object> daemon = find(objects, "VMPodScrape", "lattice-daemon");
        assertThat(at(daemon, "metadata", "namespace").toString()).isEqualTo("lattice-system");
        assertThat((Object) at(daemon, "spec", "podMetricsEndpoints")).isEqualTo(List.of(Map.of("port", "http", "path", "/metrics")));
        assertThat(kinds(objects)).containsEntry("VMSingle", 1L).containsEntry("VMAgent", 1L).containsEntry("VMServiceScrape", 8L)
                .containsEntry("APIService", 1L).doesNotContainKeys("Job", "Secret");
        assertThat(objects.subList(0, 2)).extracting(o -> o.getMetadata().getName()).containsExactly("monitoring", "keda");
        Set<String> crds = crds(objects);
        assertThat(crds).containsAll(sharedCrds("victoria-metrics")).containsAll(sharedCrds("keda"))
                .hasSize(sharedCrds("victoria-metrics").size() + sharedCrds("keda").size());
        assertThat(objects.subList(2, 27)).allSatisfy(o -> assertThat(o.getKind()).as("CRDs before the objects of their kinds")
                .isEqualTo("CustomResourceDefinition"));
        assertThat(at(find(objects, "VMSingle", "lattice-metrics"), "spec", "retentionPeriod").toString()).isEqualTo("24h");
        // The chart's own agent writes to the Service and port an autoscaled service's ScaledObject queries
        // (ClusterAddons.METRICS_QUERY_URL, which leaves the cluster's domain to the resolver's search path).
        assertThat(at(find(objects, "VMAgent", "lattice-metrics"), "spec", "remoteWrite", "0", "url").toString()
                .replace(".svc.cluster.local.:", ".svc:")).startsWith(ClusterAddons.METRICS_QUERY_URL + "/");
        // The operator's webhook is off: the one webhook is KEDA's.
        assertThat(objects.stream().filter(o -> o.getKind().endsWith("WebhookConfiguration")).map(o -> o.getMetadata().getName()))
                .containsExactly("keda-admission");
        Map<String, Object> operator = find(objects, "Deployment", "keda-operator");
        assertThat(at(operator, "spec", "template", "spec", "tolerations").toString()).contains("node-role.kubernetes.io/control-plane");
        assertThat(roles(objects)).containsExactlyInAnyOrderElementsOf(ClusterAddons.MONITORING.roles());
        assertThat(objects).allSatisfy(o -> assertThat(o.getMetadata().getLabels()).containsEntry(ClusterAddons.ADDON_LABEL, "monitoring"));
    }

    @Test
    void gpuIsNodeFeatureDiscoveryLabellingByVendorAndTheDevicePluginWhereItLabelled() throws IOException {
        List<HasMetadata> objects = objects(ClusterAddons.GPU, cluster("  gpu: true\n"));
        // NFD 14, the device plugin 5, HAMi 18 less its webhook, NFD's 3 CRDs, three namespaces.
        assertThat(objects).hasSize(14 + 5 + 17 + 3 + 3);
        assertThat(kinds(objects)).doesNotContainKeys("MutatingWebhookConfiguration", "Job", "Secret");
        assertThat(crds(objects)).isEqualTo(sharedCrds("node-feature-discovery"));
        Map<String, Object> plugin = find(objects, "DaemonSet", "nvidia-device-plugin");
        // A string, as a node selector's values must be (a --set would have made it a boolean).
        assertThat((Object) at(plugin, "spec", "template", "spec", "nodeSelector"))
                .isEqualTo(Map.of(ClusterAddons.NVIDIA_GPU_LABEL, "true"));
        // The NVIDIA plugin keeps off the nodes whose GPUs HAMi shares (gpu: "on"), where HAMi's own plugin runs.
        assertThat(at(plugin, "spec", "template", "spec", "affinity").toString()).contains("key=gpu, operator=NotIn, values=[on]");
        Map<String, Object> hami = find(objects, "DaemonSet", "hami-device-plugin");
        assertThat((Object) at(hami, "spec", "template", "spec", "nodeSelector")).isEqualTo(Map.of("gpu", "on"));
        assertThat(at(hami, "spec", "template", "spec", "tolerations").toString()).contains("nvidia.com/gpu");
        Map<String, Object> scheduler = find(objects, "Deployment", "hami-scheduler");
        assertThat(at(scheduler, "spec", "template", "spec", "containers").toString())
                .contains("image=registry.k8s.io/kube-scheduler:v1.28.7", "--scheduler-name=" + ClusterAddons.SHARED_GPU_SCHEDULER)
                .doesNotContain("/tls");
        Map<String, Object> worker = find(objects, "DaemonSet", "node-feature-discovery-worker");
        assertThat(at(worker, "spec", "template", "spec", "tolerations").toString()).contains("nvidia.com/gpu");
        Map<String, Object> workerConfig = find(objects, "ConfigMap", "node-feature-discovery-worker-conf");
        assertThat(at(workerConfig, "data").toString()).contains("deviceLabelFields").contains("vendor");
        assertThat(roles(objects)).containsExactlyInAnyOrderElementsOf(ClusterAddons.GPU.roles());
    }

    @Test
    void backupsAreVeleroWritingWhereTheSpecSaysWithCredentialsOnlyFromTheSecretItNames() throws IOException {
        List<HasMetadata> objects = objects(ClusterAddons.BACKUPS, cluster(LOCATION));
        // Velero 9 (its BackupStorageLocation among them) less its cluster-admin binding, which the install makes, the
        // daily Schedule, its 13 CRDs, its namespace.
        assertThat(objects).hasSize(9 - 1 + 1 + 13 + 1);
        assertThat(kinds(objects)).doesNotContainKey("ClusterRoleBinding");
        assertThat(crds(objects)).isEqualTo(sharedCrds("velero"));
        assertThat(kinds(objects)).doesNotContainKey("Secret").doesNotContainKey("VolumeSnapshotLocation");
        Map<String, Object> location = find(objects, "BackupStorageLocation", "default");
        assertThat((Object) at(location, "spec")).isEqualTo(Map.of("provider", "aws", "default", true, "accessMode", "ReadWrite",
                "objectStorage", Map.of("bucket", "vault", "prefix", "edge"),
                "config", Map.of("region", "eu-1", "s3Url", "https://s3.example.com", "s3ForcePathStyle", "true")));
        Map<String, Object> schedule = find(objects, "Schedule", "velero-daily");
        assertThat(at(schedule, "spec", "schedule").toString()).isEqualTo("0 3 * * *");
        assertThat(at(schedule, "spec", "template", "ttl").toString()).isEqualTo("720h");
        assertThat(at(schedule, "spec", "template", "includeClusterResources").toString()).isEqualTo("true");
        assertThat(at(schedule, "spec", "template", "excludedNamespaces").toString()).contains("kube-system", "velero", "istio-system");
        Map<String, Object> server = find(objects, "Deployment", "velero");
        // The account the install binds to cluster-admin (DaemonManifests) is the one Velero's server runs as.
        assertThat(at(server, "spec", "template", "spec", "serviceAccountName").toString()).isEqualTo(ClusterAddons.VELERO_SERVER_ACCOUNT);
        assertThat(at(server, "metadata", "namespace").toString()).isEqualTo(ClusterAddons.VELERO_NAMESPACE);
        assertThat(at(server, "spec", "template", "spec", "initContainers", "0", "image").toString())
                .isEqualTo("velero/velero-plugin-for-aws:v1.14.2");
        // The location names no credential: Velero reads the file the named Secret mounts into its server.
        assertThat(at(server, "spec", "template", "spec", "volumes").toString()).contains("secretName=s3-keys");
        assertThat(roles(objects)).containsExactlyInAnyOrderElementsOf(ClusterAddons.BACKUPS.roles());
    }
}
