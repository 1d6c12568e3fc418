package dev.lattice.daemon;

import dev.lattice.core.kube.LiveInputs;
import dev.lattice.core.model.Kind;
import dev.lattice.daemon.runtime.DaemonOptions;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** What the daemon's tests do to a test API server. */
final class Kube {
    private Kube() {
    }

    /** Options for an in-process daemon: free HTTP port, fast heartbeats. */
    static DaemonOptions options(String cluster, String identity, boolean leaderElection, Integer agentPort, Integer bootstrapPort) {
        return new DaemonOptions(null, null, cluster, true, "lattice-system", 0, agentPort, bootstrapPort, leaderElection,
                identity, Duration.ofSeconds(1), Duration.ofMinutes(1), false);
    }

    static void namespace(KubernetesClient client, String name) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).serverSideApply();
    }

    /** Applies YAML (one or more documents) server-side, as kubectl apply --server-side would. */
    static void apply(KubernetesClient client, String yaml) {
        client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).fieldManager("test").forceConflicts().serverSideApply();
    }

    static void applyResource(KubernetesClient client, String resource) {
        try (InputStream in = Kube.class.getResourceAsStream(resource)) {
            apply(client, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static GenericKubernetesResource get(KubernetesClient client, Kind kind, String namespace, String name) {
        var r = client.genericKubernetesResources(LiveInputs.context(kind));
        return (kind.namespaced() ? r.inNamespace(namespace) : r).withName(name).get();
    }

    static Map<String, Object> status(GenericKubernetesResource r) {
        return r == null ? Map.of() : dev.lattice.core.kube.StatusWriter.of(r);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
