package dev.lattice.testfixtures;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real kube-apiserver and etcd on loopback, envtest-style (no kubelet, scheduler or controllers), started by
 * {@code scripts/envtest/run-envtest.sh} from binaries that {@code scripts/envtest/build-kube-apiserver.sh} built.
 * Tests that need one skip, saying why, where the binaries are absent.
 */
public final class Envtest implements AutoCloseable {
    private final Process process;
    private final Path kubeconfig;
    private final KubernetesClient client;

    private Envtest(Process process, Path kubeconfig) {
        this.process = process;
        this.kubeconfig = kubeconfig;
        this.client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(read(kubeconfig))).build();
    }

    /** The directory holding bin/kube-apiserver: $KUBE_ENVTEST_DIR, else the newest in ~/.cache/kube-envtest. */
    public static Optional<Path> assets() {
        String configured = System.getenv("KUBE_ENVTEST_DIR");
        if (configured != null && !configured.isBlank()) {
            Path dir = Path.of(configured);
            return Files.isExecutable(dir.resolve("bin/kube-apiserver")) ? Optional.of(dir) : Optional.empty();
        }
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "kube-envtest");
        if (!Files.isDirectory(cache)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(cache)) {
            return versions.filter(d -> Files.isExecutable(d.resolve("bin/kube-apiserver")))
                    .max(Comparator.comparing(Path::getFileName));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Why a test that needs a kube-apiserver cannot run here. */
    public static String absence() {
        return "no kube-apiserver built for tests: run scripts/envtest/build-kube-apiserver.sh (Debian, root; about "
                + "3 minutes, cached in ~/.cache/kube-envtest) or set KUBE_ENVTEST_DIR";
    }

    /**
     * Starts a fresh API server and waits until it is ready (about 7 s). The script picks free ports, and another
     * process may take one before etcd binds it; that start is tried again.
     */
    public static Envtest start() {
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce();
            } catch (IllegalStateException e) {
                if (attempt == 3 || !String.valueOf(e.getMessage()).contains("address already in use")) {
                    throw e;
                }
            }
        }
    }

    private static Envtest startOnce() {
        Path assets = assets().orElseThrow(() -> new IllegalStateException(absence()));
        Path script = Examples.projectRoot().resolve("scripts/envtest/run-envtest.sh");
        try {
            Path state = Files.createTempDirectory("lattice-envtest");
            ProcessBuilder builder = new ProcessBuilder("bash", script.toString(), assets.toString())
                    .redirectError(state.resolve("run-envtest.log").toFile());
            builder.environment().put("ENVTEST_STATE_DIR", state.resolve("state").toString());
            Process process = builder.start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).get(120, TimeUnit.SECONDS);
            if (line == null) {
                process.waitFor(10, TimeUnit.SECONDS);
                process.destroy();
                throw new IllegalStateException("the API server did not start: " + Files.readString(state.resolve("run-envtest.log")));
            }
            return new Envtest(process, Path.of(line.trim()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot start a test API server: " + e.getMessage(), e);
        }
    }

    public KubernetesClient client() {
        return client;
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        client.close();
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
