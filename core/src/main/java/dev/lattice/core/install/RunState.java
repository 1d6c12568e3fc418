package dev.lattice.core.install;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The checkpoint file of one install or uninstall run, {@code ~/.cache/lattice/runs/<run id>/state.json}: which
 * steps are done. Running the same command again finds the unfinished run for the same cluster and resumes it.
 * The directory is private to the user: it also keeps kubeconfigs the run fetched.
 */
public final class RunState {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final String FILE = "state.json";

    /** What is written to the file. */
    public record Record(String runId, String operation, String cluster, String namespace,
                         List<String> completed, boolean finished, String started, String updated) {
    }

    private final Path dir;
    private Record record;

    private RunState(Path dir, Record record) {
        this.dir = dir;
        this.record = record;
    }

    /** Where runs are kept: {@code ~/.cache/lattice/runs}. */
    public static Path defaultRoot() {
        return InstallPlan.cacheRoot().resolve("runs");
    }

    /**
     * The newest unfinished run of {@code operation} for {@code cluster} under {@code root}, or a new one (not yet
     * written) with a fresh run id.
     */
    public static RunState resumeOrStart(Path root, String operation, String cluster, String namespace) {
        Optional<RunState> earlier = unfinished(root, operation, cluster);
        if (earlier.isPresent()) {
            return earlier.get();
        }
        byte[] id = new byte[4];
        new SecureRandom().nextBytes(id);
        String runId = HexFormat.of().formatHex(id);
        String now = Instant.now().toString();
        return new RunState(root.resolve(runId), new Record(runId, operation, cluster, namespace, List.of(), false, now, now));
    }

    /** The newest unfinished run of {@code operation} for {@code cluster}. */
    public static Optional<RunState> unfinished(Path root, String operation, String cluster) {
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.map(d -> d.resolve(FILE)).filter(Files::isRegularFile).map(RunState::read)
                    .flatMap(Optional::stream)
                    .filter(s -> !s.record.finished() && operation.equals(s.record.operation()) && cluster.equals(s.record.cluster()))
                    .max(Comparator.comparing(s -> s.record.updated()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<RunState> read(Path file) {
        try {
            return Optional.of(new RunState(file.getParent(), JSON.readValue(file.toFile(), Record.class)));
        } catch (IOException unreadable) {
            // A half-written or foreign file is not a run to resume.
            return Optional.empty();
        }
    }

    public String runId() {
        return record.runId();
    }

    /** The run's private directory. */
    public Path dir() {
        return dir;
    }

    /** Whether an earlier run got somewhere. */
    public boolean resumed() {
        return !record.completed().isEmpty();
    }

    public String namespace() {
        return record.namespace();
    }

    public boolean done(String step) {
        return record.completed().contains(step);
    }

    /** Records that {@code step} is done. */
    public void complete(String step) {
        Set<String> steps = new LinkedHashSet<>(record.completed());
        steps.add(step);
        update(List.copyOf(steps), false);
    }

    /** Forgets steps whose work is gone (a bootstrap cluster deleted with what was in it). */
    public void forget(Set<String> steps) {
        update(record.completed().stream().filter(s -> !steps.contains(s)).toList(), false);
    }

    /** Marks the run finished: it is never resumed again. */
    public void finish() {
        update(record.completed(), true);
    }

    /** A private file in the run's directory, for a kubeconfig the run keeps. */
    public Path writePrivate(String name, String content) {
        ensureDir();
        Path file = dir.resolve(name);
        writeAtomically(file, content);
        return file;
    }

    private void update(List<String> completed, boolean finished) {
        Record r = record;
        record = new Record(r.runId(), r.operation(), r.cluster(), r.namespace(), completed, finished,
                r.started(), Instant.now().toString());
        ensureDir();
        try {
            writeAtomically(dir.resolve(FILE), JSON.writeValueAsString(record));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void ensureDir() {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a file readable by its owner only, whole or not at all. */
    public static void writeAtomically(Path file, String content) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Path temp = Files.createTempFile(parent, "." + file.getFileName(), ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temp, content);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
