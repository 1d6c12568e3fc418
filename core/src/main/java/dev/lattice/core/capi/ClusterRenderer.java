package dev.lattice.core.capi;

import static dev.lattice.core.render.Tree.orNull;

import dev.lattice.core.model.InstanceType;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.LatticeCluster.Bootstrap;
import dev.lattice.core.model.LatticeCluster.ControlPlaneSpec;
import dev.lattice.core.model.LatticeCluster.NodeTaint;
import dev.lattice.core.model.LatticeCluster.WorkerPoolSpec;
import dev.lattice.core.model.Pool;
import dev.lattice.core.model.Provider;
import dev.lattice.core.model.StaticPool;
import dev.lattice.core.render.CustomObject;
import dev.lattice.core.render.Manifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Renders a LatticeCluster into the Cluster API objects that provision it: the {@code Cluster}, its control plane
 * ({@code KubeadmControlPlane} or {@code RKE2ControlPlane}), and per worker pool a {@code MachineDeployment} with
 * its bootstrap config template, plus the provider's cluster and machine templates. Pure: no client, no
 * environment. A value the cluster and its pool do not give is left as a clusterctl-style {@code ${VARIABLE}}
 * for {@link Variables} to fill from the environment; {@link Rendered#variables()} names them.
 */
public final class ClusterRenderer {
    /** Labels every rendered object carries. */
    public static final String CLUSTER_LABEL = "lattice.dev/cluster";
    public static final String POOL_LABEL = "lattice.dev/worker-pool";
    public static final String AUTOSCALER_MIN = "cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size";
    public static final String AUTOSCALER_MAX = "cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size";
    /** The namespace the Lattice daemon runs in. */
    public static final String DAEMON_NAMESPACE = "lattice-system";
    /** The daemon's Secret that says where its parent is; there once a child's daemon was installed. */
    public static final String PARENT_SECRET = "lattice-parent";
    private static final Pattern PARTIAL_VERSION = Pattern.compile("v?(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    /**
     * A parent cluster that provisions this one: the control plane's first boot fetches the Lattice manifests from
     * its bootstrap endpoint with the one-time token kept in the Secret {@code tokenSecret} (never in the specs), over
     * TLS verified against the parent's certificate authority {@code caPem} (public, so it travels in the spec).
     */
    public record Parent(String host, int bootstrapPort, String tokenSecret, String caPem) {
    }

    /** Where the first control-plane node keeps the parent's CA certificate, which its fetch of the manifests trusts. */
    public static final String PARENT_CA_FILE = "/etc/lattice/parent-ca.crt";

    /** The objects, in the order to apply them, and the variables left for the environment. */
    public record Rendered(String namespace, List<HasMetadata> objects, Set<String> variables) {
        /**
         * Only the objects of the worker pool {@code name} (machine template, bootstrap config template,
         * MachineDeployment) and their variables: what adding that pool to a running cluster creates.
         */
        public Rendered workerPool(String name) {
            List<HasMetadata> own = objects.stream().filter(o -> name.equals(Manifests.labels(o).get(POOL_LABEL))).toList();
            return new Rendered(namespace, own, ClusterRenderer.variables(own));
        }
    }

    private final LatticeCluster cluster;
    private final Pool pool;
    private final Parent parent;
    private final String name;
    private final String namespace;
    private final Provider provider;
    private final Bootstrap bootstrap;
    private final String version;

    private ClusterRenderer(LatticeCluster cluster, Pool pool, Parent parent) {
        this.cluster = cluster;
        this.pool = pool;
        this.parent = parent;
        this.name = cluster.name();
        this.namespace = namespaceOf(cluster);
        this.provider = cluster.provider(pool);
        this.bootstrap = cluster.spec().provider().kubernetes().bootstrap();
        String kubernetes = kubernetesVersion(cluster.spec().provider().kubernetes().version());
        // RKE2's control plane and its machines carry RKE2's release (v1.31.0+rke2r1), and must agree on it.
        this.version = bootstrap == Bootstrap.RKE2 ? rke2Version(kubernetes) : kubernetes;
    }

    /** Renders {@code cluster}, which draws on {@code pool} (null when it names none), under {@code parent} (or null). */
    public static Rendered render(LatticeCluster cluster, Pool pool, Parent parent) {
        return new ClusterRenderer(cluster, pool, parent).render();
    }

    /** The cluster's pod CIDRs: {@code spec.networking.pods}, else kubeadm's default; its CNI's IPAM takes the same. */
    public static List<String> podCidrs(LatticeCluster cluster) {
        LatticeCluster.NetworkingSpec net = cluster.spec().networking();
        return net == null || net.pods().isEmpty() ? List.of("10.244.0.0/16") : net.pods();
    }

    /** The namespace a cluster's CAPI objects live in, on the bootstrap cluster and, after the pivot, its own. */
    public static String namespaceOf(LatticeCluster cluster) {
        return namespaceOf(cluster.name());
    }

    /** The namespace of the cluster named {@code name}. */
    public static String namespaceOf(String name) {
        return "capi-" + name;
    }

    /** The cluster's Kubernetes version as Cluster API and Helm take it: {@code v1.31.0}. */
    public static String kubernetesVersion(LatticeCluster cluster) {
        return kubernetesVersion(cluster.spec().provider().kubernetes().version());
    }

    /** {@code 1.31} → {@code v1.31.0}: CAPI wants a full semantic version with its {@code v}. */
    static String kubernetesVersion(String version) {
        Matcher m = PARTIAL_VERSION.matcher(version);
        if (!m.matches()) {
            return version.startsWith("v") ? version : "v" + version;
        }
        return "v" + m.group(1) + "." + m.group(2) + "." + (m.group(3) == null ? "0" : m.group(3));
    }

    /** {@code v1.31.0} → {@code v1.31.0+rke2r1}, RKE2's first release of it; a version that names its release keeps it. */
    static String rke2Version(String version) {
        return version.contains("+rke2r") ? version : version + "+rke2r1";
    }

    private Rendered render() {
        Infrastructure infra = Infrastructure.of(provider, this);
        List<HasMetadata> objects = new ArrayList<>();
        objects.add(clusterObject(infra));
        objects.add(object(infra.apiVersion(), infra.clusterKind(), name, null, infra.clusterSpec()));
        ControlPlaneSpec cp = cluster.spec().nodes().controlPlane();
        String cpName = name + "-control-plane";
        objects.add(object(infra.apiVersion(), infra.machineTemplateKind(), cpName, null,
                Capi.TemplateSpec.of(infra.machineSpec(cp.instanceType(), cp.rootVolume(), true))));
        objects.add(bootstrap == Bootstrap.RKE2 ? rke2ControlPlane(infra, cpName, cp) : kubeadmControlPlane(infra, cpName, cp));
        for (Map.Entry<String, WorkerPoolSpec> e : new TreeMap<>(cluster.spec().nodes().workerPools()).entrySet()) {
            String poolName = e.getKey();
            WorkerPoolSpec wp = e.getValue();
            String mdName = name + "-" + poolName;
            objects.add(object(infra.apiVersion(), infra.machineTemplateKind(), mdName, poolName,
                    Capi.TemplateSpec.of(infra.machineSpec(wp.instanceType(), wp.rootVolume(), false))));
            objects.add(bootstrap == Bootstrap.RKE2 ? rke2ConfigTemplate(infra, mdName, poolName, wp) : kubeadmConfigTemplate(infra, mdName, poolName, wp));
            objects.add(machineDeployment(infra, mdName, poolName, wp));
        }
        return new Rendered(namespace, objects, variables(objects));
    }

    private HasMetadata clusterObject(Infrastructure infra) {
        LatticeCluster.NetworkingSpec net = cluster.spec().networking();
        List<String> pods = podCidrs(cluster);
        List<String> services = net == null || net.services().isEmpty() ? List.of("10.96.0.0/12") : net.services();
        String domain = net == null || net.serviceDomain() == null ? "cluster.local" : net.serviceDomain();
        String cpKind = bootstrap == Bootstrap.RKE2 ? "RKE2ControlPlane" : "KubeadmControlPlane";
        String cpApi = bootstrap == Bootstrap.RKE2 ? CapiVersions.RKE2_CONTROL_PLANE_API : CapiVersions.KUBEADM_CONTROL_PLANE_API;
        return object(CapiVersions.CLUSTER_API, "Cluster", name, null, new Capi.ClusterSpec(
                new Capi.ClusterNetwork(new Capi.CidrBlocks(pods), new Capi.CidrBlocks(services), domain),
                new Capi.Ref(cpApi, cpKind, name + "-control-plane"),
                new Capi.Ref(infra.apiVersion(), infra.clusterKind(), name)));
    }

    private HasMetadata kubeadmControlPlane(Infrastructure infra, String cpName, ControlPlaneSpec cp) {
        Map<String, String> kubelet = infra.kubeadmKubeletArgs();
        Capi.NodeConfiguration registration = kubelet.isEmpty() ? null : new Capi.NodeConfiguration(new Capi.NodeRegistration(kubelet, null));
        Capi.KubeadmConfigSpec configSpec = new Capi.KubeadmConfigSpec(
                infra.certSans().isEmpty() ? null : new Capi.ClusterConfiguration(new Capi.ApiServer(infra.certSans())),
                registration,
                registration,
                orNull(concat(virtualIp(infra, KubeVip.KUBEADM_MANIFEST, KubeVip.KUBEADM_KUBECONFIG), parentFiles())),
                orNull(infra.virtualIp() != null && KubeVip.needsSuperAdmin(version) ? KubeVip.kubeadmBefore() : List.of()),
                orNull(concat(infra.virtualIp() != null && KubeVip.needsSuperAdmin(version) ? KubeVip.kubeadmAfter() : List.of(),
                        parentCommands("kubectl --kubeconfig /etc/kubernetes/admin.conf"))));
        return object(CapiVersions.KUBEADM_CONTROL_PLANE_API, "KubeadmControlPlane", cpName, null, new Capi.KubeadmControlPlaneSpec(
                cp.replicas(),
                version,
                new Capi.MachineInfrastructure(new Capi.Ref(infra.apiVersion(), infra.machineTemplateKind(), cpName)),
                configSpec));
    }

    private HasMetadata rke2ControlPlane(Infrastructure infra, String cpName, ControlPlaneSpec cp) {
        return object(CapiVersions.RKE2_CONTROL_PLANE_API, "RKE2ControlPlane", cpName, null, new Capi.Rke2ControlPlaneSpec(
                cp.replicas(),
                version,
                new Capi.Ref(infra.apiVersion(), infra.machineTemplateKind(), cpName),
                "control-plane-endpoint",
                new Capi.RolloutStrategy("RollingUpdate", new Capi.RollingUpdate(1)),
                rke2Kubelet(infra, List.of(), List.of()),
                // Cilium is installed by Lattice, so RKE2 brings no CNI of its own; a virtual IP in front of the
                // control plane must be in the API server's certificate.
                new Capi.ServerConfig("none", infra.virtualIp() == null ? null : List.of(infra.virtualIp())),
                orNull(concat(virtualIp(infra, KubeVip.RKE2_MANIFEST, KubeVip.RKE2_KUBECONFIG), parentFiles())),
                rke2Before(infra),
                orNull(parentCommands("/var/lib/rancher/rke2/bin/kubectl --kubeconfig /etc/rancher/rke2/rke2.yaml"))));
    }

    /**
     * An RKE2 node's labels, taints and the kubelet arguments its provider needs; null when there are none. The provider
     * ID is not among them: {@link #rke2Before} adds it on the machine.
     */
    private static Capi.AgentConfig rke2Kubelet(Infrastructure infra, List<String> nodeLabels, List<String> nodeTaints) {
        List<String> args = new TreeMap<>(infra.kubeletArgs()).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        if (nodeLabels.isEmpty() && nodeTaints.isEmpty() && args.isEmpty()) {
            return null;
        }
        return new Capi.AgentConfig(orNull(nodeLabels), orNull(nodeTaints), args.isEmpty() ? null : new Capi.Kubelet(args));
    }

    /** What an RKE2 node runs before RKE2 starts: the kubelet's provider ID, read from cloud-init, where the provider needs it. */
    private static List<String> rke2Before(Infrastructure infra) {
        Infrastructure.ProviderId id = infra.providerId();
        return id == null ? null : List.of(id.rke2Command());
    }

    /** kube-vip's static pod where the provider needs a virtual IP in front of the control plane (see {@link KubeVip}). */
    private static List<Capi.File> virtualIp(Infrastructure infra, String manifest, String kubeconfig) {
        String address = infra.virtualIp();
        return address == null ? List.of() : List.of(KubeVip.file(manifest, address, 6443, kubeconfig));
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** The parent's one-time token, written to the node from its Secret, so no spec ever holds it. */
    private List<Capi.File> parentFiles() {
        if (parent == null) {
            return List.of();
        }
        return List.of(new Capi.File("/etc/lattice/bootstrap-token", "root:root", "0600", null,
                        new Capi.ContentFrom(new Capi.SecretKey(parent.tokenSecret(), "token"))),
                new Capi.File(PARENT_CA_FILE, "root:root", "0644", parent.caPem(), null));
    }

    /**
     * On the first control-plane node: fetch the Lattice daemon's manifests from the parent and apply them. The bearer
     * token goes only to a server whose certificate the parent's CA signed for this host. The token is spent by that
     * fetch, so a control-plane node that joins later finds the daemon's Secret already there and fetches nothing.
     */
    private List<String> parentCommands(String kubectl) {
        if (parent == null) {
            return List.of();
        }
        String url = "https://" + parent.host() + ":" + parent.bootstrapPort() + "/v1/clusters/" + name + "/manifests";
        return List.of(kubectl + " get secret -n " + DAEMON_NAMESPACE + " " + PARENT_SECRET
                + " >/dev/null 2>&1 || curl -fsS --cacert " + PARENT_CA_FILE
                + " --retry 30 --retry-delay 10 -H \"Authorization: Bearer $(cat /etc/lattice/bootstrap-token)\" "
                + url + " | " + kubectl + " apply -f -");
    }

    private HasMetadata kubeadmConfigTemplate(Infrastructure infra, String mdName, String poolName, WorkerPoolSpec wp) {
        Map<String, String> kubelet = infra.kubeadmKubeletArgs();
        if (!wp.labels().isEmpty()) {
            kubelet.put("node-labels", new TreeMap<>(wp.labels()).entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",")));
        }
        List<Capi.Taint> taints = wp.taints().stream().map(t -> new Capi.Taint(t.key(), t.value(), t.effect().wire())).toList();
        Capi.NodeConfiguration join = kubelet.isEmpty() && taints.isEmpty() ? null
                : new Capi.NodeConfiguration(new Capi.NodeRegistration(orNull(kubelet), orNull(taints)));
        return object(CapiVersions.KUBEADM_BOOTSTRAP_API, "KubeadmConfigTemplate", mdName, poolName,
                Capi.TemplateSpec.of(new Capi.KubeadmConfig(join)));
    }

    private HasMetadata rke2ConfigTemplate(Infrastructure infra, String mdName, String poolName, WorkerPoolSpec wp) {
        List<String> nodeLabels = new TreeMap<>(wp.labels()).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        List<String> nodeTaints = wp.taints().stream().map(ClusterRenderer::taint).toList();
        return object(CapiVersions.RKE2_BOOTSTRAP_API, "RKE2ConfigTemplate", mdName, poolName,
                Capi.TemplateSpec.of(new Capi.Rke2Config(rke2Kubelet(infra, nodeLabels, nodeTaints), rke2Before(infra))));
    }

    private static String taint(NodeTaint t) {
        return t.key() + (t.value() == null ? "" : "=" + t.value()) + ":" + t.effect().wire();
    }

    private HasMetadata machineDeployment(Infrastructure infra, String mdName, String poolName, WorkerPoolSpec wp) {
        Map<String, String> selector = new TreeMap<>(Map.of(CapiVersions.CLUSTER_NAME_LABEL, name, POOL_LABEL, poolName));
        String configKind = bootstrap == Bootstrap.RKE2 ? "RKE2ConfigTemplate" : "KubeadmConfigTemplate";
        String configApi = bootstrap == Bootstrap.RKE2 ? CapiVersions.RKE2_BOOTSTRAP_API : CapiVersions.KUBEADM_BOOTSTRAP_API;
        Capi.MachineDeploymentSpec spec = new Capi.MachineDeploymentSpec(
                name,
                // The autoscaler owns the size of an autoscaled pool; Lattice would fight it by writing replicas.
                wp.autoscaling() ? null : wp.replicas() == null ? 0 : wp.replicas(),
                new LabelSelectorBuilder().withMatchLabels(selector).build(),
                new Capi.MachineTemplateSpec(new Capi.MachineMetadata(selector), new Capi.MachineSpec(
                        name,
                        version,
                        new Capi.Bootstrap(new Capi.Ref(configApi, configKind, mdName)),
                        new Capi.Ref(infra.apiVersion(), infra.machineTemplateKind(), mdName))));
        CustomObject<Capi.MachineDeploymentSpec> md = object(CapiVersions.CLUSTER_API, "MachineDeployment", mdName, poolName, spec);
        if (wp.autoscaling()) {
            Map<String, String> sizes = new LinkedHashMap<>();
            sizes.put(AUTOSCALER_MIN, String.valueOf(wp.min()));
            sizes.put(AUTOSCALER_MAX, String.valueOf(wp.max()));
            md.getMetadata().setAnnotations(sizes);
        }
        return md;
    }

    private <S> CustomObject<S> object(String apiVersion, String kind, String objectName, String workerPool, S spec) {
        Map<String, String> labels = new TreeMap<>();
        labels.put(CapiVersions.CLUSTER_NAME_LABEL, name);
        labels.put(CLUSTER_LABEL, name);
        if (workerPool != null) {
            labels.put(POOL_LABEL, workerPool);
        }
        return new CustomObject<>(apiVersion, kind, Manifests.meta(namespace, objectName, labels), spec);
    }

    /** The clusterctl-style variables the objects (or plain trees) refer to. */
    public static Set<String> variables(Object objects) {
        Set<String> out = new TreeSet<>();
        collect(objects, out);
        return out;
    }

    private static void collect(Object node, Set<String> out) {
        if (node instanceof HasMetadata object) {
            collect(Manifests.tree(object), out);
        } else if (node instanceof Map<?, ?> m) {
            m.values().forEach(v -> collect(v, out));
        } else if (node instanceof List<?> l) {
            l.forEach(v -> collect(v, out));
        } else if (node instanceof String s) {
            out.addAll(Variables.referenced(s));
        }
    }

    LatticeCluster cluster() {
        return cluster;
    }

    Pool pool() {
        return pool;
    }

    String name() {
        return name;
    }

    String version() {
        return version;
    }

    /** A pool machine type by name, for providers that need its size rather than its name. */
    Optional<StaticPool.MachineType> machineType(InstanceType type) {
        if (type instanceof InstanceType.Named named && pool instanceof StaticPool sp) {
            return sp.spec().machineTypes().stream().filter(t -> t.name().equals(named.name())).findFirst();
        }
        return Optional.empty();
    }

    /** A value from the pool's providerConfig, when it is a string. */
    Optional<String> poolSetting(String key) {
        if (pool instanceof StaticPool sp && sp.spec().providerConfig().get(key) instanceof String s) {
            return Optional.of(s);
        }
        return Optional.empty();
    }
}
