package dev.lattice.daemon.agent;

import dev.lattice.daemon.reconciler.Children;
import dev.lattice.daemon.reconciler.Fleet;
import dev.lattice.daemon.reconciler.ObjectSync;
import dev.lattice.engine.kube.Coordinates;
import dev.lattice.proto.agent.v1.AgentMessage;
import dev.lattice.proto.agent.v1.AgentServiceGrpc;
import dev.lattice.proto.agent.v1.ApplyObjects;
import dev.lattice.proto.agent.v1.CommandResult;
import dev.lattice.proto.agent.v1.DeleteObjects;
import dev.lattice.proto.agent.v1.KubeCancel;
import dev.lattice.proto.agent.v1.KubeRequest;
import dev.lattice.proto.agent.v1.KubeResponse;
import dev.lattice.proto.agent.v1.ObjectRef;
import dev.lattice.proto.agent.v1.ParentCommand;
import dev.lattice.proto.agent.v1.StartUnpivot;
import dev.lattice.proto.agent.v1.StateSyncRequest;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parent's agent endpoint: one bidirectional gRPC stream per child, over mutual TLS with the client certificates
 * the {@link BootstrapServer} issued. The certificate names the child; a stream whose {@code AgentReady} claims
 * another name, or names no LatticeCluster here, is refused. On each (re)connection the child is asked for its state
 * and sent the objects it should hold from this parent, with deletes for what it holds and should not. Requests to
 * a child's Kubernetes API that came through the {@link ApiProxy} go down the same stream and their answers come back
 * up it.
 */
public final class AgentServer implements Children, AutoCloseable {
    /** The protocol major version this build speaks. */
    public static final int MAJOR = 1;
    public static final int MINOR = 0;
    private static final Logger LOG = LoggerFactory.getLogger(AgentServer.class);
    private static final Context.Key<String> PEER = Context.key("lattice-agent-peer");
    /** The TLS the peer's connection negotiated, as {@code PROTOCOL SUITE}. */
    private static final Context.Key<String> TLS = Context.key("lattice-agent-tls");
    /** fabric8's own: a Deployment's quantities are written as Kubernetes writes them only by its serializers. */
    private static final KubernetesSerialization KUBERNETES_JSON = new KubernetesSerialization();

    private final Server server;
    private final Fleet fleet;
    private final Predicate<String> isChild;
    private final Map<String, List<HasMetadata>> desired = new ConcurrentHashMap<>();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    /** Commands whose answer someone waits for, by id. */
    private final Map<String, CompletableFuture<CommandResult>> answers = new ConcurrentHashMap<>();
    /** What each child reported of the objects last sent to it, by cluster. */
    private final Map<String, Applied> applied = new ConcurrentHashMap<>();
    private final Consumer<String> reported;
    /** Requests through the proxy port whose answers are streaming, by id. */
    private final Map<String, Proxied> proxied = new ConcurrentHashMap<>();

    /**
     * @param isChild  whether a name is a LatticeCluster this parent manages (not itself)
     * @param reported told the name of a child whose report of the objects placed there changed ({@link #applied})
     */
    public AgentServer(Pki.Identity ca, javax.net.ssl.X509KeyManager serving, int port, Fleet fleet, Predicate<String> isChild,
                       Consumer<String> reported) throws IOException {
        this.fleet = fleet;
        this.isChild = isChild;
        this.reported = reported;
        // The key manager is asked at each handshake, so a renewed certificate needs no restart (ServingCertificate).
        this.server = NettyServerBuilder.forPort(port).sslContext(AgentTls.server(serving, ca.certificatePem()))
                .addService(ServerInterceptors.intercept(new Service(), new PeerIdentity()))
                // Children ping every 30 s to keep their stream through NATs; the default minimum (5 min) would cut them off.
                .permitKeepAliveTime(20, TimeUnit.SECONDS)
                .build()
                .start();
    }

    public int port() {
        return server.getPort();
    }

    /** Children with an open stream. */
    public Set<String> connected() {
        return Set.copyOf(sessions.keySet());
    }

    /**
     * Asks {@code cluster}'s agent to pause its Cluster API objects and hand them over; the future completes with its
     * answer, or exceptionally when it is not connected.
     */
    public CompletableFuture<CommandResult> unpivot(String cluster) {
        Session session = sessions.get(cluster);
        if (session == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("the agent of " + cluster + " is not connected"));
        }
        String id = UUID.randomUUID().toString();
        CompletableFuture<CommandResult> answer = new CompletableFuture<>();
        answers.put(id, answer);
        answer.whenComplete((r, e) -> answers.remove(id));
        session.send(ParentCommand.newBuilder().setId(id).setUnpivot(StartUnpivot.getDefaultInstance()).build());
        return answer;
    }

    /** A child's report of one apply: the command it answers, and the objects not in place with why. */
    private record Applied(String commandId, Map<Coordinates, String> waiting, Map<Coordinates, String> failed) {
    }

    @Override
    public ObjectSync.Outcome applied(String cluster) {
        Session session = sessions.get(cluster);
        Applied report = applied.get(cluster);
        if (session == null || report == null || !report.commandId().equals(session.lastApply)) {
            return null;
        }
        return new ObjectSync.Outcome(0, report.waiting(), report.failed());
    }

    /** Where the frames of one proxied request's answer go, in order. */
    public interface Answer {
        void frame(KubeResponse frame);

        /** The child's stream closed before the last frame. */
        void lost(String why);
    }

    /**
     * Sends {@code request} to {@code cluster}'s agent, whose answer comes to {@code answer} frame by frame. Returns
     * the request's id (to {@link #cancel} it), or null when that cluster's agent is not connected.
     */
    public String forward(String cluster, KubeRequest request, Answer answer) {
        Session session = sessions.get(cluster);
        if (session == null) {
            return null;
        }
        String id = UUID.randomUUID().toString();
        proxied.put(id, new Proxied(session, answer));
        session.send(ParentCommand.newBuilder().setId(id).setKubeRequest(request).build());
        return id;
    }

    /** The caller of a proxied request went away: the child stops it. */
    public void cancel(String id) {
        Proxied p = proxied.remove(id);
        if (p != null) {
            p.session().send(ParentCommand.newBuilder().setId(UUID.randomUUID().toString())
                    .setKubeCancel(KubeCancel.newBuilder().setRequestId(id)).build());
        }
    }

    private record Proxied(Session session, Answer answer) {
    }

    @Override
    public boolean desired(String cluster, Supplier<List<HasMetadata>> objects) {
        if (!isChild.test(cluster)) {
            return false;
        }
        List<HasMetadata> now = objects.get();
        List<HasMetadata> before = desired.put(cluster, now);
        Session session = sessions.get(cluster);
        if (session != null && !now.equals(before)) {
            session.push(now);
        }
        return true;
    }

    /** Puts the name from the client certificate into the call's context. */
    private static final class PeerIdentity implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            SSLSession ssl = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
            String peer = null;
            try {
                if (ssl != null && ssl.getPeerCertificates().length > 0 && ssl.getPeerCertificates()[0] instanceof X509Certificate cert) {
                    peer = Pki.commonName(cert);
                }
            } catch (SSLPeerUnverifiedException e) {
                peer = null;
            }
            if (peer == null) {
                call.close(Status.UNAUTHENTICATED.withDescription("a client certificate is required"), new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
            return Contexts.interceptCall(Context.current().withValue(PEER, peer).withValue(TLS, ssl.getProtocol() + " " + ssl.getCipherSuite()),
                    call, headers, next);
        }
    }

    private final class Service extends AgentServiceGrpc.AgentServiceImplBase {
        @Override
        public StreamObserver<AgentMessage> connect(StreamObserver<ParentCommand> out) {
            return new Session(PEER.get(), TLS.get(), out);
        }
    }

    /** One child's stream. gRPC's outbound observer is not thread-safe, so every send holds the session's lock. */
    private final class Session implements StreamObserver<AgentMessage> {
        private final String peer;
        private final String tls;
        private final StreamObserver<ParentCommand> out;
        private String cluster;
        /** What the child holds from this parent, as far as this session knows. */
        private final Set<ObjectRef> held = new LinkedHashSet<>();
        /** The id of the last ApplyObjects sent: the child's report of it says what is in place now. */
        private volatile String lastApply;
        private boolean synced;

        Session(String peer, String tls, StreamObserver<ParentCommand> out) {
            this.peer = peer;
            this.tls = tls;
            this.out = out;
        }

        @Override
        public void onNext(AgentMessage message) {
            switch (message.getPayloadCase()) {
                case READY -> ready(message);
                case HEARTBEAT -> {
                    if (cluster != null) {
                        var h = message.getHeartbeat();
                        fleet.child(new Fleet.ChildReport(cluster, h.getState(), h.getReadyNodes(), h.getTotalNodes(),
                                h.getReadyControlPlane(), h.getTotalControlPlane(),
                                h.getPoolsList().stream().map(p -> new Fleet.PoolReport(p.getName(), p.getDesiredReplicas(),
                                        p.getReadyReplicas())).toList(), Instant.now(), true, tls));
                    }
                }
                case STATE -> {
                    if (cluster != null) {
                        synchronized (this) {
                            held.clear();
                            held.addAll(message.getState().getObjectsList());
                            synced = true;
                        }
                        push(desired.getOrDefault(cluster, List.of()));
                    }
                }
                case RESULT -> {
                    CompletableFuture<CommandResult> answer = answers.get(message.getResult().getCommandId());
                    Proxied unanswerable = proxied.remove(message.getResult().getCommandId());
                    if (unanswerable != null) {
                        // A child too old to know proxied requests answers them as an unknown command.
                        unanswerable.answer().lost("the agent of cluster " + cluster + " cannot carry requests from the proxy: "
                                + message.getResult().getMessage());
                    } else if (answer != null) {
                        answer.complete(message.getResult());
                    } else if (cluster != null && message.getResult().getCommandId().equals(lastApply)) {
                        report(message.getResult());
                    } else if (!message.getResult().getOk()) {
                        LOG.warn("cluster {} could not carry out command {}: {}", cluster, message.getResult().getCommandId(),
                                message.getResult().getMessage());
                    }
                }
                case KUBE_RESPONSE -> {
                    KubeResponse frame = message.getKubeResponse();
                    Proxied p = frame.getLast() ? proxied.remove(frame.getRequestId()) : proxied.get(frame.getRequestId());
                    if (p != null && p.session() == this) {
                        p.answer().frame(frame);
                    }
                }
                default -> { } // a newer child's message this version does not know
            }
        }

        /** The child's result of the last apply: which objects wait and which were refused. */
        private void report(CommandResult result) {
            Map<Coordinates, String> waiting = new LinkedHashMap<>();
            Map<Coordinates, String> failed = new LinkedHashMap<>();
            result.getWaitingList().forEach(o -> waiting.put(fromProto(o.getObject()), o.getReason()));
            result.getFailedList().forEach(o -> failed.put(fromProto(o.getObject()), o.getReason()));
            Applied next = new Applied(result.getCommandId(), waiting, failed);
            if (!next.equals(applied.put(cluster, next))) {
                if (!result.getOk()) {
                    LOG.warn("cluster {} refused some of the objects placed there: {}", cluster, result.getMessage());
                }
                reported.accept(cluster);
            }
        }

        private void ready(AgentMessage message) {
            var ready = message.getReady();
            String claimed = ready.getClusterName();
            Status refusal = null;
            if (ready.getVersion().getMajor() != MAJOR) {
                refusal = Status.FAILED_PRECONDITION.withDescription("this parent speaks agent protocol " + MAJOR + ".x, not "
                        + ready.getVersion().getMajor());
            } else if (!claimed.equals(peer)) {
                refusal = Status.PERMISSION_DENIED.withDescription("the client certificate names " + peer + ", not " + claimed);
            } else if (!isChild.test(claimed)) {
                refusal = Status.PERMISSION_DENIED.withDescription("no child LatticeCluster " + claimed + " on this parent");
            }
            if (refusal != null) {
                LOG.warn("refused an agent stream: {}", refusal.getDescription());
                synchronized (this) {
                    out.onError(refusal.asRuntimeException());
                }
                return;
            }
            cluster = claimed;
            Session previous = sessions.put(cluster, this);
            if (previous != null && previous != this) {
                previous.close();
            }
            LOG.info("cluster {} connected (agent {}, {})", cluster, ready.getAgentVersion(), tls);
            send(ParentCommand.newBuilder().setId(UUID.randomUUID().toString()).setStateSync(StateSyncRequest.getDefaultInstance()).build());
        }

        /** Sends the objects the child should hold, and deletes for what it holds besides. */
        synchronized void push(List<HasMetadata> objects) {
            if (!synced) {
                return; // the state report will bring it here
            }
            ApplyObjects.Builder apply = ApplyObjects.newBuilder();
            Set<ObjectRef> now = new LinkedHashSet<>();
            for (HasMetadata o : objects) {
                apply.addObjectsJson(KUBERNETES_JSON.asJson(o));
                now.add(toProto(Coordinates.of(o)));
            }
            List<ObjectRef> stale = new ArrayList<>(held);
            stale.removeAll(now);
            stale.removeIf(r -> r.getKind().equals("Namespace"));
            if (apply.getObjectsJsonCount() > 0) {
                lastApply = UUID.randomUUID().toString();
                send(ParentCommand.newBuilder().setId(lastApply).setApply(apply).build());
            } else {
                lastApply = null;
            }
            if (!stale.isEmpty()) {
                send(ParentCommand.newBuilder().setId(UUID.randomUUID().toString())
                        .setDelete(DeleteObjects.newBuilder().addAllObjects(stale)).build());
            }
            held.clear();
            held.addAll(now);
        }

        private synchronized void send(ParentCommand command) {
            try {
                out.onNext(command);
            } catch (RuntimeException e) {
                LOG.debug("cannot send to {}: {}", cluster, e.getMessage());
            }
        }

        synchronized void close() {
            try {
                out.onCompleted();
            } catch (RuntimeException e) {
                // already closed
            }
        }

        @Override
        public void onError(Throwable t) {
            gone();
        }

        @Override
        public void onCompleted() {
            gone();
            close();
        }

        private void gone() {
            if (cluster != null && sessions.remove(cluster, this)) {
                LOG.info("cluster {} disconnected", cluster);
                fleet.disconnected(cluster);
            }
            proxied.entrySet().removeIf(e -> {
                if (e.getValue().session() != this) {
                    return false;
                }
                e.getValue().answer().lost("the agent of cluster " + cluster + " disconnected");
                return true;
            });
        }
    }

    /** An object's coordinates on the wire (proto3 has no null: no namespace is the empty string). */
    static ObjectRef toProto(Coordinates r) {
        return ObjectRef.newBuilder().setApiVersion(r.apiVersion()).setKind(r.kind())
                .setNamespace(r.namespace() == null ? "" : r.namespace()).setName(r.name()).build();
    }

    static Coordinates fromProto(ObjectRef r) {
        return new Coordinates(r.getApiVersion(), r.getKind(), r.getNamespace().isEmpty() ? null : r.getNamespace(), r.getName());
    }

    @Override
    public void close() {
        sessions.values().forEach(Session::close);
        server.shutdownNow();
    }
}
