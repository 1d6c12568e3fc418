package dev.lattice.testfixtures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The seed documents' Lattice objects, re-typed one snippet a file as the seeds write them (short forms and all), for
 * tests that hold the parser and the CRDs to the specification's own examples.
 */
public final class Seeds {
    private Seeds() {
    }

    public static Path dir() {
        return Examples.projectRoot().resolve("test-fixtures/src/main/resources/seeds");
    }

    /** Every snippet file, sorted: {@code NNN-MM-kind-name.yaml}, NNN the seed it comes from. */
    public static List<Path> files() {
        try (Stream<Path> list = Files.list(dir())) {
            return list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
