package dev.lattice.engine.crypto;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * FIPS mode's trust: a peer's chain whose keys or signatures are weaker than approved is refused before PKIX looks at
 * it (the FIPS provider still verifies legacy RSA-1024 signatures, as FIPS 140-3 allows for verification).
 */
final class ApprovedChains extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager pkix;

    ApprovedChains(X509ExtendedTrustManager pkix) {
        this.pkix = pkix;
    }

    private static void approve(X509Certificate[] chain) throws CertificateException {
        List<String> weak = Crypto.weaknesses(chain == null ? new X509Certificate[0] : chain);
        if (!weak.isEmpty()) {
            throw new CertificateException("refused in FIPS mode: " + String.join("; ", weak));
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        approve(chain);
        pkix.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        approve(chain);
        pkix.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        approve(chain);
        pkix.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        approve(chain);
        pkix.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        approve(chain);
        pkix.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        approve(chain);
        pkix.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }
}
