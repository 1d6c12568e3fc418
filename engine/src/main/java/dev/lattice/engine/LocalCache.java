package dev.lattice.engine;

import java.nio.file.Path;

/**
 * Lattice's cache on this machine: {@code $XDG_CACHE_HOME/lattice}, else {@code ~/.cache/lattice}; the system
 * property {@code lattice.cache-dir} overrides both (tests use it to keep out of the home directory).
 */
public final class LocalCache {
    private LocalCache() {
    }

    /** The cache's root directory. */
    public static Path root() {
        String override = System.getProperty("lattice.cache-dir");
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        return xdg != null && !xdg.isBlank() ? Path.of(xdg, "lattice") : Path.of(System.getProperty("user.home"), ".cache", "lattice");
    }

    /** Where chart archives are kept between runs: {@code ~/.cache/lattice/charts}. */
    public static Path charts() {
        return root().resolve("charts");
    }

    /** Where component manifests are kept between runs: {@code ~/.cache/lattice/components}. */
    public static Path components() {
        return root().resolve("components");
    }
}
