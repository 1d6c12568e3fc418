package dev.lattice.engine.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.lattice.core.LatticeException;
import dev.lattice.core.addons.Chart;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("charts: from the charts directory (archive or unpacked), the cache or the repository, always checked against the pinned digest")
class ChartStoreTest {
    private static final byte[] ARCHIVE = "not really a tgz, but bytes with a digest".getBytes(StandardCharsets.UTF_8);
    private static final String DIGEST = "a2b6ba1ab0e6b1a3c1a3ea1e0fea5b01a6e2f3ddcbb1a0b2cc1ef5e17c7c4e18";

    @TempDir
    Path tmp;

    private static Chart chart(String sha256) {
        return new Chart("demo", "demo", "1.0.0", "https://charts.example/demo-1.0.0.tgz", sha256, DIGEST);
    }

    private static String digest() throws Exception {
        Path f = Files.createTempFile("archive", ".tgz");
        Files.write(f, ARCHIVE);
        return ChartStore.sha256(f);
    }

    @Test
    void takesAnArchiveFromTheChartsDirectoryOnlyWhenItsDigestMatches() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("charts"));
        Files.write(dir.resolve("demo-1.0.0.tgz"), ARCHIVE);
        ChartStore store = new ChartStore(dir, tmp.resolve("cache"), c -> { throw new AssertionError("no download"); });
        assertThat(store.chart(chart(digest()))).isEqualTo(dir.resolve("demo-1.0.0.tgz"));
        assertThatThrownBy(() -> store.chart(chart(DIGEST))).isInstanceOf(LatticeException.class)
                .hasMessageContaining("its sha256 is " + digest()).hasMessageContaining("not " + DIGEST);
        Files.delete(dir.resolve("demo-1.0.0.tgz"));
        assertThatThrownBy(() -> store.chart(chart(digest()))).isInstanceOf(LatticeException.class)
                .hasMessageContaining("has neither demo-1.0.0.tgz nor demo/1.0.0/demo/");
    }

    @Test
    void takesTheChartUnpackedWhenTheDigestOfItsFilesMatches() throws Exception {
        Path dir = tmp.resolve("charts");
        Path chart = Files.createDirectories(dir.resolve("demo/1.0.0/demo/templates"));
        Files.writeString(dir.resolve("demo/1.0.0/demo/Chart.yaml"), "name: demo\nversion: 1.0.0\n");
        Files.writeString(chart.resolve("cm.yaml"), "kind: ConfigMap\n");
        String files = ChartStore.filesSha256(dir.resolve("demo/1.0.0/demo"));
        ChartStore store = new ChartStore(dir, tmp.resolve("cache"), c -> { throw new AssertionError("no download"); });
        Chart pinned = new Chart("demo", "demo", "1.0.0", "https://charts.example/demo-1.0.0.tgz", DIGEST, files);
        assertThat(store.chart(pinned)).isEqualTo(dir.resolve("demo/1.0.0/demo"));

        Files.writeString(chart.resolve("cm.yaml"), "kind: ConfigMap\ndata: {edited: yes}\n");
        assertThatThrownBy(() -> store.chart(pinned)).isInstanceOf(LatticeException.class).hasMessageContaining("the digest of its files is");
    }

    @Test
    void downloadsOnceIntoTheCacheAndKeepsNothingThatDoesNotMatch() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, ARCHIVE.length);
            exchange.getResponseBody().write(ARCHIVE);
            exchange.close();
        });
        server.start();
        try {
            URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/demo-1.0.0.tgz");
            Path cache = tmp.resolve("cache");
            ChartStore store = new ChartStore(null, cache, c -> uri);
            assertThatThrownBy(() -> store.chart(chart(DIGEST))).isInstanceOf(LatticeException.class).hasMessageContaining("sha256");
            assertThat(cache.resolve("demo-1.0.0.tgz")).as("a download that does not match is not kept").doesNotExist();
            assertThat(cache).isEmptyDirectory();

            Path got = store.chart(chart(digest()));
            assertThat(got).isEqualTo(cache.resolve("demo-1.0.0.tgz")).hasBinaryContent(ARCHIVE);
            store.chart(chart(digest()));
            assertThat(requests).as("the second time comes from the cache").hasValue(2);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void checksAnArchiveWhoseReleasedDigestIsUnknownByTheDigestOfItsFiles() throws Exception {
        Path unpacked = tmp.resolve("unpacked/demo");
        Files.createDirectories(unpacked.resolve("templates"));
        Files.writeString(unpacked.resolve("Chart.yaml"), "name: demo\nversion: 1.0.0\n");
        Files.writeString(unpacked.resolve("templates/cm.yaml"), "kind: ConfigMap\n");
        Path dir = Files.createDirectories(tmp.resolve("charts"));
        Path archive = dir.resolve("demo-1.0.0.tgz");
        // As helm package writes it: every file below a folder named after the chart.
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(Files.newOutputStream(archive)))) {
            for (String file : new String[] {"Chart.yaml", "templates/cm.yaml"}) {
                byte[] bytes = Files.readAllBytes(unpacked.resolve(file));
                TarArchiveEntry entry = new TarArchiveEntry("demo/" + file);
                entry.setSize(bytes.length);
                tar.putArchiveEntry(entry);
                tar.write(bytes);
                tar.closeArchiveEntry();
            }
        }
        String files = ChartStore.filesSha256(unpacked);
        assertThat(ChartStore.archiveFilesSha256(archive)).isEqualTo(files);
        ChartStore store = new ChartStore(dir, tmp.resolve("cache"), c -> { throw new AssertionError("no download"); });
        Chart unknownArchiveDigest = new Chart("demo", "demo", "1.0.0", "https://charts.example/demo-1.0.0.tgz", null, files);
        assertThat(store.chart(unknownArchiveDigest)).isEqualTo(archive);

        Chart otherFiles = new Chart("demo", "demo", "1.0.0", "https://charts.example/demo-1.0.0.tgz", null, DIGEST);
        assertThatThrownBy(() -> store.chart(otherFiles)).isInstanceOf(LatticeException.class)
                .hasMessageContaining("the digest of its files is " + files);
        Files.write(archive, ARCHIVE);
        assertThatThrownBy(() -> store.chart(unknownArchiveDigest)).isInstanceOf(LatticeException.class)
                .hasMessageContaining("is not a chart archive");
    }

    @Test
    void saysWhatToDoWithoutNetwork() {
        ChartStore store = new ChartStore(null, tmp.resolve("cache"), c -> URI.create("http://127.0.0.1:1/demo-1.0.0.tgz"));
        assertThatThrownBy(() -> store.chart(chart(DIGEST))).isInstanceOf(LatticeException.class)
                .hasMessageContaining("cannot download demo 1.0.0")
                .satisfies(e -> assertThat(((LatticeException) e).nextStep()).contains("--charts-dir", ChartStore.CHARTS_DIR_ENV));
    }
}
