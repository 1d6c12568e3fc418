package dev.lattice.core.install;

import dev.lattice.core.LatticeException;
import dev.lattice.core.addons.AddonCost;
import dev.lattice.core.addons.Chart;
import dev.lattice.core.addons.ClusterAddons;
import dev.lattice.core.addons.ClusterResourceSets;
import dev.lattice.core.addons.HelmTemplate;
import dev.lattice.core.capacity.PoolAccounting;
import dev.lattice.core.capi.CapiVersions;
import dev.lattice.core.capi.CapiVersions.Component;
import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.capi.Variables;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.Quantity;
import dev.lattice.core.model.LatticeCluster.WorkerPoolSpec;
import dev.lattice.core.model.Pool;
import dev.lattice.core.model.Provider;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.plan.Plan;
import dev.lattice.core.render.Manifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What {@code lattice install} will do for one LatticeCluster, decided before anything is touched: the provider
 * components and where each comes from, the Cluster API objects for the bootstrap cluster (with clusterctl-style
 * variables filled from the environment), and the steps in order. Pure: the caller says where components come from.
 */
public record InstallPlan(LatticeCluster cluster, Pool pool, Provider provider, String namespace, List<Source> components,
                          List<HasMetadata> objects, Map<ClusterAddons.Addon, List<HasMetadata>> addonObjects, List<String> steps,
                          Set<String> missingVariables) {

    /** Where a component's manifest comes from. */
    public record Source(Component component, String from) {
    }

    /** An add-on the cluster gets: its chart and version, and how it reaches the cluster. */
    public record Addon(String chart, String version, String delivery) {
    }

    /** The add-ons the cluster gets with its install. */
    public List<Addon> addons() {
        return addons(cluster);
    }

    /**
     * The charts {@code cluster} gets: its network by Cluster API as soon as its API answers, then the add-ons its spec
     * turns on, applied by the install once it is up and kept by its daemon.
     */
    public static List<Addon> addons(LatticeCluster cluster) {
        List<Addon> addons = new ArrayList<>();
        addons.add(new Addon(Chart.CILIUM.title(), Chart.CILIUM.version(),
                "ClusterResourceSet " + ClusterResourceSets.networkName(cluster) + " (as soon as its API answers)"));
        for (ClusterAddons.Addon addon : ClusterAddons.wanted(cluster)) {
            for (ClusterAddons.Release r : addon.releases(cluster)) {
                addons.add(new Addon(r.chart().title(), r.chart().version(), "add-on " + addon.name() + ": release " + r.name() + " in "
                        + r.namespace() + ", applied once the cluster is up, then kept by its daemon"));
            }
        }
        return addons;
    }

    /**
     * What one add-on's pods ask of a cluster, as requests: its cluster-wide pods once, its DaemonSets' on every node
     * (so an upper bound: some select only some nodes), and the volumes they claim.
     */
    public record AddonRequests(String addon, String description, String cpu, String memory, String storage) {
    }

    /** What each add-on {@code cluster}'s spec turns on asks of it, for its nodes (control plane and workers at their most). */
    public static List<AddonRequests> requests(LatticeCluster cluster) {
        int nodes = cluster.spec().nodes().controlPlane().replicas()
                + cluster.spec().nodes().workerPools().values().stream().mapToInt(LatticeCluster.WorkerPoolSpec::reservedNodes).sum();
        List<AddonRequests> out = new ArrayList<>();
        for (ClusterAddons.Addon addon : ClusterAddons.wanted(cluster)) {
            AddonCost cost = addon.cost();
            out.add(new AddonRequests(addon.name(), addon.description(), Quantity.ofMillis(cost.cpuMillis(nodes)).toString(),
                    Quantity.ofBytes(BigInteger.valueOf(cost.memoryBytes(nodes))).toString(),
                    Quantity.ofBytes(BigInteger.valueOf(cost.storageBytes())).toString()));
        }
        return out;
    }

    /** All objects the install applies to the new cluster itself for its add-ons, in order. */
    public List<HasMetadata> allAddonObjects() {
        return addonObjects.values().stream().flatMap(List::stream).toList();
    }

    /**
     * Plans the install of the one LatticeCluster of the plan's inputs (or the one named {@code name}), refused
     * when the plan's pools cannot hold it; {@code source} says where each component's manifest would come from.
     */
    public static InstallPlan of(Plan plan, String name, Function<String, String> environment, Function<Component, String> source,
                                 HelmTemplate helm) {
        Inputs inputs = plan.inputs();
        LatticeCluster cluster = choose(inputs, name);
        List<PoolAccounting.Refusal> refusals = plan.pools().refusals().stream()
                .filter(r -> r.cluster().equals(cluster.name())).toList();
        if (!refusals.isEmpty()) {
            throw new LatticeException(String.join("\n", refusals.stream().map(r -> r.location() + ": " + r.message()).toList()),
                    "nothing was changed; give the pool more capacity or budget, or make the cluster smaller",
                    LatticeException.UNPLACEABLE, null);
        }
        Pool pool = inputs.poolOf(cluster).orElse(null);
        Provisioning rendered = provisioning(cluster, pool, null, environment, helm);
        Provider provider = cluster.provider(pool);
        List<Source> sources = new ArrayList<>();
        for (Component c : CapiVersions.componentsFor(provider, cluster.spec().provider().kubernetes().bootstrap())) {
            sources.add(new Source(c, source.apply(c)));
        }
        Map<ClusterAddons.Addon, List<HasMetadata>> addons = new LinkedHashMap<>();
        for (ClusterAddons.Addon addon : ClusterAddons.wanted(cluster)) {
            addons.put(addon, ClusterAddons.objects(addon, cluster, helm));
        }
        return new InstallPlan(cluster, pool, provider, rendered.namespace(), sources, rendered.objects(), addons,
                steps(cluster, provider, sources, rendered.objects(), rendered.namespace()), rendered.missingVariables());
    }

    /**
     * The objects that provision a cluster: its namespace, the ClusterResourceSet that gives it its network, then its
     * Cluster API objects, variables filled.
     */
    public record Provisioning(String namespace, List<HasMetadata> objects, Set<String> missingVariables) {
    }

    /**
     * Renders what provisions {@code cluster} (its nodes fetch the daemon's manifests from {@code at}, when given),
     * with clusterctl-style variables filled from {@code environment}; the unset ones are listed, not refused. Its
     * network's chart is rendered by {@code helm}.
     */
    public static Provisioning provisioning(LatticeCluster cluster, Pool pool, ClusterRenderer.Parent at, Function<String, String> environment,
                                            HelmTemplate helm) {
        ClusterRenderer.Rendered rendered = ClusterRenderer.render(cluster, pool, at);
        Set<String> missing = new TreeSet<>();
        List<HasMetadata> objects = new ArrayList<>();
        objects.add(new NamespaceBuilder()
                .withMetadata(Manifests.meta(null, rendered.namespace(), Map.of(ClusterRenderer.CLUSTER_LABEL, cluster.name()))).build());
        objects.addAll(ClusterResourceSets.network(cluster, helm));
        for (HasMetadata object : rendered.objects()) {
            objects.add(fill(object, environment, missing));
        }
        return new Provisioning(rendered.namespace(), objects, missing);
    }

    private static LatticeCluster choose(Inputs inputs, String name) {
        List<LatticeCluster> clusters = inputs.clusters();
        if (name != null) {
            return inputs.cluster(name)
                    .orElseThrow(() -> new LatticeException("no LatticeCluster named \"" + name + "\" in the inputs",
                            clusters.isEmpty() ? "add its file with -f" : "the inputs have: " + names(clusters)));
        }
        if (clusters.size() != 1) {
            throw new LatticeException("install takes one LatticeCluster, and the inputs have " + clusters.size()
                    + (clusters.isEmpty() ? "" : " (" + names(clusters) + ")"),
                    clusters.isEmpty() ? "add the cluster's file with -f" : "choose one with --name NAME");
        }
        return clusters.get(0);
    }

    private static String names(List<LatticeCluster> clusters) {
        return String.join(", ", clusters.stream().map(LatticeCluster::name).toList());
    }

    /** The object with its variables filled: as it was when it has none, else as the tree it is written as. */
    private static HasMetadata fill(HasMetadata object, Function<String, String> environment, Set<String> missing) {
        Map<String, Object> tree = Manifests.tree(object);
        if (ClusterRenderer.variables(tree).isEmpty()) {
            return object;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> filled = (Map<String, Object>) fill(tree, environment, missing);
        return Manifests.object(filled);
    }

    /** {@code node} with clusterctl-style {@code ${VARIABLE}}s filled from {@code environment}; the unset ones go to {@code missing}. */
    static Object fill(Object node, Function<String, String> environment, Set<String> missing) {
        if (node instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put((String) k, fill(v, environment, missing)));
            return out;
        }
        if (node instanceof List<?> l) {
            return l.stream().map(v -> fill(v, environment, missing)).toList();
        }
        if (node instanceof String s && s.contains("${")) {
            Variables.Result r = Variables.substitute(s, environment);
            missing.addAll(r.missing());
            return r.text();
        }
        return node;
    }

    private static List<String> steps(LatticeCluster cluster, Provider provider, List<Source> sources,
                                      List<HasMetadata> objects, String namespace) {
        String name = cluster.name();
        int controlPlane = cluster.spec().nodes().controlPlane().replicas();
        int workers = cluster.spec().nodes().workerPools().values().stream().mapToInt(WorkerPoolSpec::initialNodes).sum();
        List<String> steps = new ArrayList<>();
        steps.add("create the bootstrap cluster lattice-bootstrap-<run id> (kind)");
        for (Source s : sources) {
            Component c = s.component();
            steps.add("install " + c.name() + " " + c.version() + " (" + c.type().name().toLowerCase().replace('_', '-')
                    + ") from " + s.from());
        }
        if (provider == Provider.OPENSTACK) {
            steps.add("copy the pool's OpenStack credentials into Secret " + namespace + "/" + name + "-cloud-config");
        }
        steps.add("apply " + objects.size() + " objects for " + name + " (namespace " + namespace + "), its network among them: "
                + "Cilium " + Chart.CILIUM.version() + " in ClusterResourceSet " + ClusterResourceSets.networkName(cluster));
        steps.add("wait until " + controlPlane + " control-plane and " + workers + " worker machines are ready");
        steps.add("fetch the kubeconfig of " + name);
        List<ClusterAddons.Addon> addons = ClusterAddons.wanted(cluster);
        if (!addons.isEmpty()) {
            steps.add("install the add-ons of " + name + ": " + String.join(", ", addons.stream().map(a -> a.name() + " (" + a.description()
                    + ": " + String.join(", ", a.releases(cluster).stream().map(ClusterAddons.Release::name).toList()) + ")").toList()));
        }
        steps.add("install cert-manager, the Cluster API providers and the Lattice daemon into " + name);
        steps.add("pivot: move the Cluster API objects of " + name + " from the bootstrap cluster into " + name);
        steps.add("apply the LatticeCluster " + name + " in " + name + " (status pivotComplete, bootstrapComplete)");
        steps.add("delete the bootstrap cluster");
        steps.add("write the kubeconfig of " + name);
        return steps;
    }
}
