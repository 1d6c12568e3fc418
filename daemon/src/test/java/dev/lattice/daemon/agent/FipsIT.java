package dev.lattice.daemon.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.daemon.http.HttpEndpoint;
import dev.lattice.daemon.reconciler.Fleet;
import dev.lattice.engine.crypto.Crypto;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Security;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509KeyManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.CryptoServicesRegistrar;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.eclipse.jetty.server.Handler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FIPS mode over real loopback sockets, against the two kinds of endpoint a parent serves: the agent stream (gRPC on
 * Netty, mutual TLS) and the HTTPS endpoints (Jetty: bootstrap, API proxy). Clients here are the JDK's own (SunJSSE),
 * which will offer what FIPS mode must refuse.
 */
@DisplayName("FIPS mode on the wire")
class FipsIT {
    private static Pki.Identity ca;
    private static AgentServer agents;
    private static HttpEndpoint https;

    @BeforeAll
    static void start() throws IOException {
        Crypto.enterFips();
        ca = Pki.newAuthority("fips-parent");
        X509KeyManager serving = Pki.keyManager(Pki.serverCertificate(ca, List.of("127.0.0.1", "localhost")));
        agents = new AgentServer(ca, serving, 0, new Fleet(), name -> false, name -> { });
        https = new HttpEndpoint("fips-test", 0, Pki.serverTls(serving, ca.certificatePem()), HttpEndpoint.Limits.DEFAULT, new Handler.Abstract() {
            @Override
            public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                                  org.eclipse.jetty.util.Callback callback) {
                HttpEndpoint.reply(response, callback, 200, "text/plain", "ok".getBytes());
                return true;
            }
        });
    }

    @AfterAll
    static void stop() throws Exception {
        if (agents != null) {
            agents.close();
        }
        if (https != null) {
            https.close();
        }
    }

    @Test
    void theProcessRunsOnTheFipsProviderInApprovedOnlyMode() throws Exception {
        assertThat(Crypto.fips()).isTrue();
        assertThat(CryptoServicesRegistrar.isInApprovedOnlyMode()).isTrue();
        assertThat(Security.getProviders()[0].getName()).isEqualTo("BCFIPS");
        assertThat(Security.getProviders()[1].getName()).isEqualTo("BCJSSE");
        assertThat(Crypto.jsse().getName()).isEqualTo("BCJSSE");
        assertThat(Crypto.keyStore().getType()).isEqualTo("BCFKS");
        // What a library asks for without naming a provider (fabric8's clients, the JDK's HttpClient, Netty): BCJSSE's.
        assertThat(SSLContext.getInstance("TLSv1.2").getProvider().getName()).isEqualTo("BCJSSE");
        assertThat(SSLContext.getDefault().getProvider().getName()).isEqualTo("BCJSSE");
        assertThat(javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm()).getProvider().getName())
                .isEqualTo("BCJSSE");
        assertThat(javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm()).getProvider().getName())
                .isEqualTo("BCJSSE");
        assertThat(KeyPairGenerator.getInstance("EC").getProvider().getName()).isEqualTo("BCFIPS");
        assertThat(Crypto.describe()).startsWith("FIPS").contains("approved-only");
        // Approved-only: the provider will not make a key of unapproved strength.
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA", "BCFIPS");
        assertThatThrownBy(() -> {
            rsa.initialize(1024);
            rsa.generateKeyPair();
        }).isInstanceOfAny(GeneralSecurityException.class, RuntimeException.class, Error.class);
        // What our PKI makes is of approved strength, made by that provider.
        X509Certificate issued = Pki.parseCertificate(Pki.serverCertificate(ca, List.of("127.0.0.1")).certificatePem());
        assertThat(Crypto.weakness(issued.getPublicKey(), false)).isNull();
        assertThat(issued.getSigAlgName()).isEqualTo("SHA256WITHECDSA");
        assertThat(Crypto.weakness(ca.certificate().getPublicKey(), true)).isNull();
        assertThat(Duration.between(issued.getNotBefore().toInstant(), issued.getNotAfter().toInstant())).isLessThanOrEqualTo(Duration.ofDays(31));
    }

    @Test
    void aesGcmClientsConnectOverTls12And13() throws Exception {
        for (int port : List.of(agents.port(), https.port())) {
            for (String[] offer : List.of(new String[] {"TLSv1.3", "TLS_AES_256_GCM_SHA384"}, new String[] {"TLSv1.3", "TLS_AES_128_GCM_SHA256"},
                    new String[] {"TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}, new String[] {"TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"})) {
                try (SSLSocket socket = jdkClient(port, child("gcm"), offer[0], offer[1])) {
                    socket.startHandshake();
                    assertThat(socket.getSession().getProtocol()).as(port + " " + offer[1]).isEqualTo(offer[0]);
                    assertThat(socket.getSession().getCipherSuite()).isEqualTo(offer[1]);
                }
            }
        }
    }

    @Test
    void aClientOfferingOnlyChaCha20IsRefused() throws Exception {
        for (int port : List.of(agents.port(), https.port())) {
            for (String[] offer : List.of(new String[] {"TLSv1.3", "TLS_CHACHA20_POLY1305_SHA256"},
                    new String[] {"TLSv1.2", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
                    new String[] {"TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"})) {
                try (SSLSocket socket = jdkClient(port, child("chacha"), offer[0], offer[1])) {
                    assertThatThrownBy(socket::startHandshake).as(port + " " + offer[1]).isInstanceOf(SSLException.class);
                }
            }
        }
    }

    @Test
    void aClientOfferingOnlyTls11IsRefused() throws Exception {
        // The JDK's client will not speak TLS 1.1 at all any more, so the hello is written by hand: TLS 1.1, with the
        // suites a TLS 1.1 client has (CBC), as the first bytes on the connection. The answer is never a ServerHello.
        for (int port : List.of(agents.port(), https.port())) {
            assertThat(answerToTls11Hello(port)).as("port " + port + ": an alert (21) or the connection closed (-1)").isIn(21, -1);
        }
        // The same bytes with TLS 1.2 in them do get a ServerHello (22): what the test writes is a hello a server answers.
        assertThat(answerToHello(https.port(), 3)).isEqualTo(22);
    }

    @Test
    void aCertificateWithA1024BitRsaKeyIsRefusedEitherWay(@TempDir Path dir) throws Exception {
        // A child presenting one, signed by the very authority the parent trusts, is refused at the handshake; with a
        // 2048-bit key it gets in. The client runs in a JVM of its own, on the JDK's providers: the FIPS provider of
        // this one would not sign with the 1024-bit key. TLS 1.2, where a client learns of its refusal in the handshake.
        for (int bits : List.of(1024, 2048)) {
            KeyPair pair = rsa(bits);
            X509Certificate leaf = signedByOurAuthority(pair, "child-" + bits, false);
            assertThat(jdkClientApart(dir, agents.port(), leaf, pair, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")).as(bits + " bits")
                    .startsWith(bits < 2048 ? "refused" : "connected TLSv1.2");
        }
        // A server presenting one to a client of ours: its chain is refused before PKIX looks at it; a 2048-bit one is not.
        X509ExtendedTrustManager ours = Pki.trustManager(ca.certificatePem());
        X509Certificate weakServer = signedByOurAuthority(rsa(1024), "127.0.0.1", true);
        assertThatThrownBy(() -> ours.checkServerTrusted(new X509Certificate[] {weakServer, ca.certificate()}, "ECDHE_RSA"))
                .isInstanceOf(CertificateException.class).hasMessageContaining("1024-bit RSA key");
        ours.checkServerTrusted(new X509Certificate[] {signedByOurAuthority(rsa(2048), "127.0.0.1", true), ca.certificate()}, "ECDHE_RSA");
        // Nor does our authority sign a request for a weak key.
        assertThat(Crypto.weakness(rsa(1024).getPublic(), false)).contains("1024-bit RSA");
    }

    /** Runs {@link JdkTlsClient} in a JVM of its own; returns what it printed. */
    private static String jdkClientApart(Path dir, int port, X509Certificate cert, KeyPair pair, String suite) throws Exception {
        Path certFile = Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder().encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n");
        Path keyFile = Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), JdkTlsClient.class.getName(), String.valueOf(port), certFile.toString(),
                keyFile.toString(), suite).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes()).trim();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    /** A child's client certificate from our authority, as the bootstrap endpoint issues one, in a key manager. */
    private static X509KeyManager child(String name) {
        Pki.KeyPairAndRequest request = Pki.signingRequest(name);
        return Pki.keyManager(new Pki.Identity(Pki.clientCertificate(ca, request.csrPem(), name), request.keyPem()));
    }

    /** A client on the JDK's own TLS (not FIPS), trusting our authority, offering one protocol and one suite. */
    private static SSLSocket jdkClient(int port, KeyManager keys, String protocol, String suite) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS", "SunJSSE");
        context.init(new KeyManager[] {keys}, new TrustManager[] {Pki.trustManager(ca.certificatePem())}, null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        socket.setEnabledProtocols(new String[] {protocol});
        socket.setEnabledCipherSuites(new String[] {suite});
        var parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        socket.setSSLParameters(parameters);
        return socket;
    }

    /** An RSA key pair from the JDK's provider (FIPS's will not make a 1024-bit one). */
    private static KeyPair rsa(int bits) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA", "SunRsaSign");
        generator.initialize(bits);
        return generator.generateKeyPair();
    }

    private static X509Certificate signedByOurAuthority(KeyPair pair, String name, boolean server) throws Exception {
        X509Certificate authority = ca.certificate();
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(authority, BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minusSeconds(60)),
                Date.from(now.plus(Duration.ofDays(1))), new X500Name("CN=" + name), pair.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        if (server) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.iPAddress, name)));
        }
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.key())));
    }

    private static int answerToTls11Hello(int port) throws IOException {
        return answerToHello(port, 2);
    }

    /**
     * Writes a ClientHello of version 3.{@code minor} (2: TLS 1.1, 3: TLS 1.2) offering ECDHE-ECDSA suites (CBC, and for
     * 1.2 GCM) on P-256, and returns the content type of the first record answered (22 handshake, 21 alert), or -1.
     */
    private static int answerToHello(int port, int minor) throws IOException {
        ByteArrayOutputStream hello = new ByteArrayOutputStream();
        hello.write(new byte[] {3, (byte) minor});
        hello.write(new byte[32]); // random
        hello.write(0); // no session id
        byte[] suites = minor >= 3 ? new byte[] {(byte) 0xC0, 0x2B, (byte) 0xC0, 0x09} : new byte[] {(byte) 0xC0, 0x09, 0x00, 0x2F};
        hello.write(new byte[] {0, (byte) suites.length});
        hello.write(suites);
        hello.write(new byte[] {1, 0}); // compression: none
        ByteArrayOutputStream extensions = new ByteArrayOutputStream();
        extensions.write(new byte[] {0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x17}); // supported groups: P-256
        extensions.write(new byte[] {0x00, 0x0b, 0x00, 0x02, 0x01, 0x00}); // point formats: uncompressed
        if (minor >= 3) {
            extensions.write(new byte[] {0x00, 0x0d, 0x00, 0x04, 0x00, 0x02, 0x04, 0x03}); // signature algorithms: ecdsa_secp256r1_sha256
        }
        hello.write(new byte[] {0, (byte) extensions.size()});
        hello.write(extensions.toByteArray());
        byte[] body = hello.toByteArray();
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        int handshakeLength = body.length + 4;
        record.write(new byte[] {0x16, 3, (byte) Math.min(minor, 1), (byte) (handshakeLength >> 8), (byte) handshakeLength});
        record.write(new byte[] {1, 0, (byte) (body.length >> 8), (byte) body.length});
        record.write(body);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(record.toByteArray());
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            return in.read();
        } catch (java.net.SocketException e) {
            return -1; // reset: refused
        }
    }
}
