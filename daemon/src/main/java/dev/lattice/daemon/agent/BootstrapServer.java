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
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parent's bootstrap endpoint (HTTPS, {@code parentConfig.bootstrapPort}): {@code POST /v1/bootstrap} with a
 * child's name, its one-time token (its LatticeCluster's {@code status.bootstrapToken} here) and a signing request
 * returns a client certificate for the agent stream. The token is consumed by an optimistic update of that status:
 * of two requests with the same token only one succeeds, and a used or wrong token gets nothing but a 403.
 */
public final class BootstrapServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BootstrapServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 64 * 1024;

    private final KubernetesClient client;
    private final Pki.Identity ca;
    private final HttpsServer server;

    public BootstrapServer(KubernetesClient client, Pki.Identity ca, Pki.Identity serving, int port) throws IOException {
        this.client = client;
        this.ca = ca;
        this.server = HttpsServer.create(new InetSocketAddress(port), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(Pki.tls(serving, ca.certificatePem())));
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "agent-bootstrap");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/v1/bootstrap", this::bootstrap);
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

    /** True when {@code token} was the cluster's unused token; it is used up by this call. */
    private boolean consume(String cluster, String token) {
        var clusters = client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER));
        GenericKubernetesResource live = clusters.withName(cluster).get();
        if (live == null || !(live.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) {
            return false;
        }
        Object expected = status.get("bootstrapToken");
        if (!(expected instanceof String e) || !MessageDigest.isEqual(e.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
            return false;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> next = new LinkedHashMap<>((Map<String, Object>) status);
        next.remove("bootstrapToken");
        next.put("bootstrapComplete", true);
        live.setAdditionalProperty("status", next);
        try {
            // The resourceVersion read above makes this conditional: a concurrent use of the same token loses.
            clusters.resource(live).updateStatus();
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
