package dev.lattice.daemon.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.model.Kind;
import dev.lattice.core.status.ClusterStatus;
import dev.lattice.daemon.reconciler.Backoff;
import dev.lattice.daemon.reconciler.Fleet;
import dev.lattice.daemon.reconciler.LatticeCache;
import dev.lattice.daemon.reconciler.ObjectSync;
import dev.lattice.engine.kube.Secrets;
import dev.lattice.engine.kube.StatusWriter;
import dev.lattice.engine.pivot.Mover;
import dev.lattice.proto.agent.v1.AgentMessage;
import dev.lattice.proto.agent.v1.AgentReady;
import dev.lattice.proto.agent.v1.AgentServiceGrpc;
import dev.lattice.proto.agent.v1.CommandResult;
import dev.lattice.proto.agent.v1.Heartbeat;
import dev.lattice.proto.agent.v1.ParentCommand;
import dev.lattice.proto.agent.v1.PoolResources;
import dev.lattice.proto.agent.v1.ProtocolVersion;
import dev.lattice.proto.agent.v1.StateReport;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child's side of the agent protocol. It dials out only: with its one-time bootstrap token it asks the parent's
 * bootstrap endpoint for a client certificate (its key is made here and never sent), keeps the certificate in the
 * Secret {@code lattice-parent}, then holds one mutual-TLS stream open, sending heartbeats and carrying out the
 * parent's commands. When the parent goes away it reconnects with jittered exponential back-off; the child's own
 * reconcilers never wait for it.
 */
public final class AgentClient implements AutoCloseable {
    /** The Secret that says where the parent is: host, grpcPort, bootstrapPort, ca.crt, token; then tls.crt, tls.key. */
    public static final String SECRET = dev.lattice.core.capi.ClusterRenderer.PARENT_SECRET;
    /** The source label of objects a parent placed here (see ObjectSync). */
    public static final String FROM_PARENT = "parent";
    private static final Logger LOG = LoggerFactory.getLogger(AgentClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a child reports about itself in a heartbeat. */
    public interface Reporter {
        Heartbeat heartbeat();
    }

    private final KubernetesClient client;
    private final String namespace;
    private final Supplier<String> self;
    private final Fleet fleet;
    private final ObjectSync sync;
    private final Reporter reporter;
    private final Duration heartbeatInterval;
    private final Backoff backoff;
    private final String version;
    private final Thread thread;
    private volatile boolean connected;
    /** Not before this does a failed renewal try again. */
    private volatile Instant nextRenewal = Instant.MIN;
    private volatile boolean closed;
    private volatile ManagedChannel channel;

    public AgentClient(KubernetesClient client, String namespace, Supplier<String> self, Fleet fleet, Reporter reporter,
                       Duration heartbeatInterval, Backoff backoff, String version) {
        this.client = client;
        this.namespace = namespace;
        this.self = self;
        this.fleet = fleet;
        this.sync = new ObjectSync(client);
        this.reporter = reporter;
        this.heartbeatInterval = heartbeatInterval;
        this.backoff = backoff;
        this.version = version;
        this.thread = new Thread(this::run, "agent-client");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Whether a stream to the parent is open and registered. */
    public boolean connected() {
        return connected;
    }

    private void run() {
        int failures = 0;
        while (!closed) {
            long started = System.nanoTime();
            try {
                Map<String, String> parent = secret();
                if (parent == null) {
                    failures = 0;
                    sleep(heartbeatInterval); // not a child (yet): look again later
                    continue;
                }
                if (!parent.containsKey("tls.crt")) {
                    parent = bootstrap(parent);
                }
                stream(parent);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (!closed) {
                    LOG.warn("agent: {}", e.getMessage());
                }
            } finally {
                connected = false;
            }
            // A stream that lived a while was a success: start the back-off afresh.
            failures = System.nanoTime() - started > Duration.ofSeconds(30).toNanos() ? 1 : failures + 1;
            try {
                sleep(backoff.delay(failures));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Map<String, String> secret() {
        Secret s = client.secrets().inNamespace(namespace).withName(SECRET).get();
        return s == null || s.getData() == null ? null : Secrets.text(s);
    }

    /** Trades the one-time token for a client certificate and keeps it in the Secret (the token goes). */
    private Map<String, String> bootstrap(Map<String, String> parent) throws Exception {
        String token = parent.get("token");
        if (token == null) {
            throw new IllegalStateException("the Secret " + namespace + "/" + SECRET + " holds neither a certificate nor a bootstrap token");
        }
        String cluster = self.get();
        Map<String, String> next = certificate(parent, "/v1/bootstrap", Pki.trusting(parent.get("ca.crt")),
                Map.of("cluster", cluster, "token", token), cluster);
        next.remove("token");
        keep(next);
        LOG.info("registered with the parent at {}: agent certificate received", host(parent));
        return next;
    }

    /**
     * Renews the client certificate once it is in the last third of its validity, over TLS with the current one, and
     * keeps the new one in the Secret for the next connection; the stream that is open goes on. A failure is only
     * logged: the old certificate is good for months yet, and the next heartbeat tries again.
     */
    private Map<String, String> renewIfDue(Map<String, String> parent) {
        if (!Pki.dueForRenewal(parent.get("tls.crt"), Instant.now()) || Instant.now().isBefore(nextRenewal)) {
            return parent;
        }
        try {
            Map<String, String> next = renew(parent, self.get());
            keep(next);
            LOG.info("renewed the agent certificate with the parent at {}", host(parent));
            return next;
        } catch (Exception e) {
            nextRenewal = Instant.now().plus(Duration.ofMinutes(10));
            LOG.warn("agent: renewing the certificate failed, trying again in 10 minutes: {}", e.getMessage());
            return parent;
        }
    }

    /** A new client certificate for {@code cluster}, asked for over TLS with the current one in {@code parent}. */
    public static Map<String, String> renew(Map<String, String> parent, String cluster) throws Exception {
        Pki.Identity current = new Pki.Identity(parent.get("tls.crt"), parent.get("tls.key"));
        return certificate(parent, "/v1/renew", Pki.tls(current, parent.get("ca.crt")), Map.of(), cluster);
    }

    /** Posts {@code fields} and a new signing request to {@code path}; {@code parent} with the certificate it gives. */
    private static Map<String, String> certificate(Map<String, String> parent, String path, javax.net.ssl.SSLContext tls,
                                                   Map<String, String> fields, String cluster) throws Exception {
        Pki.KeyPairAndRequest request = Pki.signingRequest(cluster);
        HttpClient http = HttpClient.newBuilder().sslContext(tls).sslParameters(Pki.tlsParameters())
                .connectTimeout(Duration.ofSeconds(10)).build();
        Map<String, String> body = new HashMap<>(fields);
        body.put("csr", request.csrPem());
        URI uri = URI.create("https://" + host(parent) + ":" + parent.get("bootstrapPort") + path);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<?, ?> reply = JSON.readValue(response.body(), Map.class);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("the parent at " + uri.getHost() + " refused " + path + ": " + reply.get("error"));
        }
        Map<String, String> next = new HashMap<>(parent);
        next.put("tls.crt", (String) reply.get("certificate"));
        next.put("tls.key", request.keyPem());
        return next;
    }

    /** Writes {@code parent} back to the Secret it came from. */
    private void keep(Map<String, String> parent) {
        Map<String, String> data = Secrets.data(parent);
        client.secrets().inNamespace(namespace).withName(SECRET).edit(s -> {
            s.setData(data);
            s.setStringData(null);
            return s;
        });
    }

    private void stream(Map<String, String> parent) throws Exception {
        TlsChannelCredentials.Builder credentials = TlsChannelCredentials.newBuilder()
                .keyManager(Pki.stream(parent.get("tls.crt")), Pki.stream(parent.get("tls.key")))
                .trustManager(Pki.stream(parent.get("ca.crt")));
        channel = Grpc.newChannelBuilderForAddress(host(parent), Integer.parseInt(parent.get("grpcPort")), credentials.build())
                .keepAliveTime(30, TimeUnit.SECONDS).build();
        CountDownLatch done = new CountDownLatch(1);
        Throwable[] failure = new Throwable[1];
        StreamObserver<AgentMessage>[] out = new StreamObserver[1];
        try {
            out[0] = AgentServiceGrpc.newStub(channel).connect(new StreamObserver<>() {
                @Override
                public void onNext(ParentCommand command) {
                    AgentMessage reply = carryOut(command);
                    synchronized (out) {
                        out[0].onNext(reply);
                    }
                }

                @Override
                public void onError(Throwable t) {
                    failure[0] = t;
                    done.countDown();
                }

                @Override
                public void onCompleted() {
                    done.countDown();
                }
            });
            synchronized (out) {
                out[0].onNext(AgentMessage.newBuilder().setReady(AgentReady.newBuilder()
                        .setVersion(ProtocolVersion.newBuilder().setMajor(AgentServer.MAJOR).setMinor(AgentServer.MINOR))
                        .setClusterName(self.get()).setAgentVersion(version)).build());
            }
            while (!done.await(0, TimeUnit.MILLISECONDS) && !closed) {
                Heartbeat heartbeat = reporter.heartbeat().toBuilder().setSentAtMillis(System.currentTimeMillis()).build();
                synchronized (out) {
                    out[0].onNext(AgentMessage.newBuilder().setHeartbeat(heartbeat).build());
                }
                connected = true;
                fleet.heartbeatSent(Instant.now());
                parent = renewIfDue(parent);
                done.await(heartbeatInterval.toMillis(), TimeUnit.MILLISECONDS);
            }
            if (failure[0] != null) {
                throw new IllegalStateException("the stream to the parent closed: " + failure[0].getMessage());
            }
        } finally {
            connected = false;
            channel.shutdownNow();
        }
    }

    /** Carries out one command from the parent; the result says how it went. */
    AgentMessage carryOut(ParentCommand command) {
        try {
            switch (command.getPayloadCase()) {
                case STATE_SYNC -> {
                    StateReport.Builder report = StateReport.newBuilder();
                    sync.held(FROM_PARENT).forEach(r -> report.addObjects(AgentServer.toProto(r)));
                    return AgentMessage.newBuilder().setState(report).build();
                }
                case APPLY -> {
                    List<GenericKubernetesResource> objects = new ArrayList<>();
                    for (String json : command.getApply().getObjectsJsonList()) {
                        objects.add(JSON.readValue(json, GenericKubernetesResource.class));
                    }
                    sync.apply(FROM_PARENT, objects);
                    return result(command, true, "applied " + objects.size() + " objects");
                }
                case DELETE -> {
                    sync.delete(command.getDelete().getObjectsList().stream().map(AgentServer::fromProto).toList());
                    return result(command, true, "deleted " + command.getDelete().getObjectsCount() + " objects");
                }
                case UNPIVOT -> {
                    // The parent takes this cluster's Cluster API objects over to delete it: they stay here, paused.
                    String name = self.get();
                    List<GenericKubernetesResource> graph = new Mover(client, null, new Mover.Listener() {
                    }).export(ClusterRenderer.namespaceOf(name), name);
                    CommandResult.Builder result = CommandResult.newBuilder().setCommandId(command.getId()).setOk(true)
                            .setMessage("paused; " + graph.size() + " Cluster API objects handed to the parent");
                    for (GenericKubernetesResource o : graph) {
                        result.addObjectsJson(client.getKubernetesSerialization().asJson(o));
                    }
                    LOG.info("unpivot: paused {} and handed its {} Cluster API objects to the parent", name, graph.size());
                    return AgentMessage.newBuilder().setResult(result).build();
                }
                default -> {
                    return result(command, false, "unknown command: this agent is older than its parent");
                }
            }
        } catch (Exception e) {
            LOG.warn("command {} from the parent failed: {}", command.getPayloadCase(), e.getMessage());
            return result(command, false, String.valueOf(e.getMessage()));
        }
    }

    private static AgentMessage result(ParentCommand command, boolean ok, String message) {
        return AgentMessage.newBuilder().setResult(CommandResult.newBuilder().setCommandId(command.getId()).setOk(ok)
                .setMessage(message)).build();
    }

    /** A child's heartbeat: its nodes, and its phase and worker pools as its own LatticeCluster's status says. */
    public static Heartbeat heartbeat(KubernetesClient client, LatticeCache cache, String self) {
        Heartbeat.Builder h = nodes(client);
        GenericKubernetesResource own = self == null ? null : cache.get(Kind.LATTICE_CLUSTER, null, self);
        ClusterStatus status = own == null ? new ClusterStatus(null) : StatusWriter.ofCluster(own);
        h.setState(Objects.requireNonNullElse(status.phaseText(), "Ready"));
        status.workerPools().forEach((name, p) -> h.addPools(PoolResources.newBuilder().setName(name)
                .setDesiredReplicas(Objects.requireNonNullElse(p.desiredReplicas(), 0))
                .setReadyReplicas(Objects.requireNonNullElse(p.readyReplicas(), 0))));
        return h.build();
    }

    /** Counts this cluster's nodes for a heartbeat: all, ready, and control-plane ones. */
    public static Heartbeat.Builder nodes(KubernetesClient client) {
        Heartbeat.Builder h = Heartbeat.newBuilder();
        for (Node n : client.nodes().list().getItems()) {
            boolean ready = n.getStatus() != null && n.getStatus().getConditions() != null && n.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
            boolean controlPlane = n.getMetadata().getLabels() != null
                    && n.getMetadata().getLabels().containsKey("node-role.kubernetes.io/control-plane");
            h.setTotalNodes(h.getTotalNodes() + 1).setReadyNodes(h.getReadyNodes() + (ready ? 1 : 0));
            if (controlPlane) {
                h.setTotalControlPlane(h.getTotalControlPlane() + 1).setReadyControlPlane(h.getReadyControlPlane() + (ready ? 1 : 0));
            }
        }
        return h;
    }

    private static String host(Map<String, String> parent) {
        return parent.getOrDefault("host", "localhost");
    }

    private void sleep(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        ManagedChannel c = channel;
        if (c != null) {
            c.shutdownNow();
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
