package dev.lattice.testfixtures;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The released Helm charts Lattice installs (Cilium, Istio, the add-ons), unpacked in {@code ../shared/charts}. */
public final class SharedCharts {
    private SharedCharts() {
    }

    /** The folder, when it is there. */
    public static Optional<Path> dir() {
        Path dir = Examples.projectRoot().getParent().resolve("shared").resolve("charts");
        return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }

    /** Why a test that needs the charts cannot run here. */
    public static String absence() {
        return "../shared/charts (the released Cilium and Istio charts) is not beside the project at "
                + Examples.projectRoot().getParent().resolve("shared").resolve("charts");
    }
}
