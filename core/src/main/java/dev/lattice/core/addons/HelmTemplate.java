package dev.lattice.core.addons;

import java.util.Map;

/** Renders a pinned chart as {@code helm template} does, offline; the engine has the charts and the Helm binding. */
public interface HelmTemplate {
    /**
     * The chart's manifests, as one YAML stream: released as {@code release} into {@code namespace}, for Kubernetes
     * {@code kubeVersion} ({@code v1.31.0}), with {@code values} (a tree of maps, lists, strings, numbers and booleans)
     * as its values file.
     */
    String render(Chart chart, String release, String namespace, String kubeVersion, Map<String, Object> values);

    /**
     * The CustomResourceDefinitions in the chart's folder {@code folder} ({@code crds}, or a subchart's such as
     * {@code charts/operator/charts/crds/crds}), as one YAML stream: what Helm installs before a release's templates
     * and {@code helm template} leaves out.
     */
    String crds(Chart chart, String folder);
}
