package dev.lattice.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lattice.core.crd.CrdGenerator;
import dev.lattice.core.install.BootstrapTokens;
import dev.lattice.core.status.ClusterStatus;
import dev.lattice.core.model.Kind;
import dev.lattice.daemon.agent.AgentServer;
import dev.lattice.daemon.agent.BootstrapServer;
import dev.lattice.daemon.agent.ParentCredentials;
import dev.lattice.daemon.agent.Pki;
import dev.lattice.daemon.agent.ServingCertificate;
import dev.lattice.daemon.http.HttpEndpoint;
import dev.lattice.daemon.reconciler.Fleet;
import dev.lattice.engine.kube.Applier;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.testfixtures.Envtest;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;


/**
 * The parent's bootstrap endpoint under hostile clients, on a real API server that holds the tokens: stalled and
 * dripping connections, too many from one address, oversized bodies, and TLS suites it must not offer. A real join
 * (the manifests, then the certificate) succeeds through all of it.
 */
class BootstrapServerIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Tokens valid for an hour of a clock the tests move. */
    private static final MovableClock CLOCK = new MovableClock();
    private static final BootstrapTokens TOKENS = new BootstrapTokens(CLOCK, Duration.ofHours(1));
    private static Envtest api;
    private static KubernetesClient client;
    private static Pki.Identity ca;
    private static javax.net.ssl.X509KeyManager serving;

    @BeforeAll
    static void start() {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        api = Envtest.start();
        client = api.client();
        new Applier(client).apply(List.of(CrdGenerator.crd(Kind.LATTICE_CLUSTER)), Duration.ofMinutes(1));
        ca = Pki.newAuthority("test-parent");
        serving = Pki.keyManager(Pki.serverCertificate(ca, List.of("127.0.0.1", "localhost")));
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    @Test
    void aJoinSucceedsWhileFiftyClientsStall() throws Exception {
        String token = child("stalled-join");
        HttpEndpoint.Limits limits = new HttpEndpoint.Limits(Duration.ofSeconds(60), Duration.ofSeconds(120), 5, 200, 64 * 1024);
        try (BootstrapServer server = server(limits)) {
            List<Socket> stalled = new ArrayList<>();
            try {
                // Ten addresses, five connections each: half send nothing, half finish TLS and send half a request.
                for (int source = 2; source < 12; source++) {
                    InetAddress from = InetAddress.getByName("127.0.0." + source);
                    for (int i = 0; i < 5; i++) {
                        stalled.add(i % 2 == 0 ? raw(from, server.port()) : halfRequest(from, server.port()));
                    }
                }
                assertThat(stalled).hasSize(50).allSatisfy(s -> assertThat(s.isClosed()).isFalse());

                HttpClient https = https();
                HttpResponse<String> served = manifests(https, server.port(), "stalled-join", token);
                assertThat(served.statusCode()).isEqualTo(200);
                String daemonToken = servedToken(served);
                assertThat(join(https, server.port(), "stalled-join", daemonToken).statusCode()).isEqualTo(200);
                assertThat(join(https, server.port(), "stalled-join", daemonToken).statusCode()).isEqualTo(403);

                // A sixth connection from an address that holds five is closed on arrival.
                Socket sixth = raw(InetAddress.getByName("127.0.0.2"), server.port());
                assertThat(sixth.getInputStream().read()).isEqualTo(-1);
                sixth.close();
                // The stalled ones are still open: only the limit closed the sixth.
                assertThat(halfRequestIsOpen(stalled.get(1))).isTrue();
            } finally {
                for (Socket s : stalled) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aTokenIsSpentByItsFirstUseOnEitherEndpointAndExpires() throws Exception {
        try (BootstrapServer server = server(HttpEndpoint.Limits.DEFAULT)) {
            HttpClient https = https();
            // The manifests spend the machines' token and carry the next one, for the daemon; the status holds hashes only.
            String machines = child("spent");
            HttpResponse<String> served = manifests(https, server.port(), "spent", machines);
            assertThat(served.statusCode()).isEqualTo(200);
            String daemon = servedToken(served);
            assertThat(daemon).isNotEqualTo(machines).hasSizeGreaterThan(40);
            assertThat(manifests(https, server.port(), "spent", machines).statusCode()).isEqualTo(403);
            assertThat(join(https, server.port(), "spent", machines).statusCode()).isEqualTo(403);
            assertThat(statusOf("spent")).containsEntry(ClusterStatus.TOKEN_HASH, BootstrapTokens.hash(daemon))
                    .doesNotContainKey(ClusterStatus.LEGACY_TOKEN).asString().doesNotContain(machines, daemon);
            assertThat(join(https, server.port(), "spent", daemon).statusCode()).isEqualTo(200);
            assertThat(join(https, server.port(), "spent", daemon).statusCode()).isEqualTo(403);
            assertThat(statusOf("spent")).containsEntry("bootstrapComplete", true).doesNotContainKeys(ClusterStatus.TOKEN_HASH, ClusterStatus.TOKEN_EXPIRES);

            // The join takes the machines' token as well (a daemon installed by hand); then the manifests are refused.
            String direct = child("direct");
            assertThat(join(https, server.port(), "direct", direct).statusCode()).isEqualTo(200);
            assertThat(manifests(https, server.port(), "direct", direct).statusCode()).isEqualTo(403);

            // A token past its lifetime is refused everywhere.
            String late = child("late");
            CLOCK.move(Duration.ofMinutes(61));
            try {
                assertThat(manifests(https, server.port(), "late", late).statusCode()).isEqualTo(403);
                assertThat(join(https, server.port(), "late", late).statusCode()).isEqualTo(403);
            } finally {
                CLOCK.move(Duration.ofMinutes(-61));
            }
        }
    }

    @Test
    void closesIdleAndDrippingConnections() throws Exception {
        HttpEndpoint.Limits limits = new HttpEndpoint.Limits(Duration.ofSeconds(1), Duration.ofSeconds(3), 5, 200, 64 * 1024);
        try (BootstrapServer server = server(limits)) {
            Socket idle = raw(InetAddress.getLoopbackAddress(), server.port());
            idle.setSoTimeout((int) WAIT.toMillis());
            assertThat(idle.getInputStream().read()).isEqualTo(-1);
            idle.close();

            // A client that sends a byte of its headers every half second never idles, but its time is up after three.
            SSLSocket drip = tls(InetAddress.getLoopbackAddress(), server.port());
            OutputStream out = drip.getOutputStream();
            byte[] request = "GET /v1/clusters/x/manifests HTTP/1.1\r\nHost: parent\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
            long started = System.nanoTime();
            assertThatThrownBy(() -> {
                for (int i = 0; i < 200; i++) {
                    out.write(request[i % request.length] == '\r' ? 'a' : request[i % request.length]);
                    out.flush();
                    Thread.sleep(500);
                }
            }).isInstanceOf(IOException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(WAIT);
            drip.close();
        }
    }

    @Test
    void refusesOversizedBodiesAndWeakTls() throws Exception {
        try (BootstrapServer server = server(HttpEndpoint.Limits.DEFAULT)) {
            // The refusal goes on the Content-Length alone, before any body is read; a client still sending a body when
            // the server closes can see a reset instead of the 413, so this one sends the headers and reads.
            try (SSLSocket big = (SSLSocket) Pki.trusting(ca.certificatePem()).getSocketFactory().createSocket("127.0.0.1", server.port())) {
                big.setSoTimeout((int) WAIT.toMillis());
                big.getOutputStream().write(("POST /v1/bootstrap HTTP/1.1\r\nHost: parent\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + 100 * 1024 + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                big.getOutputStream().flush();
                String status = new java.io.BufferedReader(new java.io.InputStreamReader(big.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
                assertThat(status).startsWith("HTTP/1.1 413");
            }

            // TLS 1.2 with a CBC/SHA-1 suite, which the JDK's client still offers when asked: no handshake.
            SSLSocket weak = (SSLSocket) Pki.trusting(ca.certificatePem()).getSocketFactory().createSocket("127.0.0.1", server.port());
            weak.setEnabledProtocols(new String[] {"TLSv1.2"});
            weak.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"});
            assertThatThrownBy(weak::startHandshake).isInstanceOf(IOException.class); // BCJSSE's client: the server's alert
            weak.close();
            // The same client with an AEAD suite gets through.
            SSLSocket good = (SSLSocket) Pki.trusting(ca.certificatePem()).getSocketFactory().createSocket("127.0.0.1", server.port());
            good.setEnabledProtocols(new String[] {"TLSv1.2"});
            good.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"});
            good.startHandshake();
            assertThat(good.getSession().getCipherSuite()).isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
            good.close();
        }
    }

    /** The token the served manifests hand the daemon (the stand-in manifests here carry it in plain sight). */
    private static String servedToken(HttpResponse<String> served) {
        return served.body().replaceAll("(?s).*token: ([^\\s]+).*", "$1");
    }

    private static Map<String, Object> statusOf(String name) {
        return Kube.status(Kube.get(client, Kind.LATTICE_CLUSTER, null, name));
    }

    /** A clock the tests move by hand. */
    private static final class MovableClock extends java.time.Clock {
        private volatile Duration offset = Duration.ZERO;

        void move(Duration by) {
            offset = offset.plus(by);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            return java.time.Instant.now().plus(offset);
        }
    }

    @Test
    void theAgentStreamOffersAeadSuitesOnly() throws Exception {
        try (AgentServer agents = new AgentServer(ca, serving, 0, new Fleet(), name -> false, name -> { })) {
            for (String suite : List.of("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384")) {
                SSLSocket weak = (SSLSocket) Pki.trusting(ca.certificatePem()).getSocketFactory().createSocket("127.0.0.1", agents.port());
                weak.setEnabledProtocols(new String[] {"TLSv1.2"});
                weak.setEnabledCipherSuites(new String[] {suite});
                assertThatThrownBy(weak::startHandshake).as(suite).isInstanceOf(IOException.class);
                weak.close();
            }
        }
    }

    @Test
    void aRenewedServingCertificateIsPresentedWhileOpenConnectionsGoOn() throws Exception {
        MovableClock clock = new MovableClock();
        try (ServingCertificate certificate = new ServingCertificate(ca, List.of("127.0.0.1"), clock, Duration.ofHours(1));
             BootstrapServer server = new BootstrapServer(client, ca, certificate.keys(), 0, TOKENS, (c, t) -> List.of(),
                     HttpEndpoint.Limits.DEFAULT);
             AgentServer agents = new AgentServer(ca, certificate.keys(), 0, new Fleet(), name -> false, name -> { })) {
            SSLSocket open = tls(InetAddress.getLoopbackAddress(), server.port());
            java.math.BigInteger first = serial(open);
            assertThat(serial(handshake(agents.port()))).isEqualTo(first);
            assertThat(certificate.renewIfDue()).as("two thirds of its validity are left").isFalse();

            clock.move(Pki.LIFETIME.multipliedBy(5).dividedBy(6));
            assertThat(certificate.renewIfDue()).as("in the last third").isTrue();
            java.math.BigInteger renewed = serial(handshake(server.port()));
            assertThat(renewed).isNotEqualTo(first);
            assertThat(serial(handshake(agents.port()))).isEqualTo(renewed);
            // The connection made before goes on, with the certificate it was made with.
            open.getOutputStream().write("GET /nowhere HTTP/1.1\r\nHost: parent\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            open.getOutputStream().flush();
            assertThat(new String(open.getInputStream().readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 404");
            assertThat(serial(open)).isEqualTo(first);
            open.close();
        }
    }

    @Test
    void aChildRenewsItsCertificateWithTheOneItHas() throws Exception {
        try (BootstrapServer server = server(HttpEndpoint.Limits.DEFAULT)) {
            String token = child("renewing");
            Pki.KeyPairAndRequest keys = Pki.signingRequest("renewing");
            String body = new ObjectMapper().writeValueAsString(Map.of("cluster", "renewing", "token", token, "csr", keys.csrPem()));
            HttpResponse<String> joined = https().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/v1/bootstrap"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(joined.statusCode()).isEqualTo(200);
            Map<String, String> parent = new LinkedHashMap<>();
            parent.put("host", "127.0.0.1");
            parent.put("bootstrapPort", String.valueOf(server.port()));
            parent.put("ca.crt", ca.certificatePem());
            parent.put("tls.crt", (String) new ObjectMapper().readValue(joined.body(), Map.class).get("certificate"));
            parent.put("tls.key", keys.keyPem());

            // The name comes from the certificate shown, not from what the request asks for.
            Map<String, String> renewed = ParentCredentials.renew(parent, "someone-else");
            assertThat(renewed.get("tls.crt")).isNotEqualTo(parent.get("tls.crt"));
            assertThat(Pki.commonName(certificate(renewed.get("tls.crt")))).isEqualTo("renewing");
            assertThat(renewed.get("tls.key")).isNotEqualTo(parent.get("tls.key"));
            // Without a certificate there is nothing to renew.
            assertThat(https().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/v1/renew"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"csr\": \"x\"}")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(401);
        }
    }

    private static java.security.cert.X509Certificate certificate(String pem) throws Exception {
        return (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    private static SSLSocket handshake(int port) throws Exception {
        SSLSocket socket = (SSLSocket) Kube.trusting(ca.certificatePem()).getSocketFactory().createSocket("127.0.0.1", port);
        socket.startHandshake();
        return socket;
    }

    private static java.math.BigInteger serial(SSLSocket socket) throws Exception {
        return ((java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }

    /** A child LatticeCluster whose status holds a fresh bootstrap token's hash; returns the token. */
    private static String child(String name) {
        var clusters = client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER));
        GenericKubernetesResource cluster = new GenericKubernetesResource();
        cluster.setApiVersion("lattice.dev/v1alpha1");
        cluster.setKind("LatticeCluster");
        cluster.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).build());
        cluster.setAdditionalProperty("spec", Map.of("nodes", Map.of("controlPlane", Map.of("replicas", 1))));
        GenericKubernetesResource created = clusters.resource(cluster).create();
        ClusterStatus status = new ClusterStatus(null);
        String token = TOKENS.mint(status);
        created.setAdditionalProperty("status", status.tree());
        clusters.resource(created).updateStatus();
        return token;
    }

    private static BootstrapServer server(HttpEndpoint.Limits limits) throws IOException {
        return new BootstrapServer(client, ca, serving, 0, TOKENS, (cluster, token) -> List.of(new ConfigMapBuilder()
                .withNewMetadata().withName(cluster).endMetadata().addToData("token", token).build()), limits);
    }

    private static HttpClient https() throws Exception {
        return HttpClient.newBuilder().sslContext(Kube.trusting(ca.certificatePem())).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static HttpResponse<String> manifests(HttpClient https, int port, String cluster, String token) throws Exception {
        return https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/v1/clusters/" + cluster + "/manifests"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> join(HttpClient https, int port, String cluster, String token) throws Exception {
        String body = new ObjectMapper().writeValueAsString(Map.of("cluster", cluster, "token", token,
                "csr", Pki.signingRequest(cluster).csrPem()));
        return https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/v1/bootstrap"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A TCP connection from {@code from} that sends nothing. */
    private static Socket raw(InetAddress from, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(from, 0));
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        socket.setSoTimeout((int) WAIT.toMillis());
        return socket;
    }

    private static SSLSocket tls(InetAddress from, int port) throws Exception {
        SSLContext context = Kube.trusting(ca.certificatePem());
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(raw(from, port), "127.0.0.1", port, true);
        socket.startHandshake();
        return socket;
    }

    /** A TLS connection from {@code from} that sent the start of a request and stalls. */
    private static Socket halfRequest(InetAddress from, int port) throws Exception {
        SSLSocket socket = tls(from, port);
        socket.getOutputStream().write("GET /v1/clusters/x/manifests HTTP/1.1\r\nHost: parent\r\n".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    /** Whether a stalled half request is still open: finishing it gets an answer. */
    private static boolean halfRequestIsOpen(Socket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] head = in.readNBytes(12);
        return Arrays.equals(Arrays.copyOf(head, 9), "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII));
    }
}
