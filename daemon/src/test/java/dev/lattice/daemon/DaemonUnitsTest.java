package dev.lattice.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.core.LatticeException;
import dev.lattice.daemon.agent.Pki;
import dev.lattice.daemon.runtime.DaemonCommand;
import dev.lattice.daemon.runtime.DaemonOptions;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DaemonUnitsTest {

    @Nested
    @DisplayName("lattice-daemon's options")
    class Options {
        @Test
        void readsTheDocumentedOptions() {
            DaemonOptions o = DaemonOptions.parse(new String[] {"--kubeconfig", "/tmp/k", "--context=c", "--cluster-name", "prod",
                    "--no-install-crds", "--http-port", "0", "--agent-port", "50052", "--heartbeat-interval", "2s"}, Map.of());
            assertThat(o.kubeconfig()).isEqualTo(Path.of("/tmp/k"));
            assertThat(o.context()).isEqualTo("c");
            assertThat(o.clusterName()).isEqualTo("prod");
            assertThat(o.installCrds()).isFalse();
            assertThat(o.httpPort()).isZero();
            assertThat(o.agentPort()).isEqualTo(50052);
            assertThat(o.bootstrapPort()).isNull();
            assertThat(o.heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
            assertThat(o.leaderElection()).isTrue();
            assertThat(o.components()).isNull();
            assertThat(o.provisionTimeout()).isEqualTo(Duration.ofMinutes(30));
        }

        @Test
        void readsWhatItNeedsToProvisionChildren() {
            DaemonOptions o = DaemonOptions.parse(new String[] {"--components", "/srv/capi", "--daemon-image=reg/d:2",
                    "--provision-timeout", "10m"}, Map.of("LATTICE_DAEMON_IMAGE", "reg/d:1"));
            assertThat(o.components()).isEqualTo(Path.of("/srv/capi"));
            assertThat(o.daemonImage()).isEqualTo("reg/d:2");
            assertThat(o.provisionTimeout()).isEqualTo(Duration.ofMinutes(10));
            assertThat(DaemonOptions.parse(new String[0], Map.of("LATTICE_DAEMON_IMAGE", "reg/d:1")).daemonImage()).isEqualTo("reg/d:1");
        }

        @Test
        void takesItsIdentityAndClusterFromTheDeploymentsEnvironment() {
            DaemonOptions o = DaemonOptions.parse(new String[0], Map.of("POD_NAME", "lattice-daemon-7f9c", "LATTICE_CLUSTER_NAME", "edge"));
            assertThat(o.identity()).isEqualTo("lattice-daemon-7f9c");
            assertThat(o.clusterName()).isEqualTo("edge");
            assertThat(o.namespace()).isEqualTo("lattice-system");
        }

        @Test
        void refusesWhatItDoesNotKnowWithAUsageExitCode() {
            assertThatThrownBy(() -> DaemonOptions.parse(new String[] {"--kubeconfg", "x"}, Map.of()))
                    .isInstanceOfSatisfying(LatticeException.class, e -> {
                        assertThat(e.getMessage()).startsWith("Unknown options: '--kubeconfg'");
                        assertThat(e.exitCode()).isEqualTo(2);
                    });
            assertThatThrownBy(() -> DaemonOptions.parse(new String[] {"--http-port", "http"}, Map.of()))
                    .hasMessageContaining("--http-port").hasMessageContaining("a port number (0-65535), not 'http'");
            assertThatThrownBy(() -> DaemonOptions.parse(new String[] {"--resync", "soon"}, Map.of()))
                    .hasMessageContaining("a duration such as 10s or 5m, not 'soon'");
            assertThatThrownBy(() -> DaemonOptions.parse(new String[] {"--cluster-name"}, Map.of()))
                    .hasMessageContaining("Missing required parameter for option '--cluster-name'");
        }

        @Test
        void printsItsHelpAndVersionAndSaysWhatIsWrongWithoutAStackTrace() {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine help = DaemonCommand.commandLine(Map.of());
            help.setOut(new PrintWriter(out));
            assertThat(help.execute("--help")).isZero();
            assertThat(out.toString()).contains("Usage: lattice-daemon", "--kubeconfig=FILE", "--bootstrap-token-ttl=DURATION",
                    "Exit codes:");
            out.getBuffer().setLength(0);
            assertThat(help.execute("--version")).isZero();
            assertThat(out.toString()).startsWith("lattice-daemon ");
            CommandLine bad = DaemonCommand.commandLine(Map.of());
            bad.setErr(new PrintWriter(err, true));
            assertThat(bad.execute("--http-port", "99999")).isEqualTo(2);
            assertThat(err.toString()).startsWith("error: Invalid value for option '--http-port': a port number (0-65535), not '99999'")
                    .doesNotContain("Exception");
        }
    }

    @Nested
    @DisplayName("the agent's certificates")
    class Certificates {
        private final Pki.Identity ca = Pki.newAuthority("test-ca");

        @Test
        void aClientCertificateNamesTheClusterWhoseTokenWasCheckedNotWhatTheRequestSays() throws Exception {
            Pki.KeyPairAndRequest request = Pki.signingRequest("someone-else");
            X509Certificate cert = parse(Pki.clientCertificate(ca, request.csrPem(), "child"));
            assertThat(Pki.commonName(cert)).isEqualTo("child");
            assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2"); // clientAuth only
            cert.verify(parse(ca.certificatePem()).getPublicKey());
            assertThat(request.keyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
        }

        @Test
        void aServerCertificateCoversItsHostsAndAddresses() throws Exception {
            X509Certificate cert = parse(Pki.serverCertificate(ca, List.of("parent.example", "127.0.0.1")).certificatePem());
            assertThat(cert.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList()).containsExactly("parent.example", "127.0.0.1");
            assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        }

        @Test
        void aCertificateIsDueForRenewalInTheLastThirdOfItsValidity() throws Exception {
            String pem = Pki.serverCertificate(ca, List.of("parent.example")).certificatePem();
            java.time.Instant issued = parse(pem).getNotBefore().toInstant();
            assertThat(Pki.LIFETIME).as("short-lived").isEqualTo(java.time.Duration.ofDays(30));
            assertThat(Pki.dueForRenewal(pem, issued.plus(java.time.Duration.ofDays(19)))).isFalse();
            assertThat(Pki.dueForRenewal(pem, issued.plus(java.time.Duration.ofDays(21)))).isTrue();
            assertThat(Pki.dueForRenewal(pem, issued.plus(java.time.Duration.ofDays(40)))).as("expired").isTrue();
        }

        @Test
        void refusesARequestThatIsNotOne() {
            assertThatThrownBy(() -> Pki.clientCertificate(ca, ca.certificatePem(), "child"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("signing request");
        }

        private X509Certificate parse(String pem) throws Exception {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        }
    }
}
