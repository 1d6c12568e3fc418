package dev.lattice.core.parse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Turns what a user passed to {@code -f} (files, directories, {@code -} for stdin) into named texts. */
public final class InputReader {
    /** The name stdin is reported under. */
    public static final String STDIN = "<stdin>";

    /** Bytes read from all inputs of a run unless the caller says otherwise: three times a 10,000-service fleet. */
    public static final long DEFAULT_MAX_BYTES = 16L * 1024 * 1024;

    /** One input text and the name problems in it are reported under. */
    public record Input(String name, String text) {
    }

    /** What the inputs of one run may hold together, and how to say the bound can be raised. */
    public record Limits(long maxBytes, String howToRaise) {
        public static final Limits DEFAULT = new Limits(DEFAULT_MAX_BYTES, null);
    }

    /** Bytes still allowed in this run. */
    private static final class Budget {
        final Limits limits;
        long left;

        Budget(Limits limits) {
            this.limits = limits;
            this.left = limits.maxBytes();
        }
    }

    private InputReader() {
    }

    /**
     * Reads every argument in order; a directory contributes its {@code *.yaml}, {@code *.yml} and
     * {@code *.json} files, recursively, in sorted order.
     */
    public static List<Input> read(List<String> arguments, InputStream stdin, Problems problems) {
        return read(arguments, stdin, Limits.DEFAULT, problems);
    }

    /**
     * As {@link #read(List, InputStream, Problems)}, refusing inputs that together hold more than {@code limits}
     * allow before reading them whole, so memory stays bounded whatever is passed.
     */
    public static List<Input> read(List<String> arguments, InputStream stdin, Limits limits, Problems problems) {
        Budget budget = new Budget(limits);
        List<Input> inputs = new ArrayList<>();
        boolean stdinRead = false;
        for (String argument : arguments) {
            if ("-".equals(argument)) {
                if (stdinRead) {
                    problems.error(Location.ofFile(STDIN), "standard input is named twice with -f -");
                    continue;
                }
                stdinRead = true;
                try {
                    byte[] bytes = stdin.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, budget.left + 1));
                    if (withinBudget(STDIN, bytes.length, budget, problems)) {
                        decode(STDIN, bytes, inputs, problems);
                    }
                } catch (IOException e) {
                    problems.error(Location.ofFile(STDIN), "cannot read standard input: " + e.getMessage());
                }
                continue;
            }
            Path path = Path.of(argument);
            if (Files.isDirectory(path)) {
                List<Path> files = yamlFilesUnder(path, argument, problems);
                if (files.isEmpty()) {
                    problems.error(Location.ofFile(argument), "no *.yaml, *.yml or *.json files in this directory");
                }
                for (Path file : files) {
                    readFile(file.toString(), file, inputs, budget, problems);
                }
            } else if (Files.exists(path)) {
                readFile(argument, path, inputs, budget, problems);
            } else {
                problems.error(Location.ofFile(argument), "no such file or directory");
            }
        }
        return inputs;
    }

    private static List<Path> yamlFilesUnder(Path dir, String name, Problems problems) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> {
                        String n = p.getFileName().toString();
                        return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
                    })
                    .sorted()
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            problems.error(Location.ofFile(name), "cannot read directory: " + e.getMessage());
            return List.of();
        }
    }

    private static void readFile(String name, Path path, List<Input> inputs, Budget budget, Problems problems) {
        try {
            // The size first, so a huge file is refused unread; then at most what is left, in case it grew.
            long size = Files.size(path);
            if (size > budget.left) {
                withinBudget(name, size, budget, problems);
                return;
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(path)) {
                bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, budget.left + 1));
            }
            if (withinBudget(name, bytes.length, budget, problems)) {
                decode(name, bytes, inputs, problems);
            }
        } catch (IOException e) {
            problems.error(Location.ofFile(name), "cannot read file: " + e.getMessage());
        }
    }

    /** Takes {@code size} bytes from the budget, or reports the input as too large. */
    private static boolean withinBudget(String name, long size, Budget budget, Problems problems) {
        if (budget.left < 0) {
            return false; // already reported; the rest is not read
        }
        if (size <= budget.left) {
            budget.left -= size;
            return true;
        }
        long max = budget.limits.maxBytes();
        boolean alone = budget.left == max;
        String message = alone
                ? "input is larger than the " + mebibytes(max) + " Lattice reads at once"
                : "inputs together are larger than the " + mebibytes(max) + " Lattice reads at once";
        String hint = budget.limits.howToRaise() == null ? "split the input" : "split the input, or " + budget.limits.howToRaise();
        problems.error(Location.ofFile(name), message, hint);
        budget.left = -1;
        return false;
    }

    private static String mebibytes(long bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB" : bytes + " bytes";
    }

    private static void decode(String name, byte[] bytes, List<Input> inputs, Problems problems) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            inputs.add(new Input(name, text.startsWith("\uFEFF") ? text.substring(1) : text));
        } catch (CharacterCodingException e) {
            problems.error(Location.ofFile(name), "not UTF-8 text", "save the file as UTF-8");
        }
    }
}
