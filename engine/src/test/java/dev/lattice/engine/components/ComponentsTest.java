package dev.lattice.engine.components;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.lattice.core.LatticeException;
import dev.lattice.core.capi.CapiVersions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Component manifests from a directory, the cache, or a download into the cache; served here on loopback. */
class ComponentsTest {
    private static final CapiVersions.Component CORE = CapiVersions.CORE;
    private static final String MANIFEST = "kind: Deployment\nimage: ${CAPI_IMAGE:=registry.k8s.io/capi:v1}\nns: ${CAPI_NS}\n";

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private int status = 200;

    @TempDir
    Path cache;

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = MANIFEST.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, status == 200 ? body.length : -1);
            if (status == 200) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private Components components(Path directory) {
        return new Components(directory, cache, c -> URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + c.cachePath()));
    }

    @Test
    void downloadsOnceIntoTheCacheAndFillsTheVariables() {
        Components components = components(null);
        String first = components.manifest(CORE, Map.of("CAPI_NS", "capi-system")::get);
        String second = components.manifest(CORE, Map.of("CAPI_NS", "capi-system")::get);
        assertThat(first).isEqualTo("kind: Deployment\nimage: registry.k8s.io/capi:v1\nns: capi-system\n").isEqualTo(second);
        assertThat(requests.get()).isEqualTo(1);
        assertThat(cache.resolve(CORE.cachePath())).hasContent(MANIFEST);
    }

    @Test
    void aComponentsDirectoryComesFirstAndNeedsNoNetwork(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve(CORE.cachePath()).getParent());
        Files.writeString(dir.resolve(CORE.cachePath()), "from: the directory\n");
        assertThat(components(dir).read(CORE)).isEqualTo("from: the directory\n");
        assertThat(requests.get()).isZero();
    }

    @Test
    void anUnsetVariableIsNamedAndItsNeighboursValuesAreNotShown() {
        assertThatThrownBy(() -> components(null).manifest(CORE, Map.of("CAPI_IMAGE", "secret-registry/capi")::get))
                .isInstanceOf(LatticeException.class)
                .hasMessage("cluster-api " + CORE.version() + " needs CAPI_NS, which is not set")
                .hasMessageNotContaining("secret-registry");
    }

    @Test
    void aFailedDownloadLeavesNothingInTheCacheAndSaysHowToWorkOffline() {
        status = 404;
        assertThatThrownBy(() -> components(null).read(CORE)).isInstanceOf(LatticeException.class)
                .hasMessageContaining("HTTP 404")
                .satisfies(e -> assertThat(((LatticeException) e).nextStep()).contains("--components-dir", CORE.cachePath()));
        assertThat(cache.resolve(CORE.cachePath())).doesNotExist();
        assertThat(cache.resolve(CORE.cachePath() + ".part")).doesNotExist();
    }
}
