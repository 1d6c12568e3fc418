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

    /** One input text and the name problems in it are reported under. */
    public record Input(String name, String text) {
    }

    private InputReader() {
    }

    /**
     * Reads every argument in order; a directory contributes its {@code *.yaml}, {@code *.yml} and
     * {@code *.json} files, recursively, in sorted order.
     */
    public static List<Input> read(List<String> arguments, InputStream stdin, Problems problems) {
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
                    decode(STDIN, stdin.readAllBytes(), inputs, problems);
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
                    readFile(file.toString(), file, inputs, problems);
                }
            } else if (Files.exists(path)) {
                readFile(argument, path, inputs, problems);
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

    private static void readFile(String name, Path path, List<Input> inputs, Problems problems) {
        try {
            decode(name, Files.readAllBytes(path), inputs, problems);
        } catch (IOException e) {
            problems.error(Location.ofFile(name), "cannot read file: " + e.getMessage());
        }
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
