package dev.lattice.engine.charts;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import dev.lattice.core.LatticeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * Renders a chart as {@code helm template} does, through the Java Helm binding (helm-java), for one Kubernetes version:
 * offline (values that would make a template look up a live cluster are the caller's to avoid) and, for the same
 * chart and values, the same text every time.
 *
 * <p>helm-java runs Helm as a Go library inside this process, and the Go runtime, as it loads, takes SIGTERM, SIGINT
 * and SIGHUP from the JVM and then does nothing with them: a daemon that had rendered a chart no longer stopped when
 * Kubernetes asked it to, nor a CLI on Ctrl-C. After the first render they are handed back ({@link #restoreSignals}):
 * each ends the process through its shutdown hooks, with 128 + the signal's number, as the JVM does.
 *
 * <p>A long-lived process renders {@linkplain #renderApart apart} instead: in a short-lived JVM of its own (this class's
 * {@link #main}), so that neither the Helm library (about 50 MiB mapped) nor the Go runtime's heap and threads stay in
 * it once the charts are rendered, and its signals stay its own.
 */
public final class ChartRenderer {
    private static final AtomicBoolean SIGNALS_RESTORED = new AtomicBoolean();
    private static final AtomicBoolean LIBRARY_REMOVED = new AtomicBoolean();
    /** How long a render apart may take before its process is stopped. */
    static final Duration APART_TIMEOUT = Duration.ofMinutes(2);
    /** The JVM a render apart runs in: small, and quick to start, for one render of a few seconds. */
    private static final List<String> APART_FLAGS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Xmx96m",
            "-XX:+ExitOnOutOfMemoryError");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Object APART = new Object();
    /** Why the Helm library could not be loaded, once it could not: the JVM never tries a failed class's loading again. */
    private static volatile String unloadable;

    private ChartRenderer() {
    }

    /**
     * The chart's manifests: {@code chart} is an archive or an unpacked chart directory; {@code values} a tree, given to
     * Helm as a values file (JSON, which is YAML); {@code kubeVersion} as {@code v1.28.7} (Helm otherwise assumes v1.20).
     */
    public static String render(Path chart, String release, String namespace, String kubeVersion, Map<String, Object> values) {
        Path file = null;
        try {
            TemplateCommand template = new Helm(chart).template().withName(release).withNamespace(namespace).withKubeVersion(kubeVersion);
            if (!values.isEmpty()) {
                file = Files.createTempFile("lattice-values", ".json");
                JSON.writeValue(file.toFile(), values);
                template.withValuesFile(file);
            }
            return template.call();
        } catch (IOException e) {
            throw new LatticeException("cannot render the chart " + chart.getFileName() + ": cannot write its values (" + e.getMessage() + ")", null);
        } catch (RuntimeException e) {
            throw new LatticeException("cannot render the chart " + chart.getFileName() + ": " + e.getMessage(), null);
        } catch (LinkageError e) {
            // The first failure says why; every later one would only say "Could not initialize class".
            if (unloadable == null) {
                unloadable = why(e);
            }
            throw new LatticeException("cannot render the chart " + chart.getFileName() + ": the Helm library cannot be loaded ("
                    + unloadable + "); it unpacks itself (about 95 MB) into the temporary directory (java.io.tmpdir, /tmp) and "
                    + "JNA's (-Djna.tmpdir, else $XDG_CACHE_HOME/JNA or ~/.cache/JNA), which must be writable, allow executables "
                    + "and have room", null);
        } finally {
            if (file != null) {
                file.toFile().delete();
            }
            if (SIGNALS_RESTORED.compareAndSet(false, true)) {
                restoreSignals();
            }
            if (!LIBRARY_REMOVED.get() && removeUnpackedLibrary()) {
                LIBRARY_REMOVED.set(true);
            }
        }
    }

    /**
     * Deletes the copy of the Helm library that helm-java unpacked for this process ({@code helm-java*} in the temporary
     * directory, about 95 MB), which it never deletes: once loaded it is mapped, and the mapping outlives the file.
     * Found through {@code /proc/self/maps}; elsewhere nothing is done.
     */
    static boolean removeUnpackedLibrary() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return false;
        }
        List<Path> libraries;
        try (var lines = Files.lines(maps)) {
            libraries = lines.map(l -> l.substring(l.indexOf('/') < 0 ? l.length() : l.indexOf('/')).strip())
                    .filter(f -> f.contains("/helm-java") && f.endsWith(".so")).distinct().map(Path::of).toList();
        } catch (IOException | UncheckedIOException e) {
            return false; // no map to read: nothing to remove
        }
        for (Path library : libraries) {
            try {
                Files.deleteIfExists(library);
                Files.deleteIfExists(library.getParent());
            } catch (IOException e) {
                // another file in its directory, or no right to it: left as it is
            }
        }
        return !libraries.isEmpty();
    }

    /** The innermost reason a load failed: an ExceptionInInitializerError says nothing of its own. */
    static String why(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }

    /** One render, as {@link #renderApart} hands it to {@link #main}. */
    record Request(String chart, String release, String namespace, String kubeVersion, Map<String, Object> values) {
    }

    /**
     * The same as {@link #render}, in a JVM of its own started from this one's runtime and class path, which exits
     * once the chart is rendered. Its error, if any, is this render's. One at a time: each takes about 100 MiB of memory
     * and writes a 95 MB copy of the library while it runs, which a pod's limits must hold once, not once per caller.
     */
    public static String renderApart(Path chart, String release, String namespace, String kubeVersion, Map<String, Object> values) {
        synchronized (APART) {
            return renderApartNow(chart, release, namespace, kubeVersion, values);
        }
    }

    private static String renderApartNow(Path chart, String release, String namespace, String kubeVersion, Map<String, Object> values) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(APART_FLAGS);
        String jnaDir = System.getProperty("jna.tmpdir");
        if (jnaDir != null) {
            command.add("-Djna.tmpdir=" + jnaDir);
        }
        Path scratch = null;
        Process process;
        try {
            // Its own temporary directory, where helm-java unpacks the library (about 95 MB), removed when it is done.
            scratch = Files.createTempDirectory("lattice-render");
            command.add("-Djava.io.tmpdir=" + scratch);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), ChartRenderer.class.getName()));
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            if (scratch != null) {
                deleteTree(scratch);
            }
            throw new LatticeException("cannot render the chart " + chart.getFileName() + ": cannot start a JVM to render it in ("
                    + e.getMessage() + ")", null);
        }
        try {
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            try (OutputStream in = process.getOutputStream()) {
                JSON.writeValue(in, new Request(chart.toString(), release, namespace, kubeVersion, values));
            }
            if (!process.waitFor(APART_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new LatticeException("cannot render the chart " + chart.getFileName() + ": not done within "
                        + APART_TIMEOUT.toSeconds() + " s", null);
            }
            String manifests = new String(out.join(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                String why = new String(err.join(), StandardCharsets.UTF_8).strip();
                throw new LatticeException(why.isEmpty() ? "cannot render the chart " + chart.getFileName() + ": its renderer exited with "
                        + process.exitValue() : why, null);
            }
            return manifests;
        } catch (IOException e) {
            throw new LatticeException("cannot render the chart " + chart.getFileName() + ": " + e.getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LatticeException("interrupted while rendering the chart " + chart.getFileName(), null);
        } finally {
            process.destroyForcibly();
            deleteTree(scratch);
        }
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // already gone
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A render apart: reads one {@link Request} as JSON from standard input, writes the manifests to standard output and
     * exits 0; or writes why it could not to standard error and exits 1.
     */
    public static void main(String[] args) throws IOException {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
        // Helm's own chatter, if any, must not end up among the manifests.
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        int code;
        try {
            Request request = JSON.readValue(System.in, new TypeReference<Request>() {
            });
            out.print(render(Path.of(request.chart()), request.release(), request.namespace(), request.kubeVersion(), request.values()));
            code = 0;
        } catch (LatticeException e) {
            System.err.print(e.getMessage());
            code = 1;
        }
        out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(code); // the Go runtime's threads would hold a normal exit up
    }

    /** Gives the JVM back the signals that ask a process to end (see the class comment). */
    @SuppressWarnings("restriction")
    static void restoreSignals() {
        for (String name : List.of("TERM", "INT", "HUP")) {
            try {
                Signal.handle(new Signal(name), signal -> System.exit(128 + signal.getNumber()));
            } catch (IllegalArgumentException e) {
                // The JVM runs with -Xrs, or the platform has no such signal: nothing to hand back.
            }
        }
    }
}
