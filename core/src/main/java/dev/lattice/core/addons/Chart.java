package dev.lattice.core.addons;

/**
 * A Helm chart Lattice installs on its clusters, pinned: the release archive and its sha256, which is checked before
 * the archive is used, wherever it came from.
 *
 * @param project  the project publishing it ({@code cilium}, {@code istio}); its folder in a charts directory
 * @param name     the chart's name
 * @param url      the released archive in the project's Helm repository
 * @param sha256   that archive's digest, as the repository's {@code index.yaml} gives it
 * @param filesSha256 the digest of the chart unpacked: sha256 over a line {@code PATH NUL SHA256-OF-FILE} for each of its
 *                 files, sorted by path (for a charts directory that holds it unpacked, as {@code helm pull --untar} leaves it)
 */
public record Chart(String project, String name, String version, String url, String sha256, String filesSha256) {
    /** The pod network of every cluster. */
    public static final Chart CILIUM = new Chart("cilium", "cilium", "1.19.4", "https://helm.cilium.io/cilium-1.19.4.tgz",
            "c6a788e6bd74598a235f7987930860f554c2dd8048154d1aba8a532bcde90cd6",
            "e1a4407cbdc8e2ccb84db884d43e64920beb334d790abd9fdb89f87e385ceb27");

    /** The archive's file name, in a charts directory and in the cache: {@code NAME-VERSION.tgz}. */
    public String archive() {
        return name + "-" + version + ".tgz";
    }

    /** Where a charts directory holds it unpacked: {@code PROJECT/VERSION/NAME}. */
    public String unpacked() {
        return project + "/" + version + "/" + name;
    }
}
