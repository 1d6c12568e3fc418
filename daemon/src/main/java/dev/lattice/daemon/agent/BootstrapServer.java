package dev.lattice.daemon.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lattice.core.install.BootstrapTokens;
import dev.lattice.core.io.Documents;
import dev.lattice.core.model.Kind;
import dev.lattice.core.status.ClusterStatus;
import dev.lattice.daemon.http.HttpEndpoint;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.engine.kube.StatusWriter;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parent's bootstrap endpoint (HTTPS, {@code parentConfig.bootstrapPort}).
 * <ul>
 *   <li>{@code GET /v1/clusters/NAME/manifests} with {@code Authorization: Bearer TOKEN}: what a new child's first
 *       control-plane node applies (its postKubeadmCommands): the daemon and the Secret that says where this parent
 *       is, with a new token for the daemon. The token presented is spent.</li>
 *   <li>{@code POST /v1/bootstrap} with a child's name, its one-time token and a signing request returns a client
 *       certificate for the agent stream. The token is spent, and the child's bootstrap complete.</li>
 * </ul>
 * A token is valid when its hash is the child LatticeCluster's {@code status.bootstrapTokenHash} and it has not
 * expired ({@link BootstrapTokens}). It is spent by an update of the child's status conditional on the version read, so
 * of two requests with the same token only one succeeds; a spent, expired or wrong one gets nothing but a 403.
 *
 * <p>It is an {@link HttpEndpoint}: a client that stalls holds a socket, not a thread, and its limits bound each client;
 * TLS offers AEAD suites only.
 */
public final class BootstrapServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BootstrapServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern MANIFESTS = Pattern.compile("/v1/clusters/([a-z0-9]([-a-z0-9]*[a-z0-9])?)/manifests");

    private final KubernetesClient client;
    private final Pki.Identity ca;
    private final BootstrapTokens tokens;
    private final int maxBody;
    private final HttpEndpoint endpoint;
    private final BiFunction<String, String, List<HasMetadata>> manifests;

    /**
     * {@code manifests} gives what a child applies on first boot, from its name and the token its daemon is to use;
     * {@code tokens} checks and makes the tokens.
     */
    public BootstrapServer(KubernetesClient client, Pki.Identity ca, javax.net.ssl.X509KeyManager serving, int port, BootstrapTokens tokens,
                           BiFunction<String, String, List<HasMetadata>> manifests, HttpEndpoint.Limits limits) throws IOException {
        this.client = client;
        this.ca = ca;
        this.tokens = tokens;
        this.manifests = manifests;
        this.maxBody = limits.maxBody();
        SslContextFactory.Server tls = Pki.serverTls(serving, ca.certificatePem());
        // A child renewing its client certificate shows the one it has; everyone else shows none.
        tls.setWantClientAuth(true);
        this.endpoint = new HttpEndpoint("agent-bootstrap", port, tls, limits, new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                BootstrapServer.this.handle(request, response, callback);
                return true;
            }
        });
    }

    public int port() {
        return endpoint.port();
    }

    private void handle(Request request, Response response, Callback callback) {
        try {
            String path = request.getHttpURI().getPath();
            if ("/v1/bootstrap".equals(path)) {
                bootstrap(request, response, callback);
            } else if ("/v1/renew".equals(path)) {
                renew(request, response, callback);
            } else {
                manifests(request, response, callback, path);
            }
        } catch (RuntimeException | IOException e) {
            LOG.warn("bootstrap endpoint request failed: {}", e.getMessage());
            reply(response, callback, 500, Map.of("error", "internal error"));
        }
    }

    private void bootstrap(Request request, Response response, Callback callback) throws IOException {
        if (!"POST".equals(request.getMethod())) {
            reply(response, callback, 405, Map.of("error", "use POST"));
            return;
        }
        Map<?, ?> body = body(request, response, callback);
        if (body == null) {
            return;
        }
        String cluster = string(body.get("cluster"));
        String token = string(body.get("token"));
        String csr = string(body.get("csr"));
        if (cluster == null || token == null || csr == null) {
            reply(response, callback, 400, Map.of("error", "cluster, token and csr are required"));
            return;
        }
        // The request is checked before the token is spent, so a bad request does not cost a child its token.
        String certificate = certificate(csr, cluster, response, callback);
        if (certificate == null) {
            return;
        }
        if (spend(cluster, token, false) == null) {
            LOG.warn("refused a bootstrap request for cluster {} from {}: wrong or used token", cluster, Request.getRemoteAddr(request));
            reply(response, callback, 403, Map.of("error", "wrong or used bootstrap token for cluster " + cluster));
            return;
        }
        LOG.info("issued the agent certificate of cluster {}", cluster);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("certificate", certificate);
        out.put("ca", ca.certificatePem());
        reply(response, callback, 200, out);
    }

    /**
     * {@code POST /v1/renew} with a signing request, over TLS with the child's current client certificate: a new one for
     * the same cluster (the name comes from the certificate shown, never from the request). The agent asks once its
     * certificate is in the last third of its validity, on the side of its open stream, which goes on.
     */
    private void renew(Request request, Response response, Callback callback) throws IOException {
        if (!"POST".equals(request.getMethod())) {
            reply(response, callback, 405, Map.of("error", "use POST"));
            return;
        }
        String cluster = null;
        if (request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE) instanceof EndPoint.SslSessionData tls
                && tls.peerCertificates() != null && tls.peerCertificates().length > 0) {
            cluster = Pki.commonName(tls.peerCertificates()[0]);
        }
        if (cluster == null) {
            reply(response, callback, 401, Map.of("error", "show the client certificate to renew"));
            return;
        }
        Map<?, ?> body = body(request, response, callback);
        if (body == null) {
            return;
        }
        String csr = string(body.get("csr"));
        if (csr == null) {
            reply(response, callback, 400, Map.of("error", "csr is required"));
            return;
        }
        String certificate = certificate(csr, cluster, response, callback);
        if (certificate == null) {
            return;
        }
        LOG.info("renewed the agent certificate of cluster {}", cluster);
        reply(response, callback, 200, Map.of("certificate", certificate, "ca", ca.certificatePem()));
    }

    /** A client certificate for {@code cluster} from the signing request {@code csr}, or null once it has answered why not. */
    private String certificate(String csr, String cluster, Response response, Callback callback) {
        try {
            return Pki.clientCertificate(ca, csr, cluster);
        } catch (IllegalArgumentException e) {
            reply(response, callback, 400, Map.of("error", e.getMessage()));
            return null;
        }
    }

    /** The request's JSON body, or null once it has answered why there is none. */
    private Map<?, ?> body(Request request, Response response, Callback callback) {
        if (request.getLength() > maxBody) {
            reply(response, callback, 413, Map.of("error", "request too large"));
            return null;
        }
        try (InputStream in = Request.asInputStream(request)) {
            byte[] bytes = in.readNBytes(maxBody + 1);
            if (bytes.length > maxBody) {
                reply(response, callback, 413, Map.of("error", "request too large"));
                return null;
            }
            return JSON.readValue(bytes, Map.class);
        } catch (IOException e) {
            reply(response, callback, 400, Map.of("error", "the body is not JSON"));
            return null;
        }
    }

    private void manifests(Request request, Response response, Callback callback, String path) {
        Matcher matched = MANIFESTS.matcher(path);
        if (!matched.matches()) {
            reply(response, callback, 404, Map.of("error", "no such endpoint"));
            return;
        }
        if (!"GET".equals(request.getMethod())) {
            reply(response, callback, 405, Map.of("error", "use GET"));
            return;
        }
        String cluster = matched.group(1);
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        String token = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7).strip() : null;
        String next = token == null || token.isEmpty() ? null : spend(cluster, token, true);
        if (next == null) {
            LOG.warn("refused the manifests of cluster {} to {}: wrong or used token", cluster, Request.getRemoteAddr(request));
            reply(response, callback, 403, Map.of("error", "wrong or used bootstrap token for cluster " + cluster));
            return;
        }
        byte[] body = Documents.yamlStream(manifests.apply(cluster, next)).getBytes(StandardCharsets.UTF_8);
        HttpEndpoint.reply(response, callback, 200, "application/yaml", body);
        LOG.info("served the manifests of cluster {}", cluster);
    }

    /**
     * Spends {@code token} if it is the cluster's valid one: with {@code reissue}, a new token replaces it (returned, for
     * the child's daemon); without, the bootstrap is complete (returns ""). Null when the token is wrong, spent or
     * expired, or another request spent it first.
     */
    private String spend(String cluster, String token, boolean reissue) {
        var clusters = client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER));
        GenericKubernetesResource live = clusters.withName(cluster).get();
        if (live == null) {
            return null;
        }
        ClusterStatus status = StatusWriter.ofCluster(live);
        if (!tokens.matches(status, token)) {
            return null;
        }
        status.forgetToken();
        String next = "";
        if (reissue) {
            next = tokens.mint(status);
        } else {
            status.bootstrapComplete(true);
        }
        StatusWriter.put(live, status);
        try {
            // The resourceVersion read above makes this conditional: a concurrent use of the same token loses.
            clusters.resource(live).updateStatus();
            return next;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return null;
            }
            throw e;
        }
    }

    private static String string(Object o) {
        return o instanceof String s && !s.isBlank() ? s : null;
    }

    private static void reply(Response response, Callback callback, int code, Map<String, ?> body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            callback.failed(e);
            return;
        }
        HttpEndpoint.reply(response, callback, code, "application/json", bytes);
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
