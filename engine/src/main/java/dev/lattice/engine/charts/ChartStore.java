package dev.lattice.engine.charts;

import dev.lattice.core.LatticeException;
import dev.lattice.core.addons.Chart;
import dev.lattice.engine.Download;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The pinned charts, as Helm would get them: from a charts directory ({@code --charts-dir}, for air-gapped use: the
 * archive, or the chart unpacked at {@code PROJECT/VERSION/NAME}), else from the cache, else downloaded from the
 * chart's repository into the cache. Wherever a chart comes from, its digest must be the pinned one before it is used
 * (the archive's sha256, or that of the unpacked files); a download that does not match is never kept.
 */
public final class ChartStore {
    /** The environment variable naming the charts directory when {@code --charts-dir} is not given. */
    public static final String CHARTS_DIR_ENV = "LATTICE_CHARTS_DIR";

    private final Path directory;
    private final Path cache;
    private final Function<Chart, URI> location;

    /**
     * @param directory the charts directory, or null
     * @param cache     where downloads are kept ({@code ~/.cache/lattice/charts})
     * @param location  where a chart is downloaded from (its repository; a test points it at a local server)
     */
    public ChartStore(Path directory, Path cache, Function<Chart, URI> location) {
        this.directory = directory;
        this.cache = cache;
        this.location = location;
    }

    /** The charts' own repositories, cached in {@code cache}. */
    public static ChartStore fromRepositories(Path directory, Path cache) {
        return new ChartStore(directory, cache, c -> URI.create(c.url()));
    }

    /** The chart, as an archive or an unpacked directory, checked against its pinned digest. */
    public Path chart(Chart chart) {
        if (directory != null) {
            Path archive = directory.resolve(chart.archive());
            if (Files.isRegularFile(archive)) {
                return checked(chart, archive);
            }
            Path unpacked = directory.resolve(chart.unpacked());
            if (Files.isDirectory(unpacked)) {
                return checkedFiles(chart, unpacked);
            }
            throw new LatticeException("the charts directory " + directory + " has neither " + chart.archive() + " nor "
                    + chart.unpacked() + "/", "put the archive from " + chart.url() + " there, or leave out the charts directory to download it");
        }
        Path cached = cache.resolve(chart.archive());
        if (Files.isRegularFile(cached)) {
            return checked(chart, cached);
        }
        // Only a whole, checked archive reaches the cache.
        Download.into(location.apply(chart), cached, chart.name() + " " + chart.version(), offline(chart), partial -> checked(chart, partial));
        return cached;
    }

    private static Path checked(Chart chart, Path archive) {
        if (chart.sha256() == null) {
            String actual = archiveFilesSha256(archive);
            if (!actual.equals(chart.filesSha256())) {
                throw new LatticeException(archive + " is not " + chart.name() + " " + chart.version() + " as pinned: the digest of "
                        + "its files is " + actual + ", not " + chart.filesSha256(), "replace it with the archive from " + chart.url());
            }
            return archive;
        }
        String actual = sha256(archive);
        if (!actual.equals(chart.sha256())) {
            throw new LatticeException(archive + " is not " + chart.name() + " " + chart.version() + ": its sha256 is " + actual
                    + ", not " + chart.sha256(), "replace it with the archive from " + chart.url());
        }
        return archive;
    }

    private static Path checkedFiles(Chart chart, Path unpacked) {
        String actual = filesSha256(unpacked);
        if (!actual.equals(chart.filesSha256())) {
            throw new LatticeException(unpacked + " is not " + chart.name() + " " + chart.version() + " as released: the digest of its files is "
                    + actual + ", not " + chart.filesSha256(), "unpack the archive from " + chart.url() + " there again");
        }
        return unpacked;
    }

    /** sha256 over {@code PATH NUL SHA256-OF-FILE LF} for every file below {@code root}, sorted by path ({@code /}-separated). */
    static String filesSha256(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            TreeMap<String, String> files = new TreeMap<>();
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                StringJoiner path = new StringJoiner("/");
                root.relativize(file).forEach(part -> path.add(part.toString()));
                try (InputStream in = Files.newInputStream(file)) {
                    files.put(path.toString(), sha256(in));
                }
            }
            return filesDigest(files);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The same digest over the files of a chart archive ({@code .tgz}), whose entries sit below one folder, the chart's
     * name, as {@code helm package} writes them; an archive that is not one is refused.
     */
    static String archiveFilesSha256(Path archive) {
        TreeMap<String, String> files = new TreeMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(Files.newInputStream(archive)))) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                if (!entry.isFile()) {
                    continue;
                }
                String name = entry.getName();
                int slash = name.indexOf('/');
                files.put(slash < 0 ? name : name.substring(slash + 1), sha256(tar));
            }
        } catch (IOException e) {
            throw new LatticeException(archive + " is not a chart archive (a .tgz): " + e.getMessage(), "replace it with the released archive");
        }
        return filesDigest(files);
    }

    /**
     * The YAML files in {@code folder} of a chart ({@code chart} an unpacked directory or an archive, as {@link #chart}
     * gives it), sorted by name and joined into one stream: a chart's CRDs, which Helm installs from its {@code crds/}
     * folders. None when the folder is not there.
     */
    static String files(Path chart, String folder) {
        TreeMap<String, String> found = new TreeMap<>();
        try {
            if (Files.isDirectory(chart)) {
                Path dir = chart.resolve(folder);
                if (Files.isDirectory(dir)) {
                    try (Stream<Path> list = Files.list(dir)) {
                        for (Path file : list.filter(f -> Files.isRegularFile(f) && yaml(f.getFileName().toString())).toList()) {
                            found.put(file.getFileName().toString(), Files.readString(file));
                        }
                    }
                }
            } else {
                try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(Files.newInputStream(chart)))) {
                    for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                        String name = entry.getName();
                        String inChart = name.indexOf('/') < 0 ? name : name.substring(name.indexOf('/') + 1);
                        if (entry.isFile() && inChart.startsWith(folder + "/") && inChart.indexOf('/', folder.length() + 1) < 0
                                && yaml(inChart)) {
                            found.put(inChart, new String(tar.readAllBytes(), StandardCharsets.UTF_8));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new LatticeException("cannot read " + folder + " of the chart " + chart.getFileName() + ": " + e.getMessage(), null);
        }
        StringBuilder out = new StringBuilder();
        found.values().forEach(text -> out.append("---\n").append(text).append(text.endsWith("\n") ? "" : "\n"));
        return out.toString();
    }

    private static boolean yaml(String name) {
        return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
    }

    private static String filesDigest(TreeMap<String, String> files) {
        MessageDigest digest = sha256Digest();
        files.forEach((path, sha) -> digest.update((path + "\0" + sha + "\n").getBytes(StandardCharsets.UTF_8)));
        return HexFormat.of().formatHex(digest.digest());
    }

    private String offline(Chart chart) {
        return "without network, put " + chart.archive() + " (from " + chart.url() + "), or the chart unpacked as "
                + chart.unpacked() + ", in a directory and pass --charts-dir or set " + CHARTS_DIR_ENV;
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The digest of what {@code in} has left, read to its end (not closed). */
    private static String sha256(InputStream in) throws IOException {
        MessageDigest digest = sha256Digest();
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
