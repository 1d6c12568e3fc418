package dev.lattice.core.mesh;

import dev.lattice.core.parse.Names;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names of rendered objects. They are stable (the same inputs give the same name on every run) and valid
 * DNS-1035 labels however long the parts are: a name that would be too long, or would not start with a
 * letter, is shortened and ends in a hash of the whole, so two long names never collide.
 */
public final class KubeNames {
    /** The longest DNS label. Service names, label values and port-free object names all fit in it. */
    public static final int MAX = 63;
    private static final int HASH = 8;

    private KubeNames() {
    }

    /** {@code base-suffix}, or a shortened form of it that ends in a hash. */
    public static String derived(String base, String suffix) {
        return label(base + "-" + suffix);
    }

    /** {@code name} when it is a DNS-1035 label (what a Service needs), else a shortened, hashed form. */
    public static String label(String name) {
        if (isDns1035(name)) {
            return name;
        }
        String cleaned = name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]+", "-");
        if (cleaned.isEmpty() || !Character.isLetter(cleaned.charAt(0))) {
            cleaned = "x-" + cleaned;
        }
        int keep = Math.min(cleaned.length(), MAX - HASH - 1);
        String head = cleaned.substring(0, keep).replaceAll("-+$", "");
        return head + "-" + hash(name);
    }

    /** A DNS-1035 label: 1-63 of [a-z0-9-], starting with a letter and ending with a letter or digit. */
    public static boolean isDns1035(String s) {
        // A DNS-1123 label (Names keeps that check) that starts with a letter.
        return Names.isDnsLabel(s) && s.charAt(0) >= 'a' && s.charAt(0) <= 'z';
    }

    private static String hash(String s) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, HASH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
