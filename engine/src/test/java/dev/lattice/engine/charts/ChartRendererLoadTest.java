package dev.lattice.engine.charts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.LatticeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the Helm library cannot be unpacked (a read-only or noexec directory), every render says why, not only the
 * first: the JVM never loads a class again once its loading failed. Runs in a JVM of its own, since that failure lasts
 * as long as the JVM.
 */
class ChartRendererLoadTest {

    @Test
    void everyRenderSaysWhyTheHelmLibraryCannotBeLoaded(@TempDir Path dir) throws Exception {
        Path blocked = Files.writeString(dir.resolve("a-file"), "not a directory");
        Path out = dir.resolve("out.txt");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djna.tmpdir=" + blocked.resolve("jna"), "-cp", System.getProperty("java.class.path"), Twice.class.getName(),
                dir.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        List<String> lines = Files.readAllLines(out).stream().filter(l -> l.startsWith("render: ")).toList();
        assertThat(lines).as(Files.readString(out)).hasSize(2);
        assertThat(lines).allMatch(l -> l.contains("the Helm library cannot be loaded (") && l.contains("allow executables"))
                .noneMatch(l -> l.contains("Could not initialize class"));
        assertThat(lines.get(1)).isEqualTo(lines.get(0));
    }

    /** Renders a one-template chart twice and prints what each attempt says. */
    public static final class Twice {
        public static void main(String[] args) throws IOException {
            Path chart = ChartRendererApartTest.chart(Path.of(args[0]), ChartRendererApartTest.CONFIG_MAP);
            for (int i = 0; i < 2; i++) {
                try {
                    ChartRenderer.render(chart, "one", "default", "v1.28.7", Map.of());
                    System.out.println("render: ok");
                } catch (LatticeException e) {
                    System.out.println("render: " + e.getMessage());
                }
            }
        }
    }
}
