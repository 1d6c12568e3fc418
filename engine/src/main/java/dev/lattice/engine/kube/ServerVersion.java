package dev.lattice.engine.kube;

import dev.lattice.core.install.DaemonManifests;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What runs in a cluster: its Kubernetes version and the Lattice daemon's, read from the daemon's Deployment the
 * way {@code cilium version} reads its agent's (the image tag is the version the daemon was built as).
 */
public record ServerVersion(String server, String kubernetes, Optional<Daemon> daemon) {

    /**
     * The daemon's Deployment: its image, the version that image is tagged with, how many replicas are ready, and
     * whether it runs in FIPS mode (its default; {@code --fips=false} among its arguments turns it off).
     */
    public record Daemon(String version, String image, int ready, int replicas, boolean fips) {
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
        Optional<Container> container = d.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> DaemonManifests.NAME.equals(c.getName())).findFirst()
                .or(() -> d.getSpec().getTemplate().getSpec().getContainers().stream().findFirst());
        String image = container.map(Container::getImage).orElse("");
        List<String> args = container.map(c -> Stream.concat(Optional.ofNullable(c.getCommand()).orElse(List.of()).stream(),
                Optional.ofNullable(c.getArgs()).orElse(List.of()).stream()).toList()).orElse(List.of());
        int ready = d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0 : d.getStatus().getReadyReplicas();
        int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        return new Daemon(tag(image), image, ready, replicas, fips(args));
    }

    /**
     * Whether a daemon started with {@code args} runs in FIPS mode: unless the last {@code --fips} says false
     * ({@code --fips=false}, or {@code --fips false} as picocli also reads it).
     */
    static boolean fips(List<String> args) {
        boolean fips = true;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.startsWith("--fips=")) {
                fips = !"false".equalsIgnoreCase(arg.substring("--fips=".length()));
            } else if (arg.equals("--fips")) {
                String next = i + 1 < args.size() ? args.get(i + 1) : "";
                fips = !"false".equalsIgnoreCase(next);
            }
        }
        return fips;
    }

    /** The tag of an image reference ({@code host:port/name:tag@digest}); "unknown" when it has none. */
    static String tag(String image) {
        String ref = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        int slash = ref.lastIndexOf('/');
        int colon = ref.lastIndexOf(':');
        return colon > slash ? ref.substring(colon + 1) : "unknown";
    }
}
