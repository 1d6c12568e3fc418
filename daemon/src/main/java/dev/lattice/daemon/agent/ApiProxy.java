package dev.lattice.daemon.agent;

import com.google.protobuf.ByteString;
import dev.lattice.core.model.Kind;
import dev.lattice.daemon.http.HttpEndpoint;
import dev.lattice.proto.agent.v1.Header;
import dev.lattice.proto.agent.v1.KubeRequest;
import dev.lattice.proto.agent.v1.KubeResponse;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.X509KeyManager;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A parent's proxy port ({@code parentConfig.proxyPort}): the Kubernetes API of each connected child, at
 * {@code https://HOST:PORT/clusters/NAME/}, carried over that child's agent stream, since a child only dials out.
 * A kubeconfig whose server is that address (and whose CA is the parent's agent CA) works with kubectl.
 *
 * <p>The parent's RBAC decides. The caller shows a bearer token, which the parent's API server reviews
 * (TokenReview); the user it names must be allowed the request's verb on the subresource {@code latticeclusters/proxy}
 * of that child (SubjectAccessReview): {@code get} for GET and HEAD, {@code create} for POST, {@code update} for PUT,
 * {@code patch} for PATCH, {@code delete} for DELETE, as for Kubernetes' own {@code nodes/proxy}. What the request
 * then does in the child, the child's daemon does with its own credentials, so its RBAC there bounds what any caller
 * can reach: {@code latticeclusters/proxy} grants the daemon's reach into that child, as {@code nodes/proxy} grants
 * the kubelet's. Decisions are kept {@link #DECISION_TTL} per token, verb and child.
 *
 * <p>Upgraded connections (exec, attach, port-forward) are not carried. Credentials and impersonation headers never
 * leave the parent; only the headers that describe content do.
 */
public final class ApiProxy implements AutoCloseable {
    /** How long an authentication and authorisation decision is kept. */
    public static final Duration DECISION_TTL = Duration.ofSeconds(10);
    /** The largest request body, as for a Kubernetes API server. */
    public static final int MAX_BODY = 3 * 1024 * 1024;
    /** Answer bytes held for a caller that reads slower than its child sends; past them the request is ended. */
    static final long MAX_QUEUED = 8L * 1024 * 1024;
    /** What one caller may take: watches are long and quiet, and kubectl opens several connections. */
    public static final HttpEndpoint.Limits LIMITS =
            new HttpEndpoint.Limits(Duration.ofMinutes(5), Duration.ofHours(1), 64, 1024, MAX_BODY);
    private static final Pattern PATH = Pattern.compile("/clusters/([a-z0-9]([-a-z0-9]*[a-z0-9])?)(/.*)?");
    private static final Map<String, String> VERBS =
            Map.of("GET", "get", "HEAD", "get", "POST", "create", "PUT", "update", "PATCH", "patch", "DELETE", "delete");
    private static final int MAX_DECISIONS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(ApiProxy.class);

    private final KubernetesClient client;
    private final AgentServer agents;
    private final HttpEndpoint endpoint;
    private final LongSupplier nanos;
    private final Map<String, Decision> decisions = new ConcurrentHashMap<>();

    /** A review's outcome: the user it named, and the status to answer when the request may not go on (0: it may). */
    private record Decision(String user, int code, String reason, String message, long until) {
    }

    public ApiProxy(KubernetesClient client, Pki.Identity ca, X509KeyManager serving, int port, AgentServer agents) throws IOException {
        this(client, ca, serving, port, agents, System::nanoTime);
    }

    ApiProxy(KubernetesClient client, Pki.Identity ca, X509KeyManager serving, int port, AgentServer agents, LongSupplier nanos)
            throws IOException {
        this.client = client;
        this.agents = agents;
        this.nanos = nanos;
        this.endpoint = new HttpEndpoint("api-proxy", port, Pki.serverTls(serving, ca.certificatePem()), LIMITS, new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                ApiProxy.this.handle(request, response, callback);
                return true;
            }
        });
    }

    public int port() {
        return endpoint.port();
    }

    private void handle(Request request, Response response, Callback callback) {
        try {
            Matcher m = PATH.matcher(request.getHttpURI().getPath());
            if (!m.matches()) {
                fail(response, callback, 404, "NotFound", "this is a Lattice parent's proxy: use /clusters/NAME/ and the Kubernetes API below it");
                return;
            }
            String cluster = m.group(1);
            String path = m.group(3) == null ? "/" : m.group(3);
            String query = request.getHttpURI().getQuery();
            String verb = VERBS.get(request.getMethod());
            if (verb == null) {
                fail(response, callback, 405, "MethodNotAllowed", request.getMethod() + " is not a method of the Kubernetes API");
                return;
            }
            if (request.getHeaders().get(HttpHeader.UPGRADE) != null) {
                fail(response, callback, 400, "BadRequest",
                        "the proxy does not carry upgraded connections (exec, attach, port-forward) to cluster " + cluster);
                return;
            }
            Decision decision = decide(bearer(request), verb, cluster);
            if (decision.code() != 0) {
                fail(response, callback, decision.code(), decision.reason(), decision.message());
                return;
            }
            byte[] body = body(request);
            if (body == null) {
                fail(response, callback, 413, "RequestEntityTooLarge", "the request body is larger than " + MAX_BODY + " bytes");
                return;
            }
            KubeRequest.Builder forward = KubeRequest.newBuilder().setMethod(request.getMethod())
                    .setPath(query == null ? path : path + "?" + query).setBody(ByteString.copyFrom(body)).setUser(decision.user());
            for (HttpField field : request.getHeaders()) {
                if (ApiRequests.REQUEST_HEADERS.contains(field.getLowerCaseName())) {
                    forward.addHeaders(Header.newBuilder().setName(field.getName()).setValue(field.getValue()));
                }
            }
            Answer answer = new Answer(response, callback, request.getMethod().equals("HEAD"));
            String id = agents.forward(cluster, forward.build(), answer);
            if (id == null) {
                fail(response, callback, 503, "ServiceUnavailable", "the agent of cluster " + cluster
                        + " is not connected to this parent; its API is reachable through here only while it is");
                return;
            }
            answer.started(id);
            request.addFailureListener(failure -> answer.abort(failure));
        } catch (RuntimeException | IOException e) {
            LOG.warn("proxy request failed: {}", e.getMessage());
            fail(response, callback, 500, "InternalError", "the proxy failed: " + e.getMessage());
        }
    }

    /** Who the token names and whether they may use {@code verb} on the child's proxy, from the cache or the API server. */
    private Decision decide(String token, String verb, String cluster) {
        if (token == null) {
            return new Decision(null, 401, "Unauthorized", "show a bearer token of this parent's Kubernetes API", 0);
        }
        String key = sha256(token) + " " + verb + " " + cluster;
        long now = nanos.getAsLong();
        Decision cached = decisions.get(key);
        if (cached != null && cached.until() - now > 0) {
            return cached;
        }
        if (decisions.size() >= MAX_DECISIONS) {
            decisions.clear();
        }
        Decision made = review(token, verb, cluster, now + DECISION_TTL.toNanos());
        decisions.put(key, made);
        return made;
    }

    private Decision review(String token, String verb, String cluster, long until) {
        TokenReview review = client.resource(new TokenReviewBuilder().withNewSpec().withToken(token).endSpec().build()).create();
        if (review.getStatus() == null || !Boolean.TRUE.equals(review.getStatus().getAuthenticated())) {
            return new Decision(null, 401, "Unauthorized", "this parent's Kubernetes API does not accept the token", until);
        }
        UserInfo user = review.getStatus().getUser();
        SubjectAccessReview access = client.resource(new SubjectAccessReviewBuilder().withNewSpec()
                .withUser(user.getUsername()).withGroups(user.getGroups()).withUid(user.getUid()).withExtra(user.getExtra())
                .withNewResourceAttributes().withGroup(Kind.GROUP).withResource(Kind.LATTICE_CLUSTER.plural()).withSubresource("proxy")
                .withName(cluster).withVerb(verb).endResourceAttributes()
                .endSpec().build()).create();
        if (access.getStatus() == null || !Boolean.TRUE.equals(access.getStatus().getAllowed())) {
            return new Decision(user.getUsername(), 403, "Forbidden", Kind.LATTICE_CLUSTER.plural() + "." + Kind.GROUP + " \"" + cluster
                    + "\" is forbidden: User \"" + user.getUsername() + "\" cannot " + verb + " resource \""
                    + Kind.LATTICE_CLUSTER.plural() + "/proxy\" in API group \"" + Kind.GROUP + "\" on this parent", until);
        }
        return new Decision(user.getUsername(), 0, null, null, until);
    }

    private static String bearer(Request request) {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).strip();
        return token.isEmpty() ? null : token;
    }

    /** The request's body, or null when it is larger than {@link #MAX_BODY}. */
    private static byte[] body(Request request) throws IOException {
        if (request.getLength() > MAX_BODY) {
            return null;
        }
        try (InputStream in = Request.asInputStream(request)) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            return bytes.length > MAX_BODY ? null : bytes;
        }
    }

    private static void fail(Response response, Callback callback, int code, String reason, String message) {
        HttpEndpoint.reply(response, callback, code, "application/json", ApiRequests.statusJson(code, reason, message));
    }

    private static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One request's answer, written to the caller frame by frame as the child sends them: each write waits for the one
     * before it, so the frames go out in order and no thread waits on a slow caller.
     */
    private final class Answer extends IteratingCallback implements AgentServer.Answer {
        private final Response response;
        private final Callback callback;
        private final boolean head;
        private final Queue<KubeResponse> frames = new ConcurrentLinkedQueue<>();
        private final AtomicLong queued = new AtomicLong();
        private volatile String id;
        private boolean headed;
        private boolean ended;

        Answer(Response response, Callback callback, boolean head) {
            this.response = response;
            this.callback = callback;
            this.head = head;
        }

        void started(String id) {
            this.id = id;
        }

        @Override
        public void frame(KubeResponse frame) {
            if (queued.addAndGet(frame.getBody().size()) > MAX_QUEUED) {
                abort(new IOException("the caller reads slower than cluster sends; ended after " + MAX_QUEUED + " bytes waiting"));
                return;
            }
            frames.add(frame);
            iterate();
        }

        @Override
        public void lost(String why) {
            frames.add(KubeResponse.newBuilder().setStatus(502).addHeaders(Header.newBuilder().setName("Content-Type")
                            .setValue("application/json"))
                    .setBody(ByteString.copyFrom(ApiRequests.statusJson(502, "ServiceUnavailable", why))).setLast(true).build());
            iterate();
        }

        @Override
        protected Action process() throws IOException {
            KubeResponse frame = frames.poll();
            if (frame == null) {
                return ended ? Action.SUCCEEDED : Action.IDLE;
            }
            queued.addAndGet(-frame.getBody().size());
            if (!headed) {
                headed = true;
                response.setStatus(frame.getStatus() == 0 ? 502 : frame.getStatus());
                for (Header h : frame.getHeadersList()) {
                    if (ApiRequests.RESPONSE_HEADERS.contains(h.getName().toLowerCase(Locale.ROOT))) {
                        response.getHeaders().add(h.getName(), h.getValue());
                    }
                }
            } else if (frame.getStatus() != 0) {
                // The stream was lost after the answer began: the caller sees its connection broken, not a short answer.
                throw new IOException("the answer of cluster broke off: " + frame.getBody().toStringUtf8());
            }
            ended = frame.getLast();
            ByteBuffer bytes = head ? ByteBuffer.allocate(0) : frame.getBody().asReadOnlyByteBuffer();
            response.write(ended, bytes, this);
            return Action.SCHEDULED;
        }

        @Override
        protected void onCompleteSuccess() {
            callback.succeeded();
        }

        @Override
        protected void onCompleteFailure(Throwable cause) {
            String requestId = id;
            if (requestId != null) {
                agents.cancel(requestId);
            }
            callback.failed(cause);
        }
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
