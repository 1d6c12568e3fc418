package dev.lattice.core.addons;

import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.io.Documents;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.render.Manifests;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The add-ons a cluster's spec turns on once the cluster is up, each a set of Helm releases that the install applies
 * and the cluster's daemon keeps as the spec says: applied while the flag is on, removed when it is turned off. (The
 * network is not among them: it must be there before the nodes are Ready, so Cluster API brings it, see
 * {@link ClusterResourceSets}.)
 */
public final class ClusterAddons {
    /** Which add-on an object belongs to. */
    public static final String ADDON_LABEL = "lattice.dev/addon";

    /** One Helm release of an add-on: its chart, release name, namespace and {@code --set} values in order. */
    public record Release(Chart chart, String name, String namespace, Map<String, String> values) {
    }

    /**
     * An add-on: its name, the releases it is made of in the order they are installed, and the names of the ClusterRoles
     * and Roles they create (a daemon may write and bind those roles, and no others; a test holds the list to the charts).
     */
    public record Addon(String name, String description, List<Release> releases, List<String> roles) {
        /** Its namespaces, created before its objects and removed with them. */
        public List<String> namespaces() {
            return releases.stream().map(Release::namespace).distinct().filter(n -> !n.equals("kube-system")).toList();
        }
    }

    /**
     * {@code services: true}: Istio in ambient mode, the documented Helm install. istiod and istio-cni take the ambient
     * profile (istiod then serves ambient workloads and HBONE, istio-cni redirects their traffic to ztunnel); base and
     * ztunnel need none.
     */
    public static final Addon MESH = new Addon("mesh", "Istio " + Chart.ISTIOD.version() + " in ambient mode", List.of(
            new Release(Chart.ISTIO_BASE, "istio-base", "istio-system", Map.of()),
            new Release(Chart.ISTIOD, "istiod", "istio-system", Map.of("profile", "ambient")),
            new Release(Chart.ISTIO_CNI, "istio-cni", "istio-system", Map.of("profile", "ambient")),
            new Release(Chart.ZTUNNEL, "ztunnel", "istio-system", Map.of())),
            List.of("istiod-clusterrole-istio-system", "istiod-gateway-controller-istio-system", "istio-reader-clusterrole-istio-system",
                    "istio-cni", "istio-cni-repair-role", "istio-cni-ambient", "istiod"));

    /** Every add-on a daemon keeps; one the spec does not turn on is removed. */
    public static final List<Addon> ALL = List.of(MESH);

    private ClusterAddons() {
    }

    /** The add-ons {@code cluster}'s spec turns on. */
    public static List<Addon> wanted(LatticeCluster cluster) {
        List<Addon> wanted = new ArrayList<>();
        if (cluster.spec().services()) {
            wanted.add(MESH);
        }
        return wanted;
    }

    /**
     * The objects of {@code addon} for {@code cluster}: its namespaces, then each release rendered by {@code helm} for
     * the cluster's Kubernetes version, in order; every object labelled with the add-on's name.
     */
    public static List<HasMetadata> objects(Addon addon, LatticeCluster cluster, HelmTemplate helm) {
        Map<String, String> labels = Map.of(ADDON_LABEL, addon.name());
        List<HasMetadata> objects = new ArrayList<>();
        for (String namespace : addon.namespaces()) {
            objects.add(new NamespaceBuilder().withMetadata(Manifests.meta(null, namespace, labels)).build());
        }
        String kubeVersion = ClusterRenderer.kubernetesVersion(cluster);
        for (Release release : addon.releases()) {
            String manifests = helm.render(release.chart(), release.name(), release.namespace(), kubeVersion, release.values());
            for (Map<String, Object> tree : Documents.readStream(manifests)) {
                GenericKubernetesResource object = Manifests.object(tree);
                Map<String, String> merged = new LinkedHashMap<>();
                if (object.getMetadata().getLabels() != null) {
                    merged.putAll(object.getMetadata().getLabels());
                }
                merged.putAll(labels);
                object.setMetadata(new ObjectMetaBuilder(object.getMetadata()).withLabels(merged).build());
                objects.add(object);
            }
        }
        return objects;
    }
}
