package dev.lattice.testfixtures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The project's {@code examples/} folder, found from whichever module a test runs in. */
public final class Examples {
    private Examples() {
    }

    /** The repository root: the nearest ancestor of the working directory with {@code examples/} and {@code mvnw}. */
    public static Path projectRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("examples")) && Files.exists(p.resolve("mvnw"))) {
                return p;
            }
        }
        throw new IllegalStateException("no project root with examples/ above " + dir);
    }

    public static Path dir() {
        return projectRoot().resolve("examples");
    }

    /** Every example file, sorted. */
    public static List<Path> files() {
        try (Stream<Path> walk = Files.walk(dir())) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml") || p.toString().endsWith(".json"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every example folder (each is a self-contained set of objects), sorted. */
    public static List<Path> sets() {
        try (Stream<Path> list = Files.list(dir())) {
            return list.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
