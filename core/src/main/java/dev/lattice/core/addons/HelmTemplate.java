package dev.lattice.core.addons;

import java.util.Map;

/** Renders a pinned chart as {@code helm template} does, offline; the engine has the charts and the Helm binding. */
@FunctionalInterface
public interface HelmTemplate {
    /**
     * The chart's manifests, as one YAML stream: released as {@code release} into {@code namespace}, for Kubernetes
     * {@code kubeVersion} ({@code v1.31.0}), with {@code values} as {@code --set} pairs applied in order.
     */
    String render(Chart chart, String release, String namespace, String kubeVersion, Map<String, String> values);
}
