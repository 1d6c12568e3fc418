package dev.lattice.core.install;

import dev.lattice.core.status.ClusterStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A child's one-time bootstrap tokens, as its parent keeps them in the child's LatticeCluster status: a SHA-256 hash and
 * an expiry, never the token itself (that goes to the child only, in a Secret). One token is valid at a time; each is
 * spent by its first use, on whichever endpoint takes it.
 */
public final class BootstrapTokens {
    /** How long a token stays valid unless the daemon is told otherwise. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;
    private final Duration lifetime;

    public BootstrapTokens(Clock clock, Duration lifetime) {
        this.clock = clock;
        this.lifetime = lifetime;
    }

    /** A new token, valid from now for the lifetime; its hash and expiry replace the old ones in {@code status}. */
    public String mint(ClusterStatus status) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        status.token(hash(token), clock.instant().plus(lifetime));
        return token;
    }

    /** Whether {@code status} holds a token that has not expired (so there is no need for a new one). */
    public boolean valid(ClusterStatus status) {
        return status.tokenHash() != null && !expired(status);
    }

    /** Whether {@code token} is the valid token of {@code status}; compared in constant time. */
    public boolean matches(ClusterStatus status, String token) {
        String expected = status.tokenHash();
        if (expected == null || expired(status)) {
            return false;
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), hash(token).getBytes(StandardCharsets.US_ASCII));
    }

    private boolean expired(ClusterStatus status) {
        try {
            return status.tokenExpires() == null || !clock.instant().isBefore(Instant.parse(status.tokenExpires()));
        } catch (DateTimeParseException e) {
            return true;
        }
    }

    public static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
