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
