package dev.lattice.engine.bootstrap;

import dev.lattice.core.LatticeException;
import dev.lattice.engine.Interrupted;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs an external program (kind) to completion: its output, or a failure that quotes the end of its errors. */
final class Command {
    private Command() {
    }

    /** Finds {@code name} on PATH, as a shell would. */
    static Path onPath(String name) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    /** Runs {@code command}; returns its standard output. Interrupting the caller stops the program. */
    static String run(List<String> command, Duration timeout) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw new LatticeException("cannot run " + command.get(0) + ": " + e.getMessage(), "check that it is installed and executable");
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
        try {
            process.getOutputStream().close();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new LatticeException("timed out after " + timeout.toSeconds() + "s: " + String.join(" ", command),
                        "give it longer with --timeout");
            }
            if (process.exitValue() != 0) {
                throw new LatticeException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): "
                        + tail(err.join()), null);
            }
            return out.join();
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
            throw new Interrupted();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String drain(InputStream in) {
        try (in) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            in.transferTo(buffer);
            return buffer.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The last few lines: where a tool says what went wrong. */
    static String tail(String text) {
        List<String> lines = text.strip().lines().toList();
        return String.join("\n  ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    }
}
