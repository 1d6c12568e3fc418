package dev.lattice.engine.charts;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import dev.lattice.core.LatticeException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Renders a chart as {@code helm template} does, through the Java Helm binding (helm-java), for one Kubernetes version:
 * offline (values that would make a template look up a live cluster are the caller's to avoid) and, for the same
 * chart and values, the same text every time.
 */
public final class ChartRenderer {
    private ChartRenderer() {
    }

    /**
     * The chart's manifests: {@code chart} is an archive or an unpacked chart directory; {@code values} are
     * {@code --set} pairs, applied in order; {@code kubeVersion} as {@code v1.28.7} (Helm otherwise assumes v1.20).
     */
    public static String render(Path chart, String release, String namespace, String kubeVersion, Map<String, String> values) {
        TemplateCommand template = new Helm(chart).template().withName(release).withNamespace(namespace).withKubeVersion(kubeVersion);
        values.forEach(template::set);
        try {
            return template.call();
        } catch (RuntimeException e) {
            throw new LatticeException("cannot render the chart " + chart.getFileName() + ": " + e.getMessage(), null);
        }
    }
}
