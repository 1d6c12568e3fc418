package dev.lattice.engine.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What lattice version reads from the daemon's Deployment. */
class ServerVersionTest {
    @Test
    void theDaemonRunsInFipsModeUnlessItsArgumentsSayFalse() {
        assertThat(ServerVersion.fips(List.of("--cluster-name", "x"))).isTrue();
        assertThat(ServerVersion.fips(List.of("--fips"))).isTrue();
        assertThat(ServerVersion.fips(List.of("--fips", "--cluster-name", "x"))).isTrue();
        assertThat(ServerVersion.fips(List.of("--fips=false"))).isFalse();
        assertThat(ServerVersion.fips(List.of("--fips=FALSE", "--cluster-name", "x"))).isFalse();
        assertThat(ServerVersion.fips(List.of("--fips", "false"))).isFalse();
        assertThat(ServerVersion.fips(List.of("--fips=false", "--fips=true"))).as("the last one counts").isTrue();
    }

    @Test
    void anImagesTagIsItsVersion() {
        assertThat(ServerVersion.tag("registry.example:5000/lattice/lattice-daemon:1.2.3")).isEqualTo("1.2.3");
        assertThat(ServerVersion.tag("registry.example:5000/lattice/lattice-daemon")).isEqualTo("unknown");
        assertThat(ServerVersion.tag("ghcr.io/lattice-dev/lattice-daemon:0.1.0@sha256:abc")).isEqualTo("0.1.0");
    }
}
