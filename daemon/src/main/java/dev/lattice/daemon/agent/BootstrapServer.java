package dev.lattice.daemon.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.lattice.core.kube.LiveInputs;
import dev.lattice.core.model.Kind;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.lattice.core.io.Documents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parent's bootstrap endpoint (HTTPS, {@code parentConfig.bootstrapPort}).
 * <ul>
 *   <li>{@code GET /v1/clusters/NAME/manifests} with {@code Authorization: Bearer TOKEN}: what a new child's first
 *       control-plane node applies (its postKubeadmCommands): the daemon and the Secret that says where this parent
 *       is. The token is checked, not spent.</li>
 *   <li>{@code POST /v1/bootstrap} with a child's name, its one-time token and a signing request returns a client
 *       certificate for the agent stream. The token is consumed by an optimistic update of the child's status: of two
 *       requests with the same token only one succeeds.</li>
 * </ul>
 * The token is the child LatticeCluster's {@code status.bootstrapToken} here; a used or wrong one gets nothing but a 403.
 */
public final class BootstrapServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BootstrapServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 64 * 1024;
    private static final Pattern MANIFESTS = Pattern.compile("/v1/clusters/([a-z0-9]([-a-z0-9]*[a-z0-9])?)/manifests");

    private final KubernetesClient client;
    private final Pki.Identity ca;
    private final HttpsServer server;
    private final BiFunction<String, String, List<Map<String, Object>>> manifests;

    /** {@code manifests} gives what a child applies on first boot, from its name and token. */
    public BootstrapServer(KubernetesClient client, Pki.Identity ca, Pki.Identity serving, int port,
                           BiFunction<String, String, List<Map<String, Object>>> manifests) throws IOException {
        this.client = client;
        this.ca = ca;
        this.manifests = manifests;
        this.server = HttpsServer.create(new InetSocketAddress(port), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(Pki.tls(serving, ca.certificatePem())));
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "agent-bootstrap");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/v1/bootstrap", this::bootstrap);
        server.createContext("/v1/clusters/", this::manifests);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void bootstrap(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                reply(exchange, 405, Map.of("error", "use POST"));
                return;
            }
            Map<?, ?> request;
            try (InputStream body = exchange.getRequestBody()) {
                byte[] bytes = body.readNBytes(MAX_BODY + 1);
                if (bytes.length > MAX_BODY) {
                    reply(exchange, 413, Map.of("error", "request too large"));
                    return;
                }
                request = JSON.readValue(bytes, Map.class);
            } catch (IOException e) {
                reply(exchange, 400, Map.of("error", "the body is not JSON"));
                return;
            }
            String cluster = string(request.get("cluster"));
            String token = string(request.get("token"));
            String csr = string(request.get("csr"));
            if (cluster == null || token == null || csr == null) {
                reply(exchange, 400, Map.of("error", "cluster, token and csr are required"));
                return;
            }
            // The request is checked before the token is spent, so a bad request does not cost a child its token.
            String certificate;
            try {
                certificate = Pki.clientCertificate(ca, csr, cluster);
            } catch (IllegalArgumentException e) {
                reply(exchange, 400, Map.of("error", e.getMessage()));
                return;
            }
            if (!consume(cluster, token)) {
                LOG.warn("refused a bootstrap request for cluster {} from {}: wrong or used token", cluster,
                        exchange.getRemoteAddress().getAddress().getHostAddress());
                reply(exchange, 403, Map.of("error", "wrong or used bootstrap token for cluster " + cluster));
                return;
            }
            LOG.info("issued the agent certificate of cluster {}", cluster);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("certificate", certificate);
            out.put("ca", ca.certificatePem());
            reply(exchange, 200, out);
        } catch (RuntimeException e) {
            LOG.warn("bootstrap request failed: {}", e.getMessage());
            reply(exchange, 500, Map.of("error", "internal error"));
        }
    }

    private void manifests(HttpExchange exchange) throws IOException {
        try (exchange) {
            Matcher path = MANIFESTS.matcher(exchange.getRequestURI().getPath());
            if (!path.matches()) {
                reply(exchange, 404, Map.of("error", "no such endpoint"));
                return;
            }
            if (!"GET".equals(exchange.getRequestMethod())) {
                reply(exchange, 405, Map.of("error", "use GET"));
                return;
            }
            String cluster = path.group(1);
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            String token = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7).strip() : null;
            if (token == null || token.isEmpty() || unusedToken(cluster, token) == null) {
                LOG.warn("refused the manifests of cluster {} to {}: wrong or used token", cluster,
                        exchange.getRemoteAddress().getAddress().getHostAddress());
                reply(exchange, 403, Map.of("error", "wrong or used bootstrap token for cluster " + cluster));
                return;
            }
            byte[] body = Documents.yamlStream(manifests.apply(cluster, token)).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/yaml");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            LOG.info("served the manifests of cluster {}", cluster);
        } catch (RuntimeException e) {
            LOG.warn("manifests request failed: {}", e.getMessage());
            reply(exchange, 500, Map.of("error", "internal error"));
        }
    }

    /** The child's LatticeCluster when {@code token} is its unused token, else null. */
    private GenericKubernetesResource unusedToken(String cluster, String token) {
        GenericKubernetesResource live = client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName(cluster).get();
        if (live == null || !(live.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) {
            return null;
        }
        Object expected = status.get("bootstrapToken");
        return expected instanceof String e && MessageDigest.isEqual(e.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))
                ? live : null;
    }

    /** True when {@code token} was the cluster's unused token; it is used up by this call. */
    private boolean consume(String cluster, String token) {
        GenericKubernetesResource live = unusedToken(cluster, token);
        if (live == null) {
            return false;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> next = new LinkedHashMap<>((Map<String, Object>) live.getAdditionalProperties().get("status"));
        next.remove("bootstrapToken");
        next.put("bootstrapComplete", true);
        live.setAdditionalProperty("status", next);
        try {
            // The resourceVersion read above makes this conditional: a concurrent use of the same token loses.
            client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).resource(live).updateStatus();
            return true;
        } catch (KubernetesClientException ex) {
            if (ex.getCode() == 409) {
                return false;
            }
            throw ex;
        }
    }

    private static String string(Object o) {
        return o instanceof String s && !s.isBlank() ? s : null;
    }

    private static void reply(HttpExchange exchange, int code, Map<String, ?> body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
