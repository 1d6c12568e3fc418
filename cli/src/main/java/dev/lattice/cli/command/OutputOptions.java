package dev.lattice.cli.command;

import dev.lattice.cli.output.Format;
import picocli.CommandLine.Option;

/** {@code -o}: how a command prints its result. */
public final class OutputOptions {

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format = Format.table;

    public Format format() {
        return format;
    }
}
