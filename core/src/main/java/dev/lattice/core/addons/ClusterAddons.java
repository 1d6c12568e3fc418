package dev.lattice.core.addons;

import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.io.Documents;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.LatticeService;
import dev.lattice.core.render.CustomObject;
import dev.lattice.core.render.Manifests;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The add-ons a cluster's spec turns on once the cluster is up, each a set of Helm releases that the install applies
 * and the cluster's daemon keeps as the spec says: applied while the flag is on, removed when it is turned off. (The
 * network is not among them: it must be there before the nodes are Ready, so Cluster API brings it, see
 * {@link ClusterResourceSets}.)
 */
public final class ClusterAddons {
    private static final long MIB = 1024L * 1024;
    private static final long GIB = 1024 * MIB;

    /** Which add-on an object belongs to. */
    public static final String ADDON_LABEL = "lattice.dev/addon";

    /** Where the Lattice daemon runs, its pods' label and the name of its metrics port (DaemonManifests; a test holds them together). */
    public static final String DAEMON_NAMESPACE = "lattice-system";
    public static final Map<String, String> DAEMON_PODS = Map.of("app.kubernetes.io/name", "lattice-daemon");
    public static final String DAEMON_METRICS_PORT = "http";

    /**
     * One Helm release of an add-on: its chart, release name, namespace and values (a tree, as a values file holds it), and
     * the chart's folders of CRDs, which Helm installs before the templates and a render leaves out.
     */
    public record Release(Chart chart, String name, String namespace, Map<String, Object> values, List<String> crds) {
        public Release(Chart chart, String name, String namespace, Map<String, Object> values) {
            this(chart, name, namespace, values, List.of());
        }
    }

    /**
     * An add-on: its name, what it is, the releases it is made of for a cluster in the order they are installed, and the
     * names of the ClusterRoles and Roles they create or bind (a daemon may write and bind those roles, and no others; a
     * test holds the list to the charts); the namespaces it leaves when it is removed, as Helm leaves every namespace,
     * because a user keeps objects of their own there (Velero's credentials); what its pods ask of the cluster (a test
     * holds it to what the charts render); and the objects of its own that no chart makes, applied after the charts'.
     */
    public record Addon(String name, String description, Function<LatticeCluster, List<Release>> releasesFor, List<String> roles,
                        List<String> keeps, AddonCost cost, List<HasMetadata> extras) {
        /** Its releases for {@code cluster}: the values of some (Velero's location) come from the cluster's spec. */
        public List<Release> releases(LatticeCluster cluster) {
            return releasesFor.apply(cluster);
        }

        /** Its namespaces for {@code cluster}, created before its objects and removed with them. */
        public List<String> namespaces(LatticeCluster cluster) {
            return releases(cluster).stream().map(Release::namespace).distinct().filter(n -> !n.equals("kube-system")).toList();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * {@code services: true}: Istio in ambient mode, the documented Helm install. istiod and istio-cni take the ambient
     * profile (istiod then serves ambient workloads and HBONE, istio-cni redirects their traffic to ztunnel); base and
     * ztunnel need none.
     */
    public static final Addon MESH = new Addon("mesh", "Istio " + Chart.ISTIOD.version() + " in ambient mode", cluster -> List.of(
            new Release(Chart.ISTIO_BASE, "istio-base", "istio-system", Map.of()),
            new Release(Chart.ISTIOD, "istiod", "istio-system", Map.of("profile", "ambient")),
            new Release(Chart.ISTIO_CNI, "istio-cni", "istio-system", Map.of("profile", "ambient")),
            new Release(Chart.ZTUNNEL, "ztunnel", "istio-system", Map.of())),
            List.of("istiod-clusterrole-istio-system", "istiod-gateway-controller-istio-system", "istio-reader-clusterrole-istio-system",
                    "istio-cni", "istio-cni-repair-role", "istio-cni-ambient", "istiod"),
            List.of(), new AddonCost(500, 2 * GIB, 300, 612 * MIB, 0), List.of());

    /** The label NFD gives a node with an NVIDIA (PCI vendor 10de) device, and the device plugin selects. */
    public static final String NVIDIA_GPU_LABEL = "feature.node.kubernetes.io/pci-10de.present";

    /** The node label that gives a node's GPUs to HAMi to share ({@code gpu: "on"}, HAMi's device plugin's selector). */
    public static final String SHARED_GPU_LABEL = "gpu";
    public static final String SHARED_GPU_VALUE = "on";
    /** The scheduler HAMi's chart runs, which places the pods that ask for a share of a GPU. */
    public static final String SHARED_GPU_SCHEDULER = "hami-scheduler";
    /** How many pods HAMi lets share one GPU (its chart's {@code devicePlugin.deviceSplitCount}). */
    public static final int GPU_SHARES = 10;

    /** Where the backups add-on runs Velero, its Backups and the user's credentials Secret live. */
    public static final String VELERO_NAMESPACE = "velero";

    /** The ServiceAccount Velero's server runs as (the chart's {@code velero.serverServiceAccount}), which the install binds to cluster-admin. */
    public static final String VELERO_SERVER_ACCOUNT = "velero-server";

    /** Velero's S3 plugin, the line paired with Velero 1.18. */
    static final String VELERO_AWS_PLUGIN = "velero/velero-plugin-for-aws:v1.14.2";

    /**
     * Where the monitoring add-on's VictoriaMetrics answers PromQL queries: the operator names its VMSingle's Service
     * {@code vmsingle-NAME} (the chart's {@code fullnameOverride}), on VictoriaMetrics' port.
     */
    public static final String METRICS_QUERY_URL = "http://vmsingle-lattice-metrics.monitoring.svc:8428";

    /** Tolerates the control plane's taint: a cluster of control-plane nodes only still runs its platform. */
    private static final List<Map<String, Object>> ON_CONTROL_PLANE = List.of(toleration("node-role.kubernetes.io/control-plane"));
    /** Tolerates the taint of seed 002's GPU worker pool, for what must run on GPU nodes. */
    private static final List<Map<String, Object>> ON_GPU_NODES = List.of(toleration(LatticeService.ResourceRequirements.GPU));

    /**
     * {@code monitoring: true}: VictoriaMetrics (its operator, one VMSingle keeping 24 h, and a VMAgent that scrapes the
     * cluster) and KEDA. Off: VMCluster, Grafana, Alertmanager, VMAlert; the operator's validating webhook (its template
     * looks up a live cluster and makes a new CA on every render); and the dashboard sync Job, which downloads from GitHub
     * at install time.
     */
    public static final Addon MONITORING = new Addon("monitoring", "VictoriaMetrics v1.150.0 (chart " + Chart.VICTORIA_METRICS.version()
            + ") and KEDA " + Chart.KEDA.version(), cluster -> List.of(
            new Release(Chart.VICTORIA_METRICS, "vm", "monitoring", new HelmValues()
                    .set("fullnameOverride", "lattice-metrics")
                    .set("victoria-metrics-operator.admissionWebhooks.enabled", false)
                    .set("vmsingle.enabled", true).set("vmsingle.spec.retentionPeriod", "24h")
                    // The operator's own defaults, written down so that what they cost is counted where it is known.
                    .set("vmsingle.spec.resources", resources("150m", "500Mi", "1500Mi"))
                    .set("vmagent.enabled", true)
                    .set("vmagent.spec.resources", resources("50m", "200Mi", "500Mi"))
                    .set("vmcluster.enabled", false).set("grafana.enabled", false).set("alertmanager.enabled", false)
                    .set("vmalert.enabled", false).set("syncJob.enabled", false).tree(),
                    List.of("charts/victoria-metrics-operator/charts/crds/crds")),
            new Release(Chart.KEDA, "keda", "keda", new HelmValues()
                    .set("tolerations", ON_CONTROL_PLANE).set("webhooks.tolerations", ON_CONTROL_PLANE)
                    .set("metricsServer.tolerations", ON_CONTROL_PLANE).tree())),
            List.of("vm-kube-state-metrics", "vm-victoria-metrics-operator", "vm-victoria-metrics-operator-victoriametrics-admin",
                    "vm-victoria-metrics-operator-victoriametrics-view", "keda-operator", "keda-operator-minimal-cluster-role",
                    "keda-operator-external-metrics-reader", "keda-operator-webhook", "keda-operator-certs",
                    // KEDA's metrics server is an aggregated API: it delegates authentication and reads its CA as any does.
                    "system:auth-delegator", "extension-apiserver-authentication-reader"),
            List.of(), new AddonCost(500, 1000 * MIB, 0, 0, 20 * GIB), List.of(daemonScrape()));

    /**
     * {@code gpu: true}: Node Feature Discovery, which labels nodes by PCI vendor (the label the device plugin selects
     * on; its worker tolerates the GPU pool's taint, or those nodes are never labelled); NVIDIA's device plugin on the
     * nodes it labels as having an NVIDIA GPU, but not on nodes labelled {@code gpu: "on"}, which HAMi serves: its device
     * plugin shares their GPUs between pods, and its scheduler places the pods that ask for a share. HAMi's admission
     * webhook is off (its certificate comes from hook Jobs a render leaves out, or cert-manager): all it does is set a
     * GPU pod's scheduler, and Lattice renders its services' pods with it already.
     */
    public static final Addon GPU = new Addon("gpu", "Node Feature Discovery " + Chart.NODE_FEATURE_DISCOVERY.version()
            + ", the NVIDIA device plugin " + Chart.NVIDIA_DEVICE_PLUGIN.version() + " and HAMi " + Chart.HAMI.version(), cluster -> List.of(
            new Release(Chart.NODE_FEATURE_DISCOVERY, "node-feature-discovery", "node-feature-discovery", new HelmValues()
                    .set("worker.tolerations", ON_GPU_NODES)
                    .set("worker.config.sources.pci.deviceLabelFields", List.of("vendor")).tree(), List.of("crds")),
            new Release(Chart.NVIDIA_DEVICE_PLUGIN, "nvidia-device-plugin", "nvidia-device-plugin", new HelmValues()
                    .set("nodeSelector", Map.of(NVIDIA_GPU_LABEL, "true"))
                    .set("affinity", Map.of("nodeAffinity", Map.of("requiredDuringSchedulingIgnoredDuringExecution", Map.of(
                            "nodeSelectorTerms", List.of(Map.of("matchExpressions", List.of(
                                    Map.of("key", NVIDIA_GPU_LABEL, "operator", "In", "values", List.of("true")),
                                    Map.of("key", SHARED_GPU_LABEL, "operator", "NotIn", "values", List.of(SHARED_GPU_VALUE))))))))).tree()),
            new Release(Chart.HAMI, "hami", "hami-system", new HelmValues()
                    .set("devicePlugin.tolerations", ON_GPU_NODES)
                    .set("scheduler.admissionWebhook.enabled", false)
                    // Kubernetes' own image of its scheduler, at the cluster's version (the chart's default is a mirror).
                    .set("scheduler.kubeScheduler.image.registry", "registry.k8s.io")
                    .set("scheduler.kubeScheduler.image.repository", "kube-scheduler").tree())),
            List.of("node-feature-discovery", "node-feature-discovery-gc", "node-feature-discovery-worker", "nvidia-device-plugin-role",
                    "hami-scheduler", "hami-device-plugin-monitor",
                    // HAMi runs a kube-scheduler of its own, with the roles Kubernetes gives its scheduler.
                    "system:kube-scheduler", "system:volume-scheduler"),
            List.of(), new AddonCost(110, 256 * MIB, 5, 64 * MIB, 0), List.of());

    /**
     * {@code backups: true} with a {@code backupLocation}: Velero with its S3 plugin and node agent (volumes backed up
     * file by file, no provider snapshots), one BackupStorageLocation from the spec, and a schedule. The credentials are
     * the user's Secret in namespace {@code velero}: Lattice never holds them.
     */
    public static final Addon BACKUPS = new Addon("backups", "Velero 1.18.1 (chart " + Chart.VELERO.version() + ")", cluster -> List.of(
            new Release(Chart.VELERO, "velero", VELERO_NAMESPACE, veleroValues(cluster), List.of("crds"))),
            // Velero reads every object to back it up and writes every object to restore it, as cluster-admin: that binding is
            // the install's to make (DaemonManifests), never the daemon's, which may not bind a role it does not hold.
            List.of("velero-server"),
            // The credentials Secret the user put there outlives turning backups off and on again.
            List.of(VELERO_NAMESPACE), new AddonCost(500, 128 * MIB, 500, 512 * MIB, 0), List.of());

    /** Every add-on a daemon keeps; one the spec does not turn on is removed. */
    public static final List<Addon> ALL = List.of(MESH, MONITORING, GPU, BACKUPS);

    /** The namespaces a backup leaves out: the add-ons', which the daemon puts back from the spec, and Kubernetes' own. */
    static final List<String> NOT_BACKED_UP = List.of("kube-system", "kube-public", "kube-node-lease", "istio-system", "monitoring",
            "keda", "node-feature-discovery", "nvidia-device-plugin", "hami-system", "velero");

    private ClusterAddons() {
    }

    /** The add-ons {@code cluster}'s spec turns on. */
    public static List<Addon> wanted(LatticeCluster cluster) {
        LatticeCluster.Spec spec = cluster.spec();
        List<Addon> wanted = new ArrayList<>();
        if (spec.services()) {
            wanted.add(MESH);
        }
        if (spec.monitoring()) {
            wanted.add(MONITORING);
        }
        if (spec.gpu()) {
            wanted.add(GPU);
        }
        // Without a location Velero has nowhere to write; the parser says so.
        if (spec.backups() && spec.backupLocation() != null) {
            wanted.add(BACKUPS);
        }
        return wanted;
    }

    /** The agent scrapes the Lattice daemon's metrics: reconcile latency, queue depth, placements, claims. */
    private static HasMetadata daemonScrape() {
        return new CustomObject<>("operator.victoriametrics.com/v1beta1", "VMPodScrape",
                Manifests.meta(DAEMON_NAMESPACE, "lattice-daemon", Map.of("app.kubernetes.io/part-of", "lattice")),
                Map.of("selector", Map.of("matchLabels", DAEMON_PODS),
                        "podMetricsEndpoints", List.of(Map.of("port", DAEMON_METRICS_PORT, "path", "/metrics"))));
    }

    private static Map<String, Object> resources(String cpu, String memory, String memoryLimit) {
        return Map.of("requests", Map.of("cpu", cpu, "memory", memory), "limits", Map.of("memory", memoryLimit));
    }

    private static Map<String, Object> toleration(String key) {
        return Map.of("key", key, "operator", "Exists", "effect", "NoSchedule");
    }

    /**
     * Velero's values: the location the spec gives (credentials from the Secret it names, never from values), and a
     * daily schedule of everything but the namespaces of Kubernetes and the add-ons, cluster-wide objects (the Lattice
     * resources among them) included.
     */
    static Map<String, Object> veleroValues(LatticeCluster cluster) {
        LatticeCluster.BackupLocation location = cluster.spec().backupLocation();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("region", location.region());
        if (location.endpoint() != null) {
            config.put("s3Url", location.endpoint());
            config.put("s3ForcePathStyle", "true"); // S3-compatible stores rarely serve bucket subdomains
        }
        Map<String, Object> bsl = new LinkedHashMap<>();
        bsl.put("name", "default");
        bsl.put("provider", "aws");
        bsl.put("bucket", location.bucket());
        bsl.put("prefix", location.prefix() != null ? location.prefix() : cluster.name());
        bsl.put("default", true);
        bsl.put("config", config);
        Map<String, Object> schedule = Map.of("schedule", location.schedule(), "template", Map.of(
                "ttl", location.ttl(), "storageLocation", "default", "includedNamespaces", List.of("*"),
                "excludedNamespaces", NOT_BACKED_UP, "includeClusterResources", true));
        return new HelmValues()
                .set("initContainers", List.of(Map.of("name", "velero-plugin-for-aws", "image", VELERO_AWS_PLUGIN,
                        "imagePullPolicy", "IfNotPresent", "volumeMounts", List.of(Map.of("mountPath", "/target", "name", "plugins")))))
                .set("deployNodeAgent", true)
                // Velero's documented defaults (velero install), written down so that what they cost is counted.
                .set("resources", resources("500m", "128Mi", "512Mi"))
                .set("nodeAgent.resources", resources("500m", "512Mi", "1Gi"))
                .set("snapshotsEnabled", false)
                .set("upgradeCRDs", false)
                .set("rbac.clusterAdministrator", false)
                .set("credentials.useSecret", true).set("credentials.existingSecret", location.credentialsSecret())
                .set("configuration.backupStorageLocation", List.of(bsl))
                .set("configuration.volumeSnapshotLocation", List.of())
                .set("configuration.defaultVolumesToFsBackup", true)
                .set("schedules", Map.of("daily", schedule))
                .tree();
    }

    /**
     * The objects of {@code addon} for {@code cluster}: its namespaces, its releases' CRDs, each release rendered by
     * {@code helm} for the cluster's Kubernetes version, in order, and its own objects; every one labelled with the
     * add-on's name.
     */
    public static List<HasMetadata> objects(Addon addon, LatticeCluster cluster, HelmTemplate helm) {
        Map<String, String> labels = Map.of(ADDON_LABEL, addon.name());
        List<HasMetadata> objects = new ArrayList<>();
        for (String namespace : addon.namespaces(cluster)) {
            objects.add(new NamespaceBuilder().withMetadata(Manifests.meta(null, namespace, labels)).build());
        }
        String kubeVersion = ClusterRenderer.kubernetesVersion(cluster);
        List<Release> releases = addon.releases(cluster);
        // Every release's CRDs first, as Helm installs them: a later release's objects may be of their kinds.
        List<String> streams = new ArrayList<>();
        for (Release release : releases) {
            release.crds().forEach(folder -> streams.add(helm.crds(release.chart(), folder)));
        }
        for (Release release : releases) {
            streams.add(helm.render(release.chart(), release.name(), release.namespace(), kubeVersion, release.values()));
        }
        List<Map<String, Object>> trees = new ArrayList<>();
        for (String manifests : streams) {
            trees.addAll(Documents.readStream(manifests));
        }
        addon.extras().forEach(extra -> trees.add(Manifests.tree(extra)));
        for (Map<String, Object> tree : trees) {
            GenericKubernetesResource object = Manifests.object(tree);
            Map<String, String> merged = new LinkedHashMap<>();
            if (object.getMetadata().getLabels() != null) {
                merged.putAll(object.getMetadata().getLabels());
            }
            merged.putAll(labels);
            object.setMetadata(new ObjectMetaBuilder(object.getMetadata()).withLabels(merged).build());
            objects.add(object);
        }
        return objects;
    }
}
