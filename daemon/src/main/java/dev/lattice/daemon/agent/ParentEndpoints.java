package dev.lattice.daemon.agent;

import dev.lattice.core.LatticeException;
import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.install.BootstrapTokens;
import dev.lattice.core.install.DaemonManifests;
import dev.lattice.core.model.LatticeCluster.EndpointsSpec;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.render.Manifests;
import dev.lattice.daemon.http.HttpEndpoint;
import dev.lattice.daemon.reconciler.Children;
import dev.lattice.daemon.reconciler.Fleet;
import dev.lattice.daemon.reconciler.ObjectSync;
import dev.lattice.daemon.reconciler.ParentLink;
import dev.lattice.engine.crypto.Crypto;
import dev.lattice.engine.install.ChildProvisioning;
import dev.lattice.engine.kube.Applier;
import dev.lattice.engine.kube.Secrets;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A parent's endpoints, served while this cluster's own LatticeCluster has {@code parentConfig}: the bootstrap
 * endpoint, the agent stream, and the proxy of the children's Kubernetes APIs ({@link ApiProxy}). The certificate authority lives in the Secret {@code lattice-agent-ca},
 * made on first use, so every replica and every restart issues and trusts the same certificates.
 */
public final class ParentEndpoints implements Children, ParentLink, AutoCloseable {
    public static final String CA_SECRET = "lattice-agent-ca";
    private static final Logger LOG = LoggerFactory.getLogger(ParentEndpoints.class);

    private final KubernetesClient client;
    private final String namespace;
    private final Fleet fleet;
    private final Predicate<String> isChild;
    private final Integer agentPort;
    private final Integer bootstrapPort;
    private final Integer proxyPort;
    private final String daemonImage;
    private final BootstrapTokens tokens;
    private final Consumer<String> reported;
    private EndpointsSpec serving;
    private Pki.Identity authority;
    private AgentServer agents;
    private BootstrapServer bootstrap;
    private ApiProxy proxy;
    private ServingCertificate certificate;
    /** Whether a Service left from an earlier parentConfig has been looked for since this process started. */
    private boolean checked;

    /**
     * {@code agentPort}, {@code bootstrapPort} and {@code proxyPort}, when not null, override the LatticeCluster's;
     * {@code reported} is told the name of a child whose report of the objects placed there changed.
     */
    public ParentEndpoints(KubernetesClient client, String namespace, Fleet fleet, Predicate<String> isChild,
                           Integer agentPort, Integer bootstrapPort, Integer proxyPort, String daemonImage, BootstrapTokens tokens,
                           Consumer<String> reported) {
        this.reported = reported;
        this.tokens = tokens;
        this.client = client;
        this.namespace = namespace;
        this.fleet = fleet;
        this.isChild = isChild;
        this.agentPort = agentPort;
        this.bootstrapPort = bootstrapPort;
        this.proxyPort = proxyPort;
        this.daemonImage = daemonImage;
    }

    /** Serves, restarts or stops the endpoints to match {@code own}'s parentConfig (null: not a parent). */
    public synchronized void reconcile(LatticeCluster own) throws IOException {
        EndpointsSpec wanted = own == null ? null : own.spec().parentConfig();
        if (wanted != null && wanted.equals(serving)) {
            expose(); // again, should someone have deleted it
            return;
        }
        boolean was = serving != null;
        stop();
        if (wanted == null) {
            if (own != null && (was || !checked)) {
                // No longer a parent (or not one since this process started): nothing should lead children here.
                client.services().inNamespace(DaemonManifests.NAMESPACE).withName(DaemonManifests.PARENT_SERVICE).delete();
            }
            checked = own != null;
            return;
        }
        Pki.Identity ca = authority();
        List<String> hosts = new ArrayList<>(List.of(wanted.host()));
        for (String local : List.of("localhost", "127.0.0.1")) {
            if (!hosts.contains(local)) {
                hosts.add(local);
            }
        }
        certificate = new ServingCertificate(ca, hosts, java.time.Clock.systemUTC(), java.time.Duration.ofHours(1));
        bootstrap = new BootstrapServer(client, ca, certificate.keys(), bootstrapPort != null ? bootstrapPort : wanted.bootstrapPort(),
                tokens, this::homing, HttpEndpoint.Limits.DEFAULT);
        agents = new AgentServer(ca, certificate.keys(), agentPort != null ? agentPort : wanted.grpcPort(), fleet, isChild, reported);
        proxy = new ApiProxy(client, ca, certificate.keys(), proxyPort != null ? proxyPort : wanted.proxyPort(), agents);
        serving = wanted;
        authority = ca;
        checked = true;
        expose();
        LOG.info("serving children: agent stream on port {}, bootstrap on port {}, their APIs on port {}", agents.port(), bootstrap.port(),
                proxy.port());
    }

    /** The Service that takes children to these endpoints, as parentConfig.service says. */
    private void expose() {
        client.services().inNamespace(DaemonManifests.NAMESPACE)
                .resource(DaemonManifests.parentService(serving, agents.port(), bootstrap.port(), proxy.port()))
                .fieldManager(Applier.FIELD_MANAGER).forceConflicts().serverSideApply();
    }

    /** The agent server, when serving. */
    public synchronized AgentServer agents() {
        return agents;
    }

    public synchronized BootstrapServer bootstrap() {
        return bootstrap;
    }

    /** The proxy of the children's APIs, when serving. */
    public synchronized ApiProxy proxy() {
        return proxy;
    }

    @Override
    public synchronized ClusterRenderer.Parent address(String child) {
        return serving == null ? null : new ClusterRenderer.Parent(serving.host(), bootstrap.port(),
                ChildProvisioning.tokenSecret(child), authority.certificatePem());
    }

    @Override
    public synchronized List<HasMetadata> homing(String child, String token) {
        if (serving == null) {
            throw new IllegalStateException("this cluster serves no children");
        }
        List<HasMetadata> objects = new ArrayList<>(DaemonManifests.render(child, daemonImage));
        Map<String, String> parent = new LinkedHashMap<>();
        parent.put("host", serving.host());
        parent.put("grpcPort", String.valueOf(agents.port()));
        parent.put("bootstrapPort", String.valueOf(bootstrap.port()));
        parent.put("ca.crt", authority.certificatePem());
        if (token != null) {
            parent.put("token", token);
        }
        objects.add(new SecretBuilder()
                .withMetadata(Manifests.meta(DaemonManifests.NAMESPACE, ParentCredentials.SECRET, Map.of("app.kubernetes.io/part-of", "lattice")))
                .withType("Opaque")
                .withData(Secrets.data(parent))
                .build());
        return objects;
    }

    @Override
    public CompletableFuture<List<String>> unpivot(String child) {
        AgentServer a = agents();
        if (a == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("this cluster serves no children"));
        }
        return a.unpivot(child).thenApply(result -> {
            if (!result.getOk()) {
                throw new IllegalStateException("the agent of " + child + " refused to unpivot: " + result.getMessage());
            }
            return result.getObjectsJsonList();
        });
    }

    @Override
    public boolean desired(String cluster, Supplier<List<HasMetadata>> objects) {
        AgentServer a = agents();
        return a != null && a.desired(cluster, objects);
    }

    @Override
    public ObjectSync.Outcome applied(String cluster) {
        AgentServer a = agents();
        return a == null ? null : a.applied(cluster);
    }

    private Pki.Identity authority() {
        Secret secret = client.secrets().inNamespace(namespace).withName(CA_SECRET).get();
        if (secret == null) {
            Pki.Identity made = Pki.newAuthority("lattice-agent-ca");
            try {
                client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName(CA_SECRET)
                        .withNamespace(namespace).addToLabels("app.kubernetes.io/part-of", "lattice").endMetadata()
                        .withType("kubernetes.io/tls")
                        .withData(Secrets.data(Map.of("tls.crt", made.certificatePem(), "tls.key", made.keyPem())))
                        .build()).create();
                return made;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                secret = client.secrets().inNamespace(namespace).withName(CA_SECRET).get(); // another replica was first
            }
        }
        Map<String, String> values = Secrets.text(secret);
        Pki.Identity ca = new Pki.Identity(values.get("tls.crt"), values.get("tls.key"));
        String weak = Crypto.fips() ? Crypto.weakness(ca.certificate().getPublicKey(), true) : null;
        if (weak != null) {
            throw new LatticeException("the agent authority in Secret " + namespace + "/" + CA_SECRET + " has " + weak
                    + ", which FIPS mode does not approve", "delete that Secret for a new authority (children then need new "
                    + "bootstrap tokens), or run the daemon with --fips=false");
        }
        return ca;
    }

    private void stop() {
        if (proxy != null) {
            proxy.close();
            proxy = null;
        }
        if (agents != null) {
            agents.close();
            agents = null;
        }
        if (bootstrap != null) {
            bootstrap.close();
            bootstrap = null;
        }
        if (certificate != null) {
            certificate.close();
            certificate = null;
        }
        serving = null;
        authority = null;
    }

    @Override
    public synchronized void close() {
        stop();
    }

}
