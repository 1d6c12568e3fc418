package dev.lattice.core.seeded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Breaks the purity of core on purpose: ArchitectureTest shows its guard catches this. */
public class FileWriter {
    public void save(Path to, String text) throws IOException {
        Files.writeString(to, text);
    }
}
