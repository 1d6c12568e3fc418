package dev.lattice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.testfixtures.Examples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Breaks the examples at random (drops keys, swaps value types, truncates, mangles indentation) and checks that
 * lattice answers every one with exit 0 or 1 and a human message: never a stack trace, never an internal error, never
 * a hang. Then puts values no field may hold (huge, out of range, nested too deep) in random places and checks that
 * every one is refused. Seeds are fixed, so a failure names the seed that reproduces it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MutatedExamplesTest {
    /** 400 by default; -Dlattice.mutations=N runs more. */
    private static final int CASES = Integer.getInteger("lattice.mutations", 400);
    /** 200 by default; -Dlattice.hostile=N runs more. */
    private static final int HOSTILE_CASES = Integer.getInteger("lattice.hostile", 200);
    /** Values no field accepts: every string, number, quantity, enum and free-form field refuses each one. */
    private static final String[] HOSTILE = {
        "\"" + "x".repeat(300_000) + "\"", "1e400", "-1e400", "[".repeat(100) + "]".repeat(100),
        "{" + "a: {".repeat(70) + "b: c" + "}".repeat(71), "9".repeat(400)};
    /** A line that sets a scalar value (a key or a list item), which a hostile value can replace. */
    private static final Pattern VALUE_LINE = Pattern.compile("^(\\s*(?:- )?(?:[A-Za-z0-9_./-]+: |- ))(?!\\||>)\\S.*$");
    private static final String[] REPLACEMENTS = {
        "[1, 2]", "{a: b}", "\"text\"", "123", "-7", "true", "null", "~", "1.5", "0", "''", "99999999999999999999",
        "\"1Ti\"", "-1Gi", "[]", "{}", "!!binary aGk=", "&a x", "*a", "\"\\u0000\"", "\"${X}\"", "\tx"};

    @TempDir
    static Path dir;

    static Stream<Long> seeds() {
        return IntStream.range(0, CASES).mapToObj(i -> 1000L + i);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aMutatedExampleNeverCrashesTheCli(long seed) throws Exception {
        Random random = new Random(seed);
        List<Path> files = Examples.files();
        Path source = files.get(random.nextInt(files.size()));
        String mutated = mutate(Files.readString(source), random);
        Path file = dir.resolve("mutant-" + seed + ".yaml");
        Files.writeString(file, mutated);
        // The mutant goes with the rest of its example set, so references between files are exercised too.
        List<String> args = new ArrayList<>(List.of("plan", "-f", file.toString()));
        withSiblings(args, source);
        CliRun run = CliRun.of(args.toArray(String[]::new));
        String why = "seed " + seed + " mutating " + source + "\n--- input\n" + mutated + "\n" + run.dump();
        assertThat(run.exitCode()).as(why).isIn(0, 1, 3);
        assertThat(run.err()).as(why).doesNotContain("\tat ", "Exception", "internal error");
        if (run.exitCode() != 0) {
            assertThat(run.err()).as(why).contains("error: ");
            assertThat(run.err().lines().filter(l -> !l.startsWith("  hint:") && !l.startsWith("error:")))
                    .as(why).allSatisfy(l -> assertThat(l).matches("^[^:]+(:\\d+:\\d+)?: .+"));
        }
    }

    static Stream<Long> hostileSeeds() {
        return IntStream.range(0, HOSTILE_CASES).mapToObj(i -> 5000L + i);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("hostileSeeds")
    void aValueNoFieldHoldsIsAlwaysRefused(long seed) throws Exception {
        Random random = new Random(seed);
        List<Path> files = Examples.files();
        Path source = files.get(random.nextInt(files.size()));
        List<String> lines = new ArrayList<>(Arrays.asList(Files.readString(source).split("\n", -1)));
        List<Integer> candidates = IntStream.range(0, lines.size())
                .filter(i -> VALUE_LINE.matcher(lines.get(i).replaceFirst("\\s+#.*$", "")).matches()).boxed().toList();
        int at = candidates.get(random.nextInt(candidates.size()));
        Matcher m = VALUE_LINE.matcher(lines.get(at).replaceFirst("\\s+#.*$", ""));
        m.matches();
        String hostile = HOSTILE[random.nextInt(HOSTILE.length)];
        lines.set(at, m.group(1) + hostile);
        Path file = dir.resolve("hostile-" + seed + ".yaml");
        Files.writeString(file, String.join("\n", lines));
        List<String> args = new ArrayList<>(List.of("plan", "-f", file.toString()));
        withSiblings(args, source);
        CliRun run = CliRun.of(args.toArray(String[]::new));
        String why = "seed " + seed + ": " + source + " line " + (at + 1) + " set to " + hostile.substring(0, Math.min(40, hostile.length()))
                + "\n" + run.dump().substring(0, Math.min(4000, run.dump().length()));
        assertThat(run.exitCode()).as(why).isEqualTo(1);
        assertThat(run.err()).as(why).contains(file + ":" + (at + 1) + ":").doesNotContain("\tat ", "Exception");
        assertThat(run.err().length()).as(why).isLessThan(20_000);
    }

    /** The files beside {@code source}, as -f arguments: references between the files of an example resolve. */
    private static void withSiblings(List<String> args, Path source) throws java.io.IOException {
        try (Stream<Path> siblings = Files.list(source.getParent())) {
            siblings.filter(p -> !p.equals(source)).sorted().forEach(p -> {
                args.add("-f");
                args.add(p.toString());
            });
        }
    }

    static String mutate(String text, Random random) {
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        int edits = 1 + random.nextInt(3);
        for (int i = 0; i < edits && !lines.isEmpty(); i++) {
            int at = random.nextInt(lines.size());
            String line = lines.get(at);
            switch (random.nextInt(7)) {
                case 0: // drop a key (and whatever it held on that line)
                    lines.remove(at);
                    break;
                case 1: { // swap a value for one of another type
                    int colon = line.indexOf(": ");
                    String value = REPLACEMENTS[random.nextInt(REPLACEMENTS.length)];
                    lines.set(at, colon >= 0 ? line.substring(0, colon + 2) + value : line + " " + value);
                    break;
                }
                case 2: // truncate the file
                    return String.join("\n", lines.subList(0, at)) + (line.isEmpty() ? "" : line.substring(0, random.nextInt(line.length())));
                case 3: // shift indentation
                    lines.set(at, random.nextBoolean() ? " " + line : line.replaceFirst("^ ", ""));
                    break;
                case 4: // duplicate a line (often a duplicate key)
                    lines.add(at, line);
                    break;
                case 5: // rename a key
                    lines.set(at, line.replaceFirst("([a-zA-Z]+):", "$1x:"));
                    break;
                default: // mangle a value's characters
                    lines.set(at, line.replaceAll("[0-9]", String.valueOf((char) ('A' + random.nextInt(26)))));
                    break;
            }
        }
        return String.join("\n", lines);
    }
}
