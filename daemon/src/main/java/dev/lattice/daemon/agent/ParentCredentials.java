package dev.lattice.daemon.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lattice.engine.crypto.Crypto;
import dev.lattice.engine.kube.Secrets;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child's credentials for its parent, kept in the Secret {@link #SECRET}: where the parent is and its CA, then the
 * one-time bootstrap token traded for a client certificate (its key is made here and never sent), which is renewed over
 * TLS with the current one in the last third of its validity.
 */
public final class ParentCredentials {
    /** The Secret that says where the parent is: host, grpcPort, bootstrapPort, ca.crt, token; then tls.crt, tls.key. */
    public static final String SECRET = dev.lattice.core.capi.ClusterRenderer.PARENT_SECRET;
    private static final Logger LOG = LoggerFactory.getLogger(ParentCredentials.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final String namespace;
    private final Supplier<String> self;
    /** Not before this does a failed renewal try again. */
    private volatile Instant nextRenewal = Instant.MIN;

    public ParentCredentials(KubernetesClient client, String namespace, Supplier<String> self) {
        this.client = client;
        this.namespace = namespace;
        this.self = self;
    }

    /** What the Secret holds, with a client certificate (got with the bootstrap token if there was none yet); null: no parent. */
    Map<String, String> current() throws Exception {
        Map<String, String> parent = secret();
        if (parent != null && !parent.containsKey("tls.crt")) {
            parent = bootstrap(parent);
        }
        return parent;
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
    Map<String, String> renewIfDue(Map<String, String> parent) {
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
        HttpClient http = HttpClient.newBuilder().sslContext(tls).sslParameters(Crypto.parameters())
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

    static String host(Map<String, String> parent) {
        return parent.getOrDefault("host", "localhost");
    }
}
