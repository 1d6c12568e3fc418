package dev.lattice.engine.crypto;

import dev.lattice.core.LatticeException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.crypto.CryptoServicesRegistrar;
import org.bouncycastle.crypto.fips.FipsStatus;
import org.bouncycastle.jcajce.provider.BouncyCastleFipsProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * The process's cryptography: the JDK's own providers, or (the daemon's default) Bouncy Castle's FIPS provider in
 * approved-only mode, first in the provider list, with TLS through its JSSE provider in FIPS mode and keystores in BCFKS.
 * The mode is the whole process's, as the provider list is: once FIPS, always FIPS. Every TLS endpoint and client
 * Lattice opens takes its protocols, suites, providers and trust from here, and in FIPS mode refuses peers whose
 * certificates carry keys or signatures weaker than approved.
 */
public final class Crypto {
    /** The TLS versions every endpoint and client speaks, in either mode. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** FIPS mode's suites: AES-GCM only; TLS 1.2 with ECDHE (forward secrecy) only. */
    static final List<String> FIPS_SUITES = List.of(
            "TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");

    /** Otherwise: AEAD with forward secrecy, ChaCha20-Poly1305 beside AES-GCM (as gRPC's and Go's defaults); never CBC or SHA-1 MACs. */
    static final List<String> STANDARD_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** Smallest RSA modulus accepted in FIPS mode, and for a certificate authority's own key. */
    static final int MIN_RSA_BITS = 2048;
    static final int MIN_RSA_AUTHORITY_BITS = 3072;
    /** Elliptic curves accepted in FIPS mode, by field size: P-256, P-384, P-521. */
    private static final Set<Integer> APPROVED_CURVES = Set.of(256, 384, 521);

    /**
     * BCJSSE reads the JDK's {@code jdk.certpath.disabledAlgorithms} and warns, once per process, of the entries it cannot
     * apply: SHA-1 limited to JDK-rooted server chains, and SHA-1 in signed jars. FIPS mode refuses SHA-1 anywhere in a
     * peer's chain (ApprovedChains), which covers the first, and the second is not about TLS; so those warnings are
     * only noise in the daemon's log. Held here: java.util.logging holds loggers weakly, and would forget the level.
     */
    private static final java.util.logging.Logger IGNORED_JDK_CONSTRAINTS =
            java.util.logging.Logger.getLogger("org.bouncycastle.jsse.provider.DisabledAlgorithmConstraints");

    private static volatile Provider fips;
    private static volatile Provider jsse;

    private Crypto() {
    }

    /** Whether the process is in FIPS mode. */
    public static boolean fips() {
        return fips != null;
    }

    /**
     * Puts the process in FIPS mode, or refuses with why: the provider's self-tests (run as it loads: its own jar's
     * integrity, each algorithm's known answers) must pass, approved-only mode must hold, and every suite configured here
     * must be one the provider approves. Nothing falls back: a refusal leaves the caller to stop. Again: nothing.
     */
    public static synchronized void enterFips() {
        if (fips != null) {
            return;
        }
        // Read once, when the registrar loads: every thread, not just this one, is held to approved algorithms.
        System.setProperty("org.bouncycastle.fips.approved_only", "true");
        BouncyCastleFipsProvider provider;
        try {
            provider = new BouncyCastleFipsProvider();
        } catch (RuntimeException | Error e) {
            throw refused("the Bouncy Castle FIPS provider did not load: " + e.getMessage());
        }
        if (!FipsStatus.isReady()) {
            throw refused("the Bouncy Castle FIPS provider's self-tests failed: " + FipsStatus.getStatusMessage());
        }
        if (!CryptoServicesRegistrar.isInApprovedOnlyMode()) {
            throw refused("the Bouncy Castle FIPS provider is not in approved-only mode (something loaded it before with "
                    + "org.bouncycastle.fips.approved_only unset)");
        }
        IGNORED_JDK_CONSTRAINTS.setLevel(java.util.logging.Level.SEVERE);
        BouncyCastleJsseProvider tls = new BouncyCastleJsseProvider(true, provider);
        List<String> unapproved = unsupported(tls, FIPS_SUITES);
        if (!unapproved.isEmpty()) {
            throw refused("TLS suites configured that FIPS mode does not approve: " + String.join(", ", unapproved));
        }
        Security.insertProviderAt(provider, 1);
        Security.insertProviderAt(tls, 2);
        // Whatever asks for the default key and trust managers gets BCJSSE's. Lattice's own keystores are BCFKS
        // (keyStore()); the default type stays the JDK's, which is what its trust store (cacerts) is written in.
        Security.setProperty("ssl.KeyManagerFactory.algorithm", "PKIX");
        Security.setProperty("ssl.TrustManagerFactory.algorithm", "PKIX");
        jsse = tls;
        fips = provider;
    }

    private static LatticeException refused(String why) {
        return new LatticeException("FIPS mode cannot start: " + why,
                "run with --fips=false to use the JDK's own cryptography instead (not FIPS 140-3 validated)");
    }

    /** The suites of {@code wanted} that a context of {@code provider} does not offer. */
    static List<String> unsupported(Provider provider, List<String> wanted) {
        try {
            SSLContext probe = SSLContext.getInstance("TLS", provider);
            probe.init(null, null, new SecureRandom());
            Set<String> offered = Set.of(probe.getSupportedSSLParameters().getCipherSuites());
            return wanted.stream().filter(s -> !offered.contains(s)).toList();
        } catch (GeneralSecurityException e) {
            return List.of("(no TLS context: " + e.getMessage() + ")");
        }
    }

    /** One line for logs and {@code lattice version}: which cryptography this process uses. */
    public static String describe() {
        if (fips == null) {
            return "standard (the JDK's providers; not FIPS)";
        }
        return "FIPS (" + fips.getInfo() + ", approved-only mode; TLS by " + jsse.getInfo() + " in FIPS mode: TLS 1.2/1.3, "
                + "ECDHE with AES-GCM)";
    }

    /** The TLS suites of this mode. */
    public static List<String> suites() {
        return fips != null ? FIPS_SUITES : STANDARD_SUITES;
    }

    /** The protocols and suites of this mode, for a client or server built on a JSSE engine. */
    public static SSLParameters parameters() {
        SSLParameters parameters = new SSLParameters();
        parameters.setProtocols(PROTOCOLS.toArray(String[]::new));
        parameters.setCipherSuites(suites().toArray(String[]::new));
        return parameters;
    }

    /** The JSSE provider TLS is made with: BCJSSE in FIPS mode, else the JDK's SunJSSE. */
    public static Provider jsse() {
        if (jsse != null) {
            return jsse;
        }
        Provider sun = Security.getProvider("SunJSSE");
        if (sun == null) {
            throw new IllegalStateException("no SunJSSE provider in this JVM");
        }
        return sun;
    }

    /** An empty keystore of this mode's type (BCFKS, else PKCS12). */
    public static KeyStore keyStore() {
        try {
            KeyStore store = fips != null ? KeyStore.getInstance("BCFKS", fips) : KeyStore.getInstance("PKCS12");
            store.load(null, null);
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make a keystore: " + e.getMessage(), e);
        }
    }

    /**
     * A trust manager that trusts only {@code roots}, checking whole chains by PKIX; in FIPS mode it first refuses any
     * certificate in the chain whose key or signature is weaker than approved.
     */
    public static X509ExtendedTrustManager trusting(List<X509Certificate> roots) {
        try {
            KeyStore trusted = keyStore();
            for (int i = 0; i < roots.size(); i++) {
                trusted.setCertificateEntry("root-" + i, roots.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX", jsse());
            factory.init(trusted);
            return approved(factory);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS trust: " + e.getMessage(), e);
        }
    }

    /** A trust manager that trusts the JDK's authorities (its cacerts), in FIPS mode refusing weak chains as {@link #trusting} does. */
    public static X509ExtendedTrustManager trustingTheJdksAuthorities() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX", jsse());
            factory.init((KeyStore) null);
            return approved(factory);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS trust: " + e.getMessage(), e);
        }
    }

    private static X509ExtendedTrustManager approved(TrustManagerFactory factory) {
        for (TrustManager t : factory.getTrustManagers()) {
            if (t instanceof X509ExtendedTrustManager x) {
                return fips != null ? new ApprovedChains(x) : x;
            }
        }
        throw new IllegalStateException("no X.509 trust manager from " + factory.getProvider().getName());
    }

    /** A TLS context of this mode presenting what {@code keys} holds (null: nothing) and trusting through {@code trust}. */
    public static SSLContext context(KeyManager keys, X509TrustManager trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS", jsse());
            context.init(keys == null ? null : new KeyManager[] {keys}, new TrustManager[] {trust}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /**
     * Why {@code key} is weaker than FIPS mode approves (null: it is not): RSA under 2048 bits (3072 for a certificate
     * authority), an elliptic curve other than P-256, P-384 or P-521, or any other kind of key.
     */
    public static String weakness(PublicKey key, boolean authority) {
        if (key instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            int least = authority ? MIN_RSA_AUTHORITY_BITS : MIN_RSA_BITS;
            return bits < least ? "a " + bits + "-bit RSA key (at least " + least + " bits" + (authority ? " for an authority" : "") + ")" : null;
        }
        if (key instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            return APPROVED_CURVES.contains(bits) ? null : "a " + bits + "-bit elliptic curve key (P-256, P-384 or P-521 only)";
        }
        return "a " + key.getAlgorithm() + " key (RSA or ECDSA only)";
    }

    /** Why {@code cert}'s signature is weaker than approved (null: it is not): one over SHA-1 or MD5. */
    public static String weakSignature(X509Certificate cert) {
        String algorithm = cert.getSigAlgName().toUpperCase(Locale.ROOT);
        return algorithm.contains("SHA1") || algorithm.contains("SHA-1") || algorithm.contains("MD5") ? "signed with " + cert.getSigAlgName()
                + " (SHA-256 or better only)" : null;
    }

    /** Each certificate of {@code chain} that FIPS mode refuses, with why. */
    static List<String> weaknesses(X509Certificate[] chain) {
        List<String> found = new ArrayList<>();
        Set<X509Certificate> seen = new HashSet<>();
        for (X509Certificate cert : chain) {
            if (!seen.add(cert)) {
                continue;
            }
            // Peers' authorities are held to 2048-bit RSA as their leaves are (kubeadm's are RSA 2048); 3072 is for ours.
            String key = weakness(cert.getPublicKey(), false);
            boolean selfSigned = cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal());
            String signature = selfSigned ? null : weakSignature(cert);
            if (key != null || signature != null) {
                found.add(cert.getSubjectX500Principal().getName() + ": " + (key != null ? key : signature));
            }
        }
        return found;
    }
}
