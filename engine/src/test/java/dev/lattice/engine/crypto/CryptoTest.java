package dev.lattice.engine.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.junit.jupiter.api.Test;

/** FIPS mode's policy, apart from the mode itself (which is the whole JVM's: FipsIT runs it). */
class CryptoTest {
    @Test
    void approvesRsaFrom2048BitsAnd3072ForAuthoritiesAndTheNistCurves() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA", "SunRsaSign");
        rsa.initialize(1024);
        assertThat(Crypto.weakness(rsa.generateKeyPair().getPublic(), false)).isEqualTo("a 1024-bit RSA key (at least 2048 bits)");
        rsa.initialize(2048);
        var rsa2048 = rsa.generateKeyPair().getPublic();
        assertThat(Crypto.weakness(rsa2048, false)).isNull();
        assertThat(Crypto.weakness(rsa2048, true)).isEqualTo("a 2048-bit RSA key (at least 3072 bits for an authority)");
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC", "SunEC");
        for (String curve : new String[] {"secp256r1", "secp384r1", "secp521r1"}) {
            ec.initialize(new ECGenParameterSpec(curve));
            assertThat(Crypto.weakness(ec.generateKeyPair().getPublic(), true)).as(curve).isNull();
        }
        KeyPairGenerator ed = KeyPairGenerator.getInstance("Ed25519", "SunEC");
        assertThat(Crypto.weakness(ed.generateKeyPair().getPublic(), false)).contains("RSA or ECDSA only");
    }

    @Test
    void aSuiteTheFipsJssePolicyDoesNotApproveIsFoundBeforeTheModeStarts() {
        // The check enterFips makes of its own configuration: against BCJSSE in FIPS mode, made apart (not installed).
        var jsse = new org.bouncycastle.jsse.provider.BouncyCastleJsseProvider(true,
                new org.bouncycastle.jcajce.provider.BouncyCastleFipsProvider());
        assertThat(Crypto.unsupported(jsse, Crypto.FIPS_SUITES)).isEmpty();
        assertThat(Crypto.unsupported(jsse, Crypto.STANDARD_SUITES))
                .containsExactlyInAnyOrder("TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
                        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
        assertThat(Crypto.fips()).as("made apart, nothing changed for the process").isFalse();
    }

    @Test
    void theFipsSuitesAreAesGcmWithEcdheAndTheOthersAddChaCha20() {
        assertThat(Crypto.FIPS_SUITES).allSatisfy(s -> assertThat(s).contains("_GCM_").doesNotContain("CHACHA", "CBC"));
        assertThat(Crypto.FIPS_SUITES).filteredOn(s -> s.startsWith("TLS_ECDHE") || s.contains("_WITH_")).allSatisfy(s -> assertThat(s).startsWith("TLS_ECDHE_"));
        assertThat(Crypto.STANDARD_SUITES).containsAll(Crypto.FIPS_SUITES).anySatisfy(s -> assertThat(s).contains("CHACHA20"));
        assertThat(Crypto.PROTOCOLS).containsExactly("TLSv1.3", "TLSv1.2");
    }
}
