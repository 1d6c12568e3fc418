package dev.lattice.core.addons;

import dev.lattice.core.LatticeException;
import dev.lattice.core.capi.CapiVersions;
import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.render.CustomObject;
import dev.lattice.core.render.Manifests;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a cluster needs before its nodes can become Ready, its pod network, carried by Cluster API: a
 * {@code ClusterResourceSet} that selects the cluster's {@code Cluster} and ConfigMaps beside it holding the rendered
 * manifests. Cluster API applies them as soon as the new cluster's API answers, and again when they change
 * ({@code Reconcile}); they live in the cluster's Cluster API namespace and carry its name label, so the pivot
 * moves them with the rest.
 */
public final class ClusterResourceSets {
    /** The API of ClusterResourceSets, in the version the rest of the Cluster API objects are written in. */
    public static final String ADDONS_API = "addons.cluster.x-k8s.io/v1beta1";
    /** The most one ConfigMap carries: Kubernetes refuses more than 1 MiB, and the object has a head too. */
    static final int MAX_BYTES = 900 * 1024;

    /** The spec of a ClusterResourceSet. */
    public record Spec(io.fabric8.kubernetes.api.model.LabelSelector clusterSelector, List<Resource> resources, String strategy) {
    }

    /** A ConfigMap or Secret whose manifests a ClusterResourceSet applies. */
    public record Resource(String kind, String name) {
    }

    private ClusterResourceSets() {
    }

    /** The ClusterResourceSet of {@code cluster}'s network (Cilium, rendered for it by {@code helm}) and its ConfigMaps. */
    public static List<HasMetadata> network(LatticeCluster cluster, HelmTemplate helm) {
        String manifests = helm.render(Chart.CILIUM, "cilium", "kube-system", ClusterRenderer.kubernetesVersion(cluster),
                CiliumValues.of(cluster));
        return of(cluster, "network", Chart.CILIUM, manifests);
    }

    /** The name of {@code cluster}'s network ClusterResourceSet. */
    public static String networkName(LatticeCluster cluster) {
        return cluster.name() + "-network";
    }

    /**
     * The set {@code NAME-PURPOSE} with the ConfigMaps that hold {@code manifests} (a YAML stream), cut between
     * documents where one ConfigMap would be too large, in their order.
     */
    static List<HasMetadata> of(LatticeCluster cluster, String purpose, Chart chart, String manifests) {
        String namespace = ClusterRenderer.namespaceOf(cluster);
        Map<String, String> labels = new TreeMap<>();
        labels.put(CapiVersions.CLUSTER_NAME_LABEL, cluster.name());
        labels.put(ClusterRenderer.CLUSTER_LABEL, cluster.name());
        // clusterctl move takes a ConfigMap along only when it is labelled so (our own move goes by the cluster name).
        labels.put("clusterctl.cluster.x-k8s.io/move", "");
        List<HasMetadata> objects = new ArrayList<>();
        List<Resource> resources = new ArrayList<>();
        List<String> chunks = chunks(manifests, chart);
        for (int i = 0; i < chunks.size(); i++) {
            String name = cluster.name() + "-" + chart.name() + (i == 0 ? "" : "-" + (i + 1));
            resources.add(new Resource("ConfigMap", name));
            Map<String, String> annotations = new TreeMap<>(Map.of("lattice.dev/chart", chart.name() + "-" + chart.version()));
            objects.add(new ConfigMapBuilder().withMetadata(Manifests.meta(namespace, name, labels))
                    .editMetadata().withAnnotations(annotations).endMetadata()
                    .withData(Map.of(chart.name() + ".yaml", chunks.get(i))).build());
        }
        Map<String, String> setLabels = new TreeMap<>(labels);
        setLabels.remove("clusterctl.cluster.x-k8s.io/move");
        // Selects the Cluster by the label every rendered Cluster API object carries.
        Spec spec = new Spec(new LabelSelectorBuilder().withMatchLabels(Map.of(ClusterRenderer.CLUSTER_LABEL, cluster.name())).build(),
                resources, "Reconcile");
        objects.add(new CustomObject<>(ADDONS_API, "ClusterResourceSet", Manifests.meta(namespace, cluster.name() + "-" + purpose, setLabels), spec));
        return objects;
    }

    /** The stream cut into pieces of whole documents, each at most {@link #MAX_BYTES}; refused when one document is larger. */
    static List<String> chunks(String manifests, Chart chart) {
        List<String> chunks = new ArrayList<>();
        StringBuilder chunk = new StringBuilder();
        int bytes = 0;
        for (String document : manifests.split("(?m)^---[ \\t]*$")) {
            if (document.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
                continue; // a template that rendered nothing but its "# Source:" comment
            }
            String text = "---\n" + document.strip() + "\n";
            int size = text.getBytes(StandardCharsets.UTF_8).length;
            if (size > MAX_BYTES) {
                throw new LatticeException("one object of the chart " + chart.name() + " " + chart.version() + " is " + size
                        + " bytes, more than a ConfigMap holds (" + MAX_BYTES + ")", null);
            }
            if (bytes + size > MAX_BYTES) {
                chunks.add(chunk.toString());
                chunk.setLength(0);
                bytes = 0;
            }
            chunk.append(text);
            bytes += size;
        }
        if (bytes > 0) {
            chunks.add(chunk.toString());
        }
        return chunks;
    }
}
