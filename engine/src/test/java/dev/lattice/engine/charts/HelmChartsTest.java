package dev.lattice.engine.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.core.addons.Chart;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HelmChartsTest {

    @Test
    void aRenderAskedForAgainIsTheKeptOneWordForWord(@TempDir Path dir) throws Exception {
        Path charts = dir.resolve("charts");
        Path chart = charts.resolve("demo/1.0.0/demo");
        Files.createDirectories(chart.resolve("templates"));
        Files.writeString(chart.resolve("Chart.yaml"), "apiVersion: v2\nname: demo\nversion: 1.0.0\n");
        Files.writeString(chart.resolve("templates/cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}}\n"
                + "data:\n  greeting: {{ .Values.greeting | quote }}\n");
        Chart pinned = new Chart("demo", "demo", "1.0.0", "https://charts.example/demo-1.0.0.tgz", "0".repeat(64),
                ChartStore.filesSha256(chart));
        HelmCharts helm = new HelmCharts(new ChartStore(charts, dir.resolve("cache"), c -> {
            throw new AssertionError("a test never downloads");
        }));

        String first = helm.render(pinned, "one", "default", "v1.28.7", Map.of("greeting", "héllo, wörld"));
        assertThat(first).contains("name: one").contains("greeting: \"héllo, wörld\"");
        try (Stream<Path> files = Files.walk(charts)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        // The chart is gone: the same render can only come from what was kept (compressed), and must be the same text.
        assertThat(helm.render(pinned, "one", "default", "v1.28.7", Map.of("greeting", "héllo, wörld"))).isEqualTo(first);
        assertThatThrownBy(() -> helm.render(pinned, "two", "default", "v1.28.7", Map.of("greeting", "héllo, wörld")))
                .as("another release is rendered afresh, and finds no chart").isInstanceOf(RuntimeException.class);
    }
}
