package dev.lattice.daemon.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.lattice.proto.agent.v1.AgentMessage;
import dev.lattice.proto.agent.v1.Header;
import dev.lattice.proto.agent.v1.KubeRequest;
import dev.lattice.proto.agent.v1.KubeResponse;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The child's side of its parent's proxy port: carries out the {@link KubeRequest}s the parent forwards (already
 * authenticated and authorised there) against this cluster's own API server, with the daemon's own credentials, and
 * streams each answer back as {@link KubeResponse} frames: the status and headers, the body in pieces as the API
 * server sends it (a watch goes on until either side ends it, at most {@link #WATCH_SECONDS}), then a last frame.
 *
 * <p>Only the Kubernetes API is reachable ({@code /api}, {@code /apis}, {@code /version}, {@code /openapi}); only the
 * headers that describe content pass either way, so a request can carry neither credentials nor impersonation.
 */
final class ApiRequests {
    /** Requests one parent may have running here at once; more are answered 429. */
    static final int MAX_RUNNING = 64;
    /** The largest body piece one frame carries. */
    static final int FRAME_BYTES = 256 * 1024;
    /**
     * The longest a watch runs before the API server ends it (as it ends every watch after a while; clients then watch
     * again): shorter than the proxy's idle timeout, so a quiet watch is never cut as idle, and the bound on a watch
     * whose caller went away while nothing happened (a caller that goes is noticed at the next write).
     */
    static final int WATCH_SECONDS = 240;
    /** Request headers that pass to the API server. */
    static final Set<String> REQUEST_HEADERS = Set.of("accept", "content-type");
    /** Response headers that pass back to the caller. */
    static final Set<String> RESPONSE_HEADERS = Set.of("content-type", "warning", "audit-id", "retry-after");
    private static final Pattern API_PATH = Pattern.compile("/(api|apis|version|openapi)(/[^?#]*)?(\\?[^#]*)?");
    private static final Logger LOG = LoggerFactory.getLogger(ApiRequests.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    /** Requests under way, by the id of the command that asked for each. */
    private final Map<String, Running> running = new ConcurrentHashMap<>();

    ApiRequests(KubernetesClient client) {
        this.client = client;
    }

    /** One request under way: until its answer starts, the future; then the body being read. */
    private static final class Running {
        volatile CompletableFuture<HttpResponse<AsyncBody>> answer;
        volatile AsyncBody body;
        volatile boolean cancelled;

        void cancel() {
            cancelled = true;
            AsyncBody b = body;
            if (b != null) {
                b.cancel();
            } else if (answer != null) {
                answer.cancel(true);
            }
        }
    }

    /** Starts the request of command {@code id}; every frame of its answer goes to {@code send}, the last one included. */
    void start(String id, KubeRequest request, Consumer<AgentMessage> send) {
        String path = request.getPath();
        if (!allowed(path)) {
            send.accept(status(id, 404, "NotFound", "the proxy serves the Kubernetes API only (/api, /apis, /version, /openapi), not "
                    + abbreviate(path)));
            return;
        }
        if (running.size() >= MAX_RUNNING) {
            send.accept(status(id, 429, "TooManyRequests", "this cluster already carries " + MAX_RUNNING
                    + " requests from its parent's proxy; try again"));
            return;
        }
        Running r = new Running();
        if (running.putIfAbsent(id, r) != null) {
            return; // the same command twice: the first one answers
        }
        HttpClient http = client.getHttpClient();
        String base = client.getMasterUrl().toString().replaceAll("/+$", "");
        HttpRequest.Builder builder = http.newHttpRequestBuilder().uri(base + boundWatch(path)).forStreaming();
        String contentType = null;
        for (Header h : request.getHeadersList()) {
            String name = h.getName().toLowerCase(Locale.ROOT);
            if (name.equals("content-type")) {
                contentType = h.getValue();
            } else if (REQUEST_HEADERS.contains(name)) {
                builder.setHeader(h.getName(), h.getValue());
            }
        }
        byte[] body = request.getBody().toByteArray();
        if (body.length > 0 || Set.of("POST", "PUT", "PATCH").contains(request.getMethod())) {
            builder.method(request.getMethod(), contentType == null ? "application/json" : contentType,
                    new ByteArrayInputStream(body), (long) body.length);
        } else {
            builder.method(request.getMethod(), null, (String) null);
        }
        LOG.debug("proxy: {} {} for {}", request.getMethod(), abbreviate(path), request.getUser());
        r.answer = http.consumeBytes(builder.build(), (pieces, asyncBody) -> {
            for (ByteBuffer piece : pieces) {
                while (piece.hasRemaining()) {
                    int n = Math.min(piece.remaining(), FRAME_BYTES);
                    ByteBuffer slice = piece.slice(piece.position(), n);
                    piece.position(piece.position() + n);
                    send.accept(frame(KubeResponse.newBuilder().setRequestId(id).setBody(ByteString.copyFrom(slice))));
                }
            }
            asyncBody.consume();
        });
        r.answer.whenComplete((response, failure) -> {
            if (failure != null) {
                running.remove(id);
                if (!r.cancelled) {
                    send.accept(status(id, 502, "ServiceUnavailable", "this cluster's API server did not answer: " + failure.getMessage()));
                }
                return;
            }
            KubeResponse.Builder head = KubeResponse.newBuilder().setRequestId(id).setStatus(response.code());
            response.headers().forEach((name, values) -> {
                if (RESPONSE_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(v -> head.addHeaders(Header.newBuilder().setName(name).setValue(v)));
                }
            });
            send.accept(frame(head));
            r.body = response.body();
            response.body().done().whenComplete((done, broken) -> {
                running.remove(id);
                if (!r.cancelled) {
                    send.accept(frame(KubeResponse.newBuilder().setRequestId(id).setLast(true)));
                }
            });
            if (r.cancelled) {
                response.body().cancel();
            } else {
                response.body().consume();
            }
        });
    }

    /** Stops the request of command {@code id}, if it is still under way: its caller went away. */
    void cancel(String id) {
        Running r = running.remove(id);
        if (r != null) {
            r.cancel();
        }
    }

    /** Stops every request: the stream to the parent closed, so no one waits for their answers. */
    void cancelAll() {
        for (String id : List.copyOf(running.keySet())) {
            cancel(id);
        }
    }

    int running() {
        return running.size();
    }

    /** Whether {@code path} is a path of the Kubernetes API, with no step out of it. */
    static boolean allowed(String path) {
        if (!API_PATH.matcher(path).matches()) {
            return false;
        }
        String p = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        String lower = p.toLowerCase(Locale.ROOT);
        return !lower.contains("/../") && !lower.endsWith("/..") && !lower.contains("/./") && !lower.endsWith("/.")
                && !lower.contains("%2e") && !lower.contains("//") && !lower.contains("\\");
    }

    /** {@code path} with a watch's {@code timeoutSeconds} at most {@link #WATCH_SECONDS}; any other path as it is. */
    static String boundWatch(String path) {
        int q = path.indexOf('?');
        String query = q < 0 ? "" : path.substring(q + 1);
        List<String> params = new java.util.ArrayList<>(query.isEmpty() ? List.of() : List.of(query.split("&")));
        boolean watch = path.substring(0, q < 0 ? path.length() : q).contains("/watch/")
                || params.contains("watch=true") || params.contains("watch=1");
        if (!watch) {
            return path;
        }
        params.removeIf(p -> {
            if (!p.startsWith("timeoutSeconds=")) {
                return false;
            }
            try {
                return Long.parseLong(p.substring("timeoutSeconds=".length())) > WATCH_SECONDS;
            } catch (NumberFormatException e) {
                return true;
            }
        });
        if (params.stream().noneMatch(p -> p.startsWith("timeoutSeconds="))) {
            params.add("timeoutSeconds=" + WATCH_SECONDS);
        }
        return (q < 0 ? path : path.substring(0, q)) + "?" + String.join("&", params);
    }

    /** A whole answer that is a Kubernetes Status, as the API server would give it. */
    static AgentMessage status(String id, int code, String reason, String message) {
        return frame(KubeResponse.newBuilder().setRequestId(id).setStatus(code)
                .addHeaders(Header.newBuilder().setName("Content-Type").setValue("application/json"))
                .setBody(ByteString.copyFrom(statusJson(code, reason, message))).setLast(true));
    }

    /** A Kubernetes {@code Status} that says why a request failed, as JSON. */
    static byte[] statusJson(int code, String reason, String message) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.put("metadata", Map.of());
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", reason);
        status.put("code", code);
        try {
            return JSON.writeValueAsBytes(status);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static AgentMessage frame(KubeResponse.Builder frame) {
        return AgentMessage.newBuilder().setKubeResponse(frame).build();
    }

    private static String abbreviate(String path) {
        return path.length() > 200 ? path.substring(0, 200) + "…" : path;
    }
}
