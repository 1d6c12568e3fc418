package dev.lattice.daemon;

import dev.lattice.core.install.DaemonManifests;
import dev.lattice.core.model.Kind;
import dev.lattice.daemon.runtime.DaemonOptions;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.testfixtures.SharedCharts;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** What the daemon's tests do to a test API server. */
final class Kube {
    private Kube() {
    }

    /** Options for an in-process daemon: free HTTP port, fast heartbeats. */
    static DaemonOptions options(String cluster, String identity, boolean leaderElection, Integer agentPort, Integer bootstrapPort) {
        return options(cluster, identity, leaderElection, agentPort, bootstrapPort, Duration.ofMinutes(1));
    }

    /** The same with {@code resync}: a long one proves that what a test waits for comes from an event. */
    static DaemonOptions options(String cluster, String identity, boolean leaderElection, Integer agentPort, Integer bootstrapPort,
                                 Duration resync) {
        return new DaemonOptions(null, null, cluster, true, "lattice-system", 0, agentPort, bootstrapPort, 0, leaderElection,
                identity, Duration.ofSeconds(1), resync, null, SharedCharts.dir().orElse(null), DaemonManifests.DEFAULT_IMAGE, Duration.ofMinutes(2),
                Duration.ofHours(1), true, false);
    }

    /** Options for a parent that provisions children: any free ports, providers from {@code components}. */
    static DaemonOptions provisioning(String cluster, Path components, String daemonImage) {
        return new DaemonOptions(null, null, cluster, true, "lattice-system", 0, 0, 0, 0, false,
                cluster, Duration.ofSeconds(1), Duration.ofMinutes(1), components, SharedCharts.dir().orElse(null), daemonImage, Duration.ofMinutes(2),
                Duration.ofHours(1), true, false);
    }

    /** A Docker pool, lab, and the parent on it (its LatticeCluster has parentConfig on loopback), as two documents. */
    static String parentOnLab() {
        return """
                apiVersion: lattice.dev/v1alpha1
                kind: StaticPool
                metadata: {name: lab}
                spec:
                  provider: docker
                  capacity: {cores: 64, memory: 256Gi}
                  machineTypes:
                    - {name: small, cores: 4, memory: 16Gi}
                ---
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: parent}
                spec:
                  pool: lab
                  nodes:
                    controlPlane: {replicas: 1, instanceType: small}
                  parentConfig: {host: 127.0.0.1}
                """;
    }

    /**
     * A parent and one child on a Docker pool, as three documents: the pool, the parent ({@link #parentOnLab}) and the
     * child with {@code workers} workers.
     */
    static String family(String child, int workers) {
        return parentOnLab() + """
                ---
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: %s}
                spec:
                  pool: lab
                  nodes:
                    controlPlane: {replicas: 1, instanceType: small}
                    workerPools:
                      general: {replicas: %d, instanceType: small}
                """.formatted(child, workers);
    }

    static void namespace(KubernetesClient client, String name) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).serverSideApply();
    }

    /**
     * A client that acts as the daemon's ServiceAccount would in a cluster, with only the RBAC that {@code lattice install}
     * renders for the daemon of {@code clusterName} (applied here by {@code admin}): the API server refuses any call that
     * the rendered roles do not allow, so a test that passes with it shows the roles cover what the daemon does.
     */
    static KubernetesClient asDaemon(KubernetesClient admin, String clusterName) {
        List<HasMetadata> rbac = DaemonManifests.render(clusterName, DaemonManifests.DEFAULT_IMAGE).stream()
                .filter(o -> List.of("Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")
                        .contains(o.getKind()))
                .toList();
        new dev.lattice.engine.kube.Applier(admin).apply(rbac, Duration.ofMinutes(1));
        String namespace = DaemonManifests.NAMESPACE;
        io.fabric8.kubernetes.client.Config config = new io.fabric8.kubernetes.client.ConfigBuilder(admin.getConfiguration())
                .withImpersonateUsername("system:serviceaccount:" + namespace + ":" + DaemonManifests.NAME)
                .withImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated")
                .build();
        return new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(config).build();
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

    /** The condition {@code type} of a Lattice object's status; empty when it has none (or the object is not there). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> condition(KubernetesClient client, Kind kind, String namespace, String name, String type) {
        List<Map<String, Object>> conditions = (List<Map<String, Object>>) status(get(client, kind, namespace, name))
                .getOrDefault("conditions", List.of());
        return conditions.stream().filter(c -> type.equals(c.get("type"))).findFirst().orElse(Map.of());
    }

    static Map<String, Object> status(GenericKubernetesResource r) {
        return r == null ? Map.of() : dev.lattice.engine.kube.StatusWriter.of(r).tree();
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** TLS that trusts only the CA {@code caPem}. */
    static SSLContext trusting(String caPem) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII))));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
