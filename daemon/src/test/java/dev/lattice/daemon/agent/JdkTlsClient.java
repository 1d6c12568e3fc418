package dev.lattice.daemon.agent;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A TLS client on the JDK's own providers, run in a JVM of its own by FipsIT: in the test's JVM, which is in FIPS mode,
 * the FIPS provider would refuse to sign with the weak key this client must present. Connects to 127.0.0.1:PORT with
 * the certificate and PKCS#8 RSA key in the two PEM files, TLS 1.2 and the one suite given, and prints
 * {@code connected PROTOCOL SUITE} or {@code refused MESSAGE}. It trusts any server: only the server's answer matters.
 * Arguments: PORT CERT_PEM KEY_PEM SUITE.
 */
public final class JdkTlsClient {
    private JdkTlsClient() {
    }

    public static void main(String[] args) throws Exception {
        Certificate cert = CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(Files.readAllBytes(Path.of(args[1]))));
        String pem = Files.readString(Path.of(args[2])).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        var key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("me", key, "x".toCharArray(), new Certificate[] {cert});
        KeyManagerFactory keys = KeyManagerFactory.getInstance("SunX509");
        keys.init(store, "x".toCharArray());
        X509TrustManager any = new X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), new TrustManager[] {any}, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0]))) {
            socket.setSoTimeout(10_000);
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.setEnabledCipherSuites(new String[] {args[3]});
            socket.startHandshake();
            System.out.println("connected " + socket.getSession().getProtocol() + " " + socket.getSession().getCipherSuite());
        } catch (java.io.IOException e) {
            System.out.println("refused " + e.getMessage());
        }
    }
}
