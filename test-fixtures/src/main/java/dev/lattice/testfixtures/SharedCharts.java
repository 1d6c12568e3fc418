package dev.lattice.testfixtures;

import dev.lattice.engine.charts.ChartStore;
import dev.lattice.engine.charts.HelmCharts;
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

    /**
     * The charts of the folder as an air-gapped install takes them ({@code --charts-dir}): checked against the pinned
     * digests, never downloaded.
     */
    public static HelmCharts helm() {
        Path dir = dir().orElseThrow(() -> new IllegalStateException(absence()));
        return new HelmCharts(new ChartStore(dir, dir.resolve("no-cache"), chart -> {
            throw new AssertionError("a test never downloads: " + chart.url());
        }));
    }

    /** Why a test that needs the charts cannot run here. */
    public static String absence() {
        return "../shared/charts (the released Cilium and Istio charts) is not beside the project at "
                + Examples.projectRoot().getParent().resolve("shared").resolve("charts");
    }
}
