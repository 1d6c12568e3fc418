package dev.lattice.cli.command;

import dev.lattice.cli.complete.Dynamic;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Parser;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code -f}: the files, directories or stdin a command reads its objects from. */
public final class InputOptions {

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE", required = true, completionCandidates = Dynamic.Files.class,
            description = "A YAML or JSON file, a directory (read recursively) or - for stdin. Repeatable.")
    List<String> files = new ArrayList<>();

    /** Reads and validates every input; throws with every problem found. */
    public Inputs read() {
        return Parser.read(files, System.in, InputLimit.from(System.getenv()));
    }
}
