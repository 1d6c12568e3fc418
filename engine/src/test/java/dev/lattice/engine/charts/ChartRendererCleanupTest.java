package dev.lattice.engine.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * helm-java unpacks the Helm library (about 95 MB) into the temporary directory on every load and never deletes it: a
 * daemon that renders in a JVM per chart would fill its pod's /tmp in two renders. Neither way of rendering leaves it.
 * Each case runs in a JVM of its own whose temporary directory is a fresh one, so nothing else writes there.
 */
class ChartRendererCleanupTest {

    @Test
    void renderingInProcessLeavesNoCopyOfTheLibrary(@TempDir Path dir) throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        assertThat(run(dir, tmp, "in")).contains("rendered: ok");
        assertThat(entries(tmp)).isEmpty();
    }

    @Test
    void renderingApartLeavesNothingInEitherTemporaryDirectory(@TempDir Path dir) throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        assertThat(run(dir, tmp, "apart")).contains("rendered: ok");
        assertThat(entries(tmp)).isEmpty();
    }

    private static String run(Path dir, Path tmp, String how) throws Exception {
        Path out = dir.resolve("out.txt");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"), Once.class.getName(), dir.toString(), how));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return Files.readString(out);
    }

    private static List<String> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    /** Renders a one-template chart once, in this JVM or apart, and says so. */
    public static final class Once {
        public static void main(String[] args) throws IOException {
            Path chart = ChartRendererApartTest.chart(Path.of(args[0]), ChartRendererApartTest.CONFIG_MAP);
            String manifests = "apart".equals(args[1]) ? ChartRenderer.renderApart(chart, "one", "default", "v1.28.7", Map.of())
                    : ChartRenderer.render(chart, "one", "default", "v1.28.7", Map.of());
            System.out.println(manifests.contains("kind: ConfigMap") ? "rendered: ok" : "rendered: " + manifests);
            System.out.flush();
            Runtime.getRuntime().halt(0); // as the CLI's JVM may end: no deleteOnExit to count on
        }
    }
}
