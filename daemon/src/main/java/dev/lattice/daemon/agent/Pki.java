package dev.lattice.daemon.agent;

import dev.lattice.engine.crypto.Crypto;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import io.grpc.util.AdvancedTlsX509KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509KeyManager;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * The agent protocol's certificates, with ECDSA P-256 keys: a parent's certificate authority, the certificate its
 * endpoints serve, and the client certificates it issues to children that present their bootstrap token. A child
 * makes its own key and sends only a signing request, so its private key never leaves it.
 */
public final class Pki {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SIGNATURE = "SHA256withECDSA";
    /** How long a parent's serving certificate and a child's client certificate are valid. */
    public static final Duration LIFETIME = Duration.ofDays(30);

    /** A certificate with its private key, both PEM. */
    public record Identity(String certificatePem, String keyPem) {
        X509Certificate certificate() {
            return parseCertificate(certificatePem);
        }

        PrivateKey key() {
            return parseKey(keyPem);
        }
    }

    private Pki() {
    }

    /** A new self-signed certificate authority named {@code name}. */
    public static Identity newAuthority(String name) {
        KeyPair keys = keyPair();
        X500Name subject = new X500Name("CN=" + name);
        Instant now = Instant.now();
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(Duration.ofDays(3650))), subject, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return new Identity(pem(sign(builder, keys.getPrivate())), pem(keys.getPrivate()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A server certificate for {@code hosts} (names or IP addresses), signed by {@code ca}. */
    public static Identity serverCertificate(Identity ca, List<String> hosts) {
        KeyPair keys = keyPair();
        List<GeneralName> names = new ArrayList<>();
        for (String host : hosts) {
            names.add(new GeneralName(isAddress(host) ? GeneralName.iPAddress : GeneralName.dNSName, host));
        }
        X509Certificate cert = issue(ca, new X500Name("CN=" + hosts.get(0)), keys.getPublic(), KeyPurposeId.id_kp_serverAuth,
                new GeneralNames(names.toArray(GeneralName[]::new)), LIFETIME);
        return new Identity(pem(cert), pem(keys.getPrivate()));
    }

    /** A new key and a signing request naming {@code cluster}; the key stays with the caller. */
    public static KeyPairAndRequest signingRequest(String cluster) {
        KeyPair keys = keyPair();
        try {
            ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE).build(keys.getPrivate());
            PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + cluster), keys.getPublic())
                    .build(signer);
            return new KeyPairAndRequest(pem(keys.getPrivate()), pem(csr));
        } catch (OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    public record KeyPairAndRequest(String keyPem, String csrPem) {
    }

    /**
     * A client certificate for {@code cluster} from a child's signing request. The request's own signature must hold;
     * its subject is ignored: the certificate names the cluster whose token was checked, whatever the request says.
     */
    public static String clientCertificate(Identity ca, String csrPem, String cluster) {
        try (PEMParser parser = new PEMParser(new StringReader(csrPem))) {
            if (!(parser.readObject() instanceof PKCS10CertificationRequest csr)) {
                throw new IllegalArgumentException("not a PEM certificate signing request");
            }
            var publicKey = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(csr.getSubjectPublicKeyInfo().getEncoded()));
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(publicKey))) {
                throw new IllegalArgumentException("the signing request's signature does not verify");
            }
            String weak = Crypto.weakness(publicKey, false);
            if (weak != null) {
                throw new IllegalArgumentException("the signing request's key is " + weak);
            }
            return pem(issue(ca, new X500Name("CN=" + cluster), publicKey, KeyPurposeId.id_kp_clientAuth, null, LIFETIME));
        } catch (IOException | OperatorCreationException | PKCSException | GeneralSecurityException e) {
            throw new IllegalArgumentException("unreadable signing request (an ECDSA P-256 key is expected): " + e.getMessage(), e);
        }
    }

    /** The common name of a certificate's subject: for a client certificate, the cluster it was issued to. */
    public static String commonName(X509Certificate cert) {
        X500Name name = new X500Name(cert.getSubjectX500Principal().getName());
        var rdns = name.getRDNs(BCStyle.CN);
        return rdns.length == 0 ? null : IETFUtils.valueToString(rdns[0].getFirst().getValue());
    }

    /**
     * Whether the certificate {@code pem} is in the last third of its validity at {@code now} (or past it): time to get
     * a new one, long before the old one stops working.
     */
    public static boolean dueForRenewal(String pem, Instant now) {
        X509Certificate cert = parseCertificate(pem);
        Instant from = cert.getNotBefore().toInstant();
        Instant to = cert.getNotAfter().toInstant();
        return !now.isBefore(to.minus(Duration.between(from, to).dividedBy(3)));
    }

    /** A key manager presenting {@code identity}, which {@link #present} can change for the next handshakes. */
    public static AdvancedTlsX509KeyManager keyManager(Identity identity) {
        AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
        present(keys, identity);
        return keys;
    }

    /** Makes {@code keys} present {@code identity} from the next handshake on; connections already open go on as they were. */
    public static void present(AdvancedTlsX509KeyManager keys, Identity identity) {
        keys.updateIdentityCredentials(new X509Certificate[] {identity.certificate()}, identity.key());
    }

    /**
     * TLS for one of a parent's HTTPS endpoints (on Jetty): presents what {@code serving} holds at each handshake,
     * trusts only {@code caPem} for the client certificates it may ask for, and offers the protocols and suites of the
     * process's {@link Crypto} mode only.
     */
    static SslContextFactory.Server serverTls(X509KeyManager serving, String caPem) {
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setSslContext(tls(serving, caPem));
        tls.setIncludeProtocols(Crypto.PROTOCOLS.toArray(String[]::new));
        tls.setIncludeCipherSuites(Crypto.suites().toArray(String[]::new));
        return tls;
    }

    /**
     * A TLS context of the process's {@link Crypto} mode presenting what {@code keys} holds at each handshake (null:
     * nothing) and trusting only {@code caPem}.
     */
    public static SSLContext tls(X509KeyManager keys, String caPem) {
        return Crypto.context(keys, trustManager(caPem));
    }

    /** A trust manager for chains that end at {@code caPem} alone (in FIPS mode, of approved strength only). */
    static X509ExtendedTrustManager trustManager(String caPem) {
        return Crypto.trusting(List.of(parseCertificate(caPem)));
    }

    /** A client TLS context that trusts only {@code caPem} and presents nothing. */
    public static SSLContext trusting(String caPem) {
        return tls((X509KeyManager) null, caPem);
    }

    /** A TLS context serving {@code identity}, or presenting it as a client, and trusting only {@code caPem}. */
    public static SSLContext tls(Identity identity, String caPem) {
        return tls(identity == null ? null : keyManager(identity), caPem);
    }

    private static X509Certificate issue(Identity ca, X500Name subject, java.security.PublicKey key, KeyPurposeId purpose,
                                         GeneralNames altNames, Duration validity) {
        Instant now = Instant.now();
        X509Certificate caCert = ca.certificate();
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCert, serial(), Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(validity)), subject, key)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            if (altNames != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, altNames);
            }
            return sign(builder, ca.key());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) {
        try {
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(key)));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a certificate: " + e.getMessage(), e);
        }
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            // The provider's own randomness: in FIPS mode its approved DRBG (it refuses keys made from any other).
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM);
    }

    private static boolean isAddress(String host) {
        return host.matches("[0-9.]+") || host.contains(":");
    }

    static X509Certificate parseCertificate(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a PEM certificate", e);
        }
    }

    static PrivateKey parseKey(String pem) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            if (o instanceof PrivateKeyInfo info) {
                return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
            }
            throw new IllegalArgumentException("not a PKCS#8 PEM private key");
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("unreadable private key", e);
        }
    }

    private static String pem(Object o) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(o instanceof PrivateKey key ? new JcaPKCS8Generator(key, null) : o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
