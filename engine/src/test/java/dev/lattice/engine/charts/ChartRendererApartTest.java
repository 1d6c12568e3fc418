package dev.lattice.engine.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.core.LatticeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A render in a JVM of its own gives what the same render in this one gives, and says what went wrong as this one would. */
class ChartRendererApartTest {

    /** The template of a chart that renders one ConfigMap, whatever its values. */
    static final String CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\n";

    @Test
    void aRenderApartIsTheSameRender(@TempDir Path dir) throws IOException {
        Path chart = chart(dir, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}, namespace: {{ .Release.Namespace }}}\n"
                + "data:\n  greeting: {{ .Values.greeting | quote }}\n  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n"
                + "  kinds: {{ kindOf .Values.nested.flag }}-{{ kindOf .Values.nested.on }}-{{ index .Values.nested.list 1 }}\n");
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("greeting", "héllo, world = \"quoted\"");
        // Typed as a values file holds them: "true" stays a string (a node selector's value), a list a list.
        values.put("nested", Map.of("flag", "true", "on", true, "list", List.of("a", "b")));
        String apart = ChartRenderer.renderApart(chart, "one", "shop", "v1.28.7", values);
        assertThat(apart).contains("name: one", "namespace: shop", "greeting: \"héllo, world = \\\"quoted\\\"\"", "kube: \"v1.28.7\"", "kinds: string-bool-b");
        assertThat(apart).isEqualTo(ChartRenderer.render(chart, "one", "shop", "v1.28.7", values));
    }

    @Test
    void aTemplateErrorApartIsALatticeExceptionSayingIt(@TempDir Path dir) throws IOException {
        Path chart = chart(dir, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Values.missing.name }}}\n");
        assertThatThrownBy(() -> ChartRenderer.renderApart(chart, "one", "shop", "v1.28.7", Map.of()))
                .isInstanceOf(LatticeException.class).hasMessageStartingWith("cannot render the chart chart: ")
                .hasMessageContaining("nil pointer").hasMessageNotContaining("at dev.lattice");
    }

    /** A chart named one under {@code dir}, with {@code template} as its only template. */
    static Path chart(Path dir, String template) throws IOException {
        Path chart = dir.resolve("chart");
        Files.createDirectories(chart.resolve("templates"));
        Files.writeString(chart.resolve("Chart.yaml"), "apiVersion: v2\nname: one\nversion: 0.1.0\n");
        Files.writeString(chart.resolve("templates/cm.yaml"), template);
        return chart;
    }
}
