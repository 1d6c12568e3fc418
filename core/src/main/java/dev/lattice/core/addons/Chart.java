package dev.lattice.core.addons;

/**
 * A Helm chart Lattice installs on its clusters, pinned: the release archive and its sha256, which is checked before
 * the archive is used, wherever it came from.
 *
 * @param project  the project publishing it ({@code cilium}, {@code istio}); its folder in a charts directory
 * @param name     the chart's name
 * @param url      the released archive in the project's Helm repository
 * @param sha256   that archive's digest, as the repository's {@code index.yaml} gives it; null where it is not known,
 *                 and then the archive is checked by the digest of the files it holds
 * @param filesSha256 the digest of the chart unpacked: sha256 over a line {@code PATH NUL SHA256-OF-FILE} for each of its
 *                 files, sorted by path (for a charts directory that holds it unpacked, as {@code helm pull --untar} leaves it)
 */
public record Chart(String project, String name, String version, String url, String sha256, String filesSha256) {
    /** The pod network of every cluster. */
    public static final Chart CILIUM = new Chart("cilium", "cilium", "1.19.4", "https://helm.cilium.io/cilium-1.19.4.tgz",
            "c6a788e6bd74598a235f7987930860f554c2dd8048154d1aba8a532bcde90cd6",
            "e1a4407cbdc8e2ccb84db884d43e64920beb334d790abd9fdb89f87e385ceb27");

    // Istio's charts, as release-builder stamps them for 1.30.3 (version, hub and tag filled in). The archives' own
    // digests are not known here, so an archive is checked by the digest of its files.
    /** Istio's CRDs and the cluster-wide validation webhook. */
    public static final Chart ISTIO_BASE = istio("base", "098fa39e768915c484ae6404fcf526c28cb2d2dea61e0eb921f63cdfd0903263");
    /** Istio's control plane. */
    public static final Chart ISTIOD = istio("istiod", "1dedd9821cbf797ac5123118a9eeb7e725a22f4888c13b56c4ffb20a14dc4eaa");
    /** The node agent that redirects ambient pods' traffic to ztunnel. */
    public static final Chart ISTIO_CNI = istio("cni", "1af27d4b1a876060a2d41b27ad5decedd6d96e434705d073365d274fc126b460");
    /** Ambient mode's per-node L4 proxy. */
    public static final Chart ZTUNNEL = istio("ztunnel", "54a627cba8214434597cda8ed66c2d12836b938b1cdedff0fd4c865647a6a56f");

    // The add-ons' charts (ClusterAddons). Each archive's sha256 is its repository index's digest.
    /**
     * VictoriaMetrics' operator, a single-node VMSingle and a VMAgent, with kube-state-metrics and node-exporter. Its
     * release archive carries files its git tag does not (release notes, annotations its workflow adds), so a charts
     * directory holds the archive, or the chart assembled from the tags as this digest of its files says.
     */
    public static final Chart VICTORIA_METRICS = new Chart("victoria-metrics", "victoria-metrics-k8s-stack", "0.91.2",
            "https://github.com/VictoriaMetrics/helm-charts/releases/download/victoria-metrics-k8s-stack-0.91.2/victoria-metrics-k8s-stack-0.91.2.tgz",
            "2999a7dd06ed3f50534b7208ea94dab0ce826f50a9b6ea0de0a430e19188b1ef",
            "8b44d65baa36cbc11bbc28638ca005004c79b05acb543d1282ed28ec9c1c2588");
    /** Event-driven autoscaling: ScaledObjects, and the external metrics API they are read through. */
    public static final Chart KEDA = new Chart("keda", "keda", "2.20.2", "https://kedacore.github.io/charts/keda-2.20.2.tgz",
            "db60b1fa60f0565fefa4ce2f87e855b6a8854363ee82962fbe28a12a70d64c4c",
            "8c976dd971210356d3d01a43128329090271687ee02a0aeb2a086e3d4b6943eb");
    /** Node Feature Discovery: labels nodes by their hardware (a GPU's PCI vendor among it). */
    public static final Chart NODE_FEATURE_DISCOVERY = new Chart("node-feature-discovery", "node-feature-discovery", "0.19.0",
            "https://github.com/kubernetes-sigs/node-feature-discovery/releases/download/v0.19.0/node-feature-discovery-chart-0.19.0.tgz",
            "9e93b360e6167b782759026de40ba9d68d44c3e8b0b53b735592ad48fd3339ad",
            "6f5df7eb9a58d3c5cac2fbe5a810ca07a15c0117a247eeeaa374b597522ee28d");
    /** NVIDIA's device plugin: a node's GPUs as the {@code nvidia.com/gpu} resource. */
    public static final Chart NVIDIA_DEVICE_PLUGIN = new Chart("nvidia-device-plugin", "nvidia-device-plugin", "0.20.0",
            "https://nvidia.github.io/k8s-device-plugin/stable/nvidia-device-plugin-0.20.0.tgz",
            "9e5642bcdd3805c6e931f9d3ca542677d1f714d68c14c1364892011e67d9a606",
            "1eaa919548d8bb0bed7d256ff1bcd0a3eee9e3d46f5135c3366f19cef9a98067");
    /** HAMi: GPUs shared between pods (memory and compute slices), scheduled by its scheduler extender. */
    public static final Chart HAMI = new Chart("hami", "hami", "2.10.0", "https://project-hami.github.io/HAMi/charts/hami-2.10.0.tgz",
            "e1d8429b2270da1a5c26343d6d6fd2a0099ba7b944cf0f52eb20d6b9f14e5099",
            "9c5297c8e8b930020a34f029df95c9d99dbbaa587d462f46338dcd33bf056d64");
    /** Velero: backups of a cluster's objects and volumes to object storage. */
    public static final Chart VELERO = new Chart("velero", "velero", "12.1.0",
            "https://github.com/vmware-tanzu/helm-charts/releases/download/velero-12.1.0/velero-12.1.0.tgz",
            "cd23589ad1b2d25cdd3220f6866b3f6f4c5683c4c09494e76a14700b33f81f83",
            "0bfbb8e6ce99d6fc040b53e2c92dc62d001d87ec0d17046d28937c1c63f7a078");

    private static Chart istio(String name, String filesSha256) {
        String version = "1.30.3";
        return new Chart("istio", name, version, "https://istio-release.storage.googleapis.com/charts/" + name + "-" + version + ".tgz",
                null, filesSha256);
    }

    /** How it is named to a person: {@code cilium}, {@code istio/base}. */
    public String title() {
        return project.equals(name) ? name : project + "/" + name;
    }

    /** The archive's file name, in a charts directory and in the cache: {@code NAME-VERSION.tgz}. */
    public String archive() {
        return name + "-" + version + ".tgz";
    }

    /** Where a charts directory holds it unpacked: {@code PROJECT/VERSION/NAME}. */
    public String unpacked() {
        return project + "/" + version + "/" + name;
    }
}
