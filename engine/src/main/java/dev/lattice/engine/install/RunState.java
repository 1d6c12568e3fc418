package dev.lattice.engine.install;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lattice.core.LatticeException;
import dev.lattice.engine.LocalCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
        /** Whether every field a run needs is there: a file missing one was not written by us, or was damaged. */
        boolean complete() {
            return runId != null && operation != null && cluster != null && namespace != null && completed != null
                    && !completed.contains(null) && started != null && updated != null;
        }
    }

    /** The suffix a damaged state file is set aside under by {@link #setAsideDamaged}. */
    public static final String DAMAGED_SUFFIX = ".damaged";

    private final Path dir;
    private Record record;

    private RunState(Path dir, Record record) {
        this.dir = dir;
        this.record = record;
    }

    /** Where runs are kept: {@code ~/.cache/lattice/runs}. */
    public static Path defaultRoot() {
        return LocalCache.root().resolve("runs");
    }

    /**
     * The newest unfinished run of {@code operation} for {@code cluster} under {@code root}, or a new one, recorded at
     * once, with a fresh run id.
     */
    public static RunState resumeOrStart(Path root, String operation, String cluster, String namespace) {
        return resumeOrStart(root, operation, cluster, namespace, false);
    }

    /**
     * As {@link #resumeOrStart(Path, String, String, String)}; with {@code resetDamaged}, damaged state files that may
     * be this run's are set aside first ({@link #setAsideDamaged}) instead of refusing to go on.
     */
    public static RunState resumeOrStart(Path root, String operation, String cluster, String namespace, boolean resetDamaged) {
        if (resetDamaged) {
            setAsideDamaged(root, operation, cluster);
        }
        Optional<RunState> earlier = unfinished(root, operation, cluster);
        if (earlier.isPresent()) {
            return earlier.get();
        }
        byte[] id = new byte[4];
        new SecureRandom().nextBytes(id);
        String runId = HexFormat.of().formatHex(id);
        String now = Instant.now().toString();
        RunState started = new RunState(root.resolve(runId), new Record(runId, operation, cluster, namespace, List.of(), false, now, now));
        // Recorded before any step: a run killed inside its first step (a bootstrap cluster half made under this run's
        // name) is found and resumed by the next, never replaced by a run under another name.
        started.update(List.of(), false);
        return started;
    }

    /** The newest unfinished run of {@code operation} for {@code cluster}. */
    public static Optional<RunState> unfinished(Path root, String operation, String cluster) {
        List<Path> damaged = damaged(root, operation, cluster);
        if (!damaged.isEmpty()) {
            throw new LatticeException("cannot tell where the last " + operation + " of " + cluster + " stopped: its state file "
                    + damaged.get(0) + " is damaged" + (damaged.size() > 1 ? " (and " + (damaged.size() - 1) + " more)" : ""),
                    "check whether a bootstrap cluster of that run is still there (kind get clusters), then run again with "
                            + "--reset-state: it sets damaged state files aside and starts afresh");
        }
        return states(root)
                .filter(s -> s.record != null && s.record.complete())
                .filter(s -> !s.record.finished() && operation.equals(s.record.operation()) && cluster.equals(s.record.cluster()))
                .max(Comparator.comparing(s -> s.record.updated()));
    }

    /**
     * Renames the damaged state files that could be runs of {@code operation} for {@code cluster} to
     * {@code state.json.damaged}, so a new run starts; what they held is kept for a person to read. Returns them.
     */
    public static List<Path> setAsideDamaged(Path root, String operation, String cluster) {
        List<Path> damaged = damaged(root, operation, cluster);
        for (Path file : damaged) {
            try {
                Files.move(file, file.resolveSibling(FILE + DAMAGED_SUFFIX), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return damaged;
    }

    /** State files that cannot be read whole and may belong to this operation and cluster (a foreign one does not). */
    private static List<Path> damaged(Path root, String operation, String cluster) {
        return states(root)
                .filter(s -> s.record == null || !s.record.complete())
                .filter(s -> s.record == null || s.record.cluster() == null || s.record.operation() == null
                        || operation.equals(s.record.operation()) && cluster.equals(s.record.cluster()))
                .map(s -> s.dir.resolve(FILE))
                .toList();
    }

    /** Every state file under {@code root}, read; a record of null for one that is not JSON of a run. */
    private static Stream<RunState> states(Path root) {
        if (!Files.isDirectory(root)) {
            return Stream.empty();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.map(d -> d.resolve(FILE)).filter(Files::isRegularFile).sorted().map(RunState::read).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RunState read(Path file) {
        try {
            return new RunState(file.getParent(), JSON.readValue(file.toFile(), Record.class));
        } catch (IOException unreadable) {
            return new RunState(file.getParent(), null);
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

    /**
     * Writes a file readable by its owner only, whole or not at all, and durably: the content reaches the disk before
     * the rename, and the rename before this returns, so a crash or power loss leaves the old file or the new one.
     */
    public static void writeAtomically(Path file, String content) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Path temp = Files.createTempFile(parent, "." + file.getFileName(), ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(parent);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes a rename in {@code dir} durable; where a directory cannot be opened (not Linux), the rename stands as is. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException notSupported) {
            // Windows cannot open a directory; its renames are journalled by NTFS.
        }
    }
}
