package dev.lattice.core.addons;

/**
 * A Helm chart Lattice installs on its clusters, pinned: the release archive and its sha256, which is checked before
 * the archive is used, wherever it came from.
 *
 * @param project  the project publishing it ({@code cilium}, {@code istio}); its folder in a charts directory
 * @param name     the chart's name
 * @param url      the released archive in the project's Helm repository
 * @param sha256   that archive's digest, as the repository's {@code index.yaml} gives it
 */
public record Chart(String project, String name, String version, String url, String sha256) {
    /** The pod network of every cluster. */
    public static final Chart CILIUM = new Chart("cilium", "cilium", "1.19.4", "https://helm.cilium.io/cilium-1.19.4.tgz",
            "c6a788e6bd74598a235f7987930860f554c2dd8048154d1aba8a532bcde90cd6");

    /** The archive's file name, in a charts directory and in the cache: {@code NAME-VERSION.tgz}. */
    public String archive() {
        return name + "-" + version + ".tgz";
    }
}
