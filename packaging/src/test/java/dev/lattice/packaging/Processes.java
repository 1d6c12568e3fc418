package dev.lattice.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Runs a program the tests start as a user would, to the end, and keeps what it printed. */
final class Processes {
    private Processes() {
    }

    /** How a process ended and what it wrote to stdout and stderr. */
    record Result(int exitCode, String out, String err) {
    }

    static Result run(ProcessBuilder pb, Duration limit) throws IOException, InterruptedException {
        // To files, not pipes: a chatty process must never block on a full pipe while we wait for it.
        Path out = Files.createTempFile("lattice-out", ".txt");
        Path err = Files.createTempFile("lattice-err", ".txt");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertThat(p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)).as("%s finished within %s", pb.command(), limit).isTrue();
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }
}
