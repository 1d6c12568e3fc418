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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real Kubernetes v1.28 API server and etcd on loopback, envtest-style (no kubelet, scheduler or controllers),
 * started by {@code ../shared/kube/apiserver-up.sh --foreground}. It enforces CRD validation rules
 * ({@code x-kubernetes-validations}) and strict field validation, as a cluster users run does. Tests that need one
 * skip, saying why, where that directory is absent (a user's clone has no {@code ../shared}).
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

    /** The test Kubernetes' directory: $KUBE_SHARED_DIR, else {@code ../shared/kube} beside the project. */
    public static Optional<Path> assets() {
        String configured = System.getenv("KUBE_SHARED_DIR");
        Path dir = configured != null && !configured.isBlank() ? Path.of(configured)
                : Examples.projectRoot().resolve("../shared/kube").normalize();
        return Files.isRegularFile(dir.resolve("apiserver-up.sh")) ? Optional.of(dir) : Optional.empty();
    }

    /** Why a test that needs a kube-apiserver cannot run here. */
    public static String absence() {
        return "needs ../shared/kube (Kubernetes 1.28 for tests) beside the project, or KUBE_SHARED_DIR naming it; "
                + Examples.projectRoot().resolve("../shared/kube").normalize() + " has no apiserver-up.sh";
    }

    /** Starts a fresh API server on free ports and waits until it is ready (4-7 s; the first start unpacks it). */
    public static Envtest start() {
        Path dir = assets().orElseThrow(() -> new IllegalStateException(absence()));
        try {
            Path log = Files.createTempFile("lattice-apiserver", ".log");
            ProcessBuilder builder = new ProcessBuilder("bash", dir.resolve("apiserver-up.sh").toString(), "--foreground")
                    .redirectError(log.toFile());
            // The instance stops by itself should this JVM die without closing it.
            builder.environment().put("KUBE_WATCH_PID", Long.toString(ProcessHandle.current().pid()));
            builder.environment().remove("KUBECONFIG");
            Process process = builder.start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).get(180, TimeUnit.SECONDS);
            if (line == null) {
                process.waitFor(10, TimeUnit.SECONDS);
                process.destroy();
                throw new IllegalStateException("the API server did not start: " + Files.readString(log));
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

    /**
     * Runs the shipped kubectl (v1.28, the server's version) against this server with {@code stdin} as its input;
     * returns its exit code and what it printed on both streams.
     */
    public Kubectl kubectl(String stdin, String... args) {
        Path dir = assets().orElseThrow(() -> new IllegalStateException(absence()));
        List<String> command = new ArrayList<>(List.of("bash", dir.resolve("kubectl.sh").toString(),
                "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        try {
            Path output = Files.createTempFile("lattice-kubectl", ".out");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not finish in 120 s");
            }
            String said = Files.readString(output);
            Files.delete(output);
            return new Kubectl(p.exitValue(), said);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** What one kubectl run gave. */
    public record Kubectl(int exitCode, String output) {
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
