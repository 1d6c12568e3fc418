package dev.lattice.core.install;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.status.ClusterStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BootstrapTokensTest {
    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

    private static BootstrapTokens at(Instant now) {
        return new BootstrapTokens(Clock.fixed(now, ZoneOffset.UTC), Duration.ofHours(1));
    }

    @Test
    void keepsOnlyAHashAndAnExpiryInTheStatus() {
        ClusterStatus status = new ClusterStatus(Map.of(ClusterStatus.LEGACY_TOKEN, "old-plain-token"));
        String token = at(NOW).mint(status);
        assertThat(token).hasSizeGreaterThanOrEqualTo(43);
        assertThat(status.tree()).containsOnlyKeys(ClusterStatus.TOKEN_HASH, ClusterStatus.TOKEN_EXPIRES)
                .containsEntry(ClusterStatus.TOKEN_EXPIRES, "2026-12-05T13:00:00Z");
        assertThat(status.tree().toString()).doesNotContain(token);
        assertThat(at(NOW).matches(status, token)).isTrue();
        assertThat(at(NOW).matches(status, token + "x")).isFalse();
        assertThat(at(NOW).mint(new ClusterStatus(null))).isNotEqualTo(token);
    }

    @Test
    void aTokenExpiresAfterItsLifetime() {
        ClusterStatus status = new ClusterStatus(null);
        String token = at(NOW).mint(status);
        assertThat(at(NOW.plus(Duration.ofMinutes(59))).valid(status)).isTrue();
        assertThat(at(NOW.plus(Duration.ofHours(1))).valid(status)).isFalse();
        assertThat(at(NOW.plus(Duration.ofHours(1))).matches(status, token)).isFalse();
        ClusterStatus garbled = new ClusterStatus(Map.of(ClusterStatus.TOKEN_HASH, status.tokenHash(), ClusterStatus.TOKEN_EXPIRES, "not a time"));
        assertThat(at(NOW).matches(garbled, token)).isFalse();
        status.forgetToken();
        assertThat(status.tree()).isEmpty();
    }
}
