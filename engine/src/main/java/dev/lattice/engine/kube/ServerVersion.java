package dev.lattice.engine.kube;

import dev.lattice.core.install.DaemonManifests;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Optional;

/**
 * What runs in a cluster: its Kubernetes version and the Lattice daemon's, read from the daemon's Deployment the
 * way {@code cilium version} reads its agent's (the image tag is the version the daemon was built as).
 */
public record ServerVersion(String server, String kubernetes, Optional<Daemon> daemon) {

    /** The daemon's Deployment: its image, the version that image is tagged with, and how many replicas are ready. */
    public record Daemon(String version, String image, int ready, int replicas) {
    }

    /** Asks the cluster; throws {@link dev.lattice.core.LatticeException} when it cannot be reached. */
    public static ServerVersion read(KubernetesClient client) {
        String server = client.getMasterUrl().toString();
        try {
            String kubernetes = client.getKubernetesVersion().getGitVersion();
            Deployment d = client.apps().deployments().inNamespace(DaemonManifests.NAMESPACE).withName(DaemonManifests.NAME).get();
            return new ServerVersion(server, kubernetes, Optional.ofNullable(d).map(ServerVersion::daemon));
        } catch (KubernetesClientException e) {
            throw LiveInputs.unreachable(client, "read the version", e);
        }
    }

    private static Daemon daemon(Deployment d) {
        String image = d.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> DaemonManifests.NAME.equals(c.getName())).findFirst()
                .or(() -> d.getSpec().getTemplate().getSpec().getContainers().stream().findFirst())
                .map(c -> c.getImage()).orElse("");
        int ready = d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0 : d.getStatus().getReadyReplicas();
        int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        return new Daemon(tag(image), image, ready, replicas);
    }

    /** The tag of an image reference ({@code host:port/name:tag@digest}); "unknown" when it has none. */
    static String tag(String image) {
        String ref = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        int slash = ref.lastIndexOf('/');
        int colon = ref.lastIndexOf(':');
        return colon > slash ? ref.substring(colon + 1) : "unknown";
    }
}
