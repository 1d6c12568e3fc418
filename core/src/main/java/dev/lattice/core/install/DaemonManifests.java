package dev.lattice.core.install;

import dev.lattice.core.addons.ClusterAddons;
import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.crd.CrdGenerator;
import dev.lattice.core.model.Kind;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.render.Manifests;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What runs the Lattice daemon in a cluster: its CRDs, namespace, service account, RBAC (only what its reconcilers
 * touch) and Deployment. Pure; {@code lattice install} applies it to every cluster it creates.
 */
public final class DaemonManifests {
    public static final String NAMESPACE = dev.lattice.core.capi.ClusterRenderer.DAEMON_NAMESPACE;
    public static final String NAME = "lattice-daemon";
    /** The daemon image {@code lattice install} deploys unless told otherwise. */
    public static final String DEFAULT_IMAGE = "ghcr.io/lattice-dev/lattice-daemon:0.1.0";
    /** Health, readiness and Prometheus metrics are served on this port. */
    public static final int HTTP_PORT = 8080;
    /** The label the leading replica's pod carries: only it serves children, so the parent's Service selects it alone. */
    public static final String LEADER_LABEL = "lattice.dev/leader";
    /** The Service that exposes a parent's endpoints to its children. */
    public static final String PARENT_SERVICE = "lattice-parent";
    /** The ClusterRole with Secrets, bound only in the namespaces Lattice owns. */
    public static final String SECRETS_ROLE = NAME + "-secrets";
    /** The Cluster API groups whose objects a pivot moves. */
    private static final List<String> CAPI_GROUPS = List.of("cluster.x-k8s.io", "bootstrap.cluster.x-k8s.io",
            "controlplane.cluster.x-k8s.io", "infrastructure.cluster.x-k8s.io", "addons.cluster.x-k8s.io", "ipam.cluster.x-k8s.io",
            "runtime.cluster.x-k8s.io");
    /** The binding that makes Velero's server cluster-admin. */
    static final String VELERO_BINDING = "lattice-velero-server";
    /** Where the daemon's pod keeps downloaded charts ($XDG_CACHE_HOME): a volume, as the root file system is read-only. */
    static final String CACHE_DIR = "/var/cache/lattice-daemon";
    private static final List<String> ALL = List.of("get", "list", "watch", "create", "update", "patch", "delete");
    private static final Map<String, String> LABELS =
            Collections.unmodifiableSortedMap(new TreeMap<>(Map.of("app.kubernetes.io/name", NAME, "app.kubernetes.io/part-of", "lattice")));

    private DaemonManifests() {
    }

    /** The objects, CRDs and namespace first, for a daemon that manages the LatticeCluster {@code clusterName}. */
    public static List<HasMetadata> render(String clusterName, String image) {
        List<HasMetadata> out = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            out.add(CrdGenerator.crd(kind));
        }
        out.add(namespace(NAMESPACE));
        // Its own Cluster API objects move in here; the daemon hands them back from here when it is unpivoted.
        out.add(namespace(ClusterRenderer.namespaceOf(clusterName)));
        out.add(new ServiceAccountBuilder().withMetadata(meta(NAMESPACE, NAME)).build());
        out.add(new ClusterRoleBuilder().withMetadata(meta(null, NAME)).withRules(clusterRules()).build());
        out.add(new ClusterRoleBindingBuilder().withMetadata(meta(null, NAME))
                .withRoleRef(roleRef("ClusterRole", NAME)).withSubjects(subject()).build());
        // Velero (the backups add-on) backs up and restores every object, as cluster-admin, which `velero install` binds too.
        // The install binds it, so that the daemon, which installs Velero later, never needs to bind a role it does not hold.
        out.add(new ClusterRoleBindingBuilder().withMetadata(meta(null, VELERO_BINDING)).withRoleRef(roleRef("ClusterRole", "cluster-admin"))
                .withSubjects(new SubjectBuilder().withKind("ServiceAccount").withName(ClusterAddons.VELERO_SERVER_ACCOUNT)
                        .withNamespace(ClusterAddons.VELERO_NAMESPACE).build()).build());
        out.add(new ClusterRoleBuilder().withMetadata(meta(null, SECRETS_ROLE)).withRules(rule("", List.of("secrets"), ALL)).build());
        // Secrets only where Lattice keeps them: its own namespace and its Cluster API namespace (a parent binds the
        // same role in each child's namespace as it creates it: secretsBinding).
        out.add(secretsBinding(NAMESPACE));
        out.add(secretsBinding(ClusterRenderer.namespaceOf(clusterName)));
        // Leader election: one Lease in its own namespace.
        out.add(new RoleBuilder().withMetadata(meta(NAMESPACE, NAME))
                .withRules(rule("coordination.k8s.io", List.of("leases"), List.of("get", "list", "watch", "create", "update", "patch")),
                        // The leader labels its own pod (LEADER_LABEL).
                        rule("", List.of("pods"), List.of("get", "patch"))).build());
        out.add(new RoleBindingBuilder().withMetadata(meta(NAMESPACE, NAME)).withRoleRef(roleRef("Role", NAME)).withSubjects(subject()).build());
        out.add(deployment(clusterName, image));
        // A drain takes one replica at a time: the other leads while it moves.
        out.add(new PodDisruptionBudgetBuilder().withMetadata(meta(NAMESPACE, NAME)).withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withNewSelector().withMatchLabels(Map.of("app.kubernetes.io/name", NAME)).endSelector().endSpec().build());
        return out;
    }

    /**
     * The Service, of the type {@code parentConfig.service} names, that takes children to a parent's agent stream and
     * bootstrap endpoint, and users to its proxy of the children's APIs (on the ports it serves them): to the leading replica's pod only, the one that serves them.
     * {@code parentConfig.host} is the address children dial, so it must be where this Service answers (the load
     * balancer's address, or a node's for NodePort).
     */
    public static io.fabric8.kubernetes.api.model.Service parentService(LatticeCluster.EndpointsSpec parent, int agentPort, int bootstrapPort,
                                                                        int proxyPort) {
        Map<String, String> selector = new TreeMap<>(Map.of("app.kubernetes.io/name", NAME, LEADER_LABEL, "true"));
        return new ServiceBuilder().withMetadata(meta(NAMESPACE, PARENT_SERVICE))
                .withNewSpec().withType(parent.service().type().wire()).withSelector(selector)
                .addNewPort().withName("agent").withProtocol("TCP").withPort(agentPort).withTargetPort(new IntOrString(agentPort)).endPort()
                .addNewPort().withName("bootstrap").withProtocol("TCP").withPort(bootstrapPort).withTargetPort(new IntOrString(bootstrapPort))
                .endPort()
                .addNewPort().withName("proxy").withProtocol("TCP").withPort(proxyPort).withTargetPort(new IntOrString(proxyPort)).endPort()
                .endSpec().build();
    }

    /** The RoleBinding that lets the daemon use Secrets in {@code namespace}, one Lattice owns. */
    public static RoleBinding secretsBinding(String namespace) {
        return new RoleBindingBuilder().withMetadata(meta(namespace, SECRETS_ROLE))
                .withRoleRef(roleRef("ClusterRole", SECRETS_ROLE)).withSubjects(subject()).build();
    }

    private static List<PolicyRule> clusterRules() {
        List<String> lattice = new ArrayList<>();
        List<String> statuses = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            lattice.add(kind.plural());
            statuses.add(kind.plural() + "/status");
        }
        List<String> apply = List.of("get", "list", "watch", "create", "patch", "delete");
        List<PolicyRule> rules = new ArrayList<>(List.of(
                // Informers on every Lattice kind; finalizers on LatticeClusters; status on all. A child's agent
                // applies and deletes what its parent places there.
                rule(Kind.GROUP, lattice, List.of("get", "list", "watch", "update", "patch")),
                rule(Kind.GROUP, statuses, List.of("get", "update", "patch")),
                // A warm pool's clusters: a parent makes them and deletes them to replace them.
                rule(Kind.GROUP, List.of(Kind.LATTICE_CLUSTER.plural()), List.of("create", "delete")),
                // Its CRDs, installed on start with server-side apply; a pivot reads which provider CRDs there are; the
                // add-ons' CRDs come and go with their flags.
                rule("apiextensions.k8s.io", List.of("customresourcedefinitions"), List.of("get", "list", "watch", "create", "patch", "delete"))));
        // Worker-pool scaling and status from Cluster API, and provisioning, pivoting and unpivoting children: a pivot
        // moves the objects of every provider CRD installed, whatever its kinds, so these groups are whole.
        for (String group : CAPI_GROUPS) {
            rules.add(rule(group, List.of("*"), ALL));
        }
        rules.addAll(List.of(
                // Compiled workloads, in the namespaces of the services placed here, and those namespaces.
                rule("", List.of("namespaces"), List.of("get", "list", "watch", "create", "patch")),
                rule("", List.of("services", "serviceaccounts", "configmaps", "persistentvolumeclaims"), apply),
                rule("apps", List.of("deployments"), apply),
                rule("cilium.io", List.of("ciliumnetworkpolicies"), apply),
                rule("security.istio.io", List.of("authorizationpolicies", "peerauthentications"), apply),
                rule("networking.istio.io", List.of("serviceentries"), apply),
                rule("keda.sh", List.of("scaledobjects"), apply),
                // Secrets: none here. A parent binds the Secrets role in each child's namespace as it creates it, and in
                // each namespace a ClusterClaim hands out a kubeconfig in (the RoleBindings are below, with the add-ons'),
                // and of the roles that grant Secrets may bind that one only.
                new PolicyRuleBuilder().withApiGroups("rbac.authorization.k8s.io").withResources("clusterroles")
                        .withVerbs("bind").withResourceNames(SECRETS_ROLE).build(),
                rule("", List.of("nodes"), List.of("get", "list", "watch")),
                // The add-ons (ClusterAddons: Istio, VictoriaMetrics and KEDA, NFD and NVIDIA's device plugin, Velero) it keeps as their flags say, as Helm would install them. Their own
                // RBAC among them: it may write and bind those roles by name, and no others.
                rule("", List.of("namespaces"), List.of("delete")),
                rule("apps", List.of("daemonsets"), apply),
                rule("autoscaling", List.of("horizontalpodautoscalers"), apply),
                rule("admissionregistration.k8s.io", List.of("mutatingwebhookconfigurations", "validatingwebhookconfigurations"), apply),
                // monitoring: KEDA's external metrics API; VictoriaMetrics' storage, agent and what it scrapes.
                rule("apiregistration.k8s.io", List.of("apiservices"), apply),
                rule("operator.victoriametrics.com", List.of("vmsingles", "vmagents", "vmservicescrapes", "vmnodescrapes", "vmpodscrapes"), apply),
                // backups: Velero's storage location and schedule; its backups are read for the cluster's status.
                rule("velero.io", List.of("backupstoragelocations", "schedules"), apply),
                rule("velero.io", List.of("backups"), List.of("get", "list", "watch")),
                rule("rbac.authorization.k8s.io", List.of("clusterroles", "clusterrolebindings", "roles", "rolebindings"), apply),
                new PolicyRuleBuilder().withApiGroups("rbac.authorization.k8s.io").withResources("clusterroles", "roles")
                        .withVerbs("escalate", "bind").withResourceNames(addonRoles()).build(),
                rule("", List.of("events"), List.of("create", "patch")),
                // A parent's proxy port asks its API server who a caller is and whether they may use a child's proxy.
                rule("authentication.k8s.io", List.of("tokenreviews"), List.of("create")),
                rule("authorization.k8s.io", List.of("subjectaccessreviews"), List.of("create"))));
        return rules;
    }

    /** The roles the add-ons create or bind. */
    private static List<String> addonRoles() {
        return ClusterAddons.ALL.stream().flatMap(a -> a.roles().stream()).distinct().sorted().toList();
    }

    private static PolicyRule rule(String group, List<String> resources, List<String> verbs) {
        return new PolicyRuleBuilder().withApiGroups(group).withResources(resources).withVerbs(verbs).build();
    }

    private static RoleRef roleRef(String kind, String name) {
        return new RoleRef("rbac.authorization.k8s.io", kind, name);
    }

    private static Subject subject() {
        return new SubjectBuilder().withKind("ServiceAccount").withName(NAME).withNamespace(NAMESPACE).build();
    }

    private static Namespace namespace(String name) {
        return new NamespaceBuilder().withMetadata(meta(null, name)).build();
    }

    private static ObjectMeta meta(String namespace, String name) {
        return Manifests.meta(namespace, name, LABELS);
    }

    private static Deployment deployment(String clusterName, String image) {
        Map<String, String> scrape = new LinkedHashMap<>();
        scrape.put("prometheus.io/scrape", "true");
        scrape.put("prometheus.io/port", String.valueOf(HTTP_PORT));
        scrape.put("prometheus.io/path", "/metrics");
        Container container = new ContainerBuilder()
                .withName("daemon")
                .withImage(image)
                // Its own image is what it installs into the children it provisions.
                .withArgs("--cluster-name", clusterName, "--daemon-image", image)
                // The replica's name in the leader-election Lease.
                .addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef()
                .endValueFrom().endEnv()
                // The root file system is read-only: the chart cache (where the Helm library also unpacks itself, so
                // it must allow executables, as an emptyDir does) and temporary files live on volumes of their own.
                .addNewEnv().withName("XDG_CACHE_HOME").withValue(CACHE_DIR).endEnv()
                .addNewVolumeMount().withName("cache").withMountPath(CACHE_DIR).endVolumeMount()
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                .addNewPort().withName("http").withContainerPort(HTTP_PORT).endPort()
                // Served only on a parent (spec.parentConfig); its children dial these.
                .addNewPort().withName("agent").withContainerPort(50051).endPort()
                .addNewPort().withName("bootstrap").withContainerPort(8443).endPort()
                .addNewPort().withName("proxy").withContainerPort(8081).endPort()
                // Up to a minute to start (informers list a fleet) before liveness counts.
                .withStartupProbe(new ProbeBuilder(httpProbe("/healthz", 2)).withFailureThreshold(30).build())
                .withLivenessProbe(httpProbe("/healthz", 10))
                .withReadinessProbe(httpProbe("/readyz", 5))
                // The image's heap is half the limit (-XX:MaxRAMPercentage=50). Measured (ScaleBench): 240 MiB resident at
                // 1,000 services, 318 MiB at 5,000; a standby replica about 100 MiB.
                .withNewResources()
                .addToRequests("cpu", new Quantity("100m")).addToRequests("memory", new Quantity("256Mi"))
                .addToLimits("memory", new Quantity("384Mi"))
                .endResources()
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true).withRunAsNonRoot(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .build();
        return new DeploymentBuilder()
                .withMetadata(meta(NAMESPACE, NAME))
                .withNewSpec()
                // Two replicas, leader-elected, so a node's loss never stops reconciling.
                .withReplicas(2)
                .withNewSelector().withMatchLabels(Map.of("app.kubernetes.io/name", NAME)).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(LABELS).withAnnotations(scrape).endMetadata()
                .withNewSpec().withServiceAccountName(NAME).withContainers(container)
                .addNewVolume().withName("cache").withNewEmptyDir().withSizeLimit(new Quantity("256Mi")).endEmptyDir().endVolume()
                .addNewVolume().withName("tmp").withNewEmptyDir().withSizeLimit(new Quantity("128Mi")).endEmptyDir().endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    private static Probe httpProbe(String path, int periodSeconds) {
        return new ProbeBuilder().withNewHttpGet().withPath(path).withPort(new IntOrString("http")).endHttpGet()
                .withPeriodSeconds(periodSeconds).build();
    }
}
