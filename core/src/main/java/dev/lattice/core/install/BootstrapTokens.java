package dev.lattice.core.install;

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
import java.util.Map;

/**
 * A child's one-time bootstrap tokens, as its parent keeps them in the child's LatticeCluster status: a SHA-256 hash and
 * an expiry, never the token itself (that goes to the child only, in a Secret). One token is valid at a time; each is
 * spent by its first use, on whichever endpoint takes it.
 */
public final class BootstrapTokens {
    /** How long a token stays valid unless the daemon is told otherwise. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);
    /** The status field with the hex SHA-256 of the valid token. */
    public static final String HASH = "bootstrapTokenHash";
    /** The status field with the RFC 3339 time the valid token expires. */
    public static final String EXPIRES = "bootstrapTokenExpires";
    /** Where earlier releases kept the token itself; removed wherever it is found. */
    public static final String LEGACY = "bootstrapToken";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;
    private final Duration lifetime;

    public BootstrapTokens(Clock clock, Duration lifetime) {
        this.clock = clock;
        this.lifetime = lifetime;
    }

    /** A new token, valid from now for the lifetime; its hash and expiry replace the old ones in {@code status}. */
    public String mint(Map<String, Object> status) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        status.remove(LEGACY);
        status.put(HASH, hash(token));
        status.put(EXPIRES, clock.instant().plus(lifetime).toString());
        return token;
    }

    /** Whether {@code status} holds a token that has not expired (so there is no need for a new one). */
    public boolean valid(Map<?, ?> status) {
        return status.get(HASH) instanceof String && !expired(status);
    }

    /** Whether {@code token} is the valid token of {@code status}; compared in constant time. */
    public boolean matches(Map<?, ?> status, String token) {
        if (!(status.get(HASH) instanceof String expected) || expired(status)) {
            return false;
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), hash(token).getBytes(StandardCharsets.US_ASCII));
    }

    /** Removes every trace of a token from {@code status}: it was spent, or is no longer wanted. */
    public static void forget(Map<String, Object> status) {
        status.remove(HASH);
        status.remove(EXPIRES);
        status.remove(LEGACY);
    }

    private boolean expired(Map<?, ?> status) {
        try {
            return !(status.get(EXPIRES) instanceof String at) || !clock.instant().isBefore(Instant.parse(at));
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
