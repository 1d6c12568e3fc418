package dev.lattice.core.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BootstrapTokensTest {
    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

    private static BootstrapTokens at(Instant now) {
        return new BootstrapTokens(Clock.fixed(now, ZoneOffset.UTC), Duration.ofHours(1));
    }

    @Test
    void keepsOnlyAHashAndAnExpiryInTheStatus() {
        Map<String, Object> status = new LinkedHashMap<>(Map.of(BootstrapTokens.LEGACY, "old-plain-token"));
        String token = at(NOW).mint(status);
        assertThat(token).hasSizeGreaterThanOrEqualTo(43);
        assertThat(status).containsOnlyKeys(BootstrapTokens.HASH, BootstrapTokens.EXPIRES)
                .containsEntry(BootstrapTokens.EXPIRES, "2026-12-05T13:00:00Z");
        assertThat(status.toString()).doesNotContain(token);
        assertThat(at(NOW).matches(status, token)).isTrue();
        assertThat(at(NOW).matches(status, token + "x")).isFalse();
        assertThat(at(NOW).mint(new LinkedHashMap<>())).isNotEqualTo(token);
    }

    @Test
    void aTokenExpiresAfterItsLifetime() {
        Map<String, Object> status = new LinkedHashMap<>();
        String token = at(NOW).mint(status);
        assertThat(at(NOW.plus(Duration.ofMinutes(59))).valid(status)).isTrue();
        assertThat(at(NOW.plus(Duration.ofHours(1))).valid(status)).isFalse();
        assertThat(at(NOW.plus(Duration.ofHours(1))).matches(status, token)).isFalse();
        status.put(BootstrapTokens.EXPIRES, "not a time");
        assertThat(at(NOW).matches(status, token)).isFalse();
        BootstrapTokens.forget(status);
        assertThat(status).isEmpty();
    }
}
