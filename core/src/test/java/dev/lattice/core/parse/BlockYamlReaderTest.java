package dev.lattice.core.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fast reader against snakeyaml-engine: on any text, it either gives up or builds exactly the tree (values,
 * scalar types, lines and columns) that snakeyaml-engine builds without a problem.
 */
class BlockYamlReaderTest {
    private static final String FILE = "in.yaml";

    /** The fast reader's documents, asserting they are the engine's; empty when it gave up. */
    private static Optional<List<YNode>> sameAsEngine(String text) {
        return sameAsEngine(new YamlLoader.Chunk(text, 0));
    }

    private static Optional<List<YNode>> sameAsEngine(YamlLoader.Chunk chunk) {
        Optional<List<YNode>> fast = BlockYamlReader.read(FILE, chunk);
        if (fast.isPresent()) {
            Problems problems = new Problems();
            List<YNode> engine = YamlLoader.loadWithEngine(FILE, chunk, problems);
            assertThat(problems.sorted()).as("the engine's problems with text the fast reader accepted:%n%s", chunk.text())
                    .isEmpty();
            assertThat(fast.get()).as("trees of:%n%s", chunk.text()).isEqualTo(engine);
        }
        return fast;
    }

    static Stream<Path> corpus() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String dir : List.of("../examples", "../packaging/crds")) {
            try (Stream<Path> walk = Files.walk(Path.of(dir))) {
                walk.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(files::add);
            }
        }
        return files.stream();
    }

    @ParameterizedTest
    @MethodSource("corpus")
    @DisplayName("the examples and the CRDs read the same as with snakeyaml-engine, and the examples take the fast way")
    void readsTheProjectsOwnFilesLikeTheEngine(Path file) throws IOException {
        Optional<List<YNode>> fast = sameAsEngine(Files.readString(file));
        if (file.startsWith("../examples")) {
            assertThat(fast).as("%s is in the common subset", file).isPresent();
        }
    }

    @Test
    void locatesNodesInAChunkByTheLinesBeforeIt() {
        Optional<List<YNode>> docs = sameAsEngine(new YamlLoader.Chunk("---\na:\n  b: [1, x]\n", 41));
        YNode.Mapping a = (YNode.Mapping) ((YNode.Mapping) docs.orElseThrow().get(0)).get("a").orElseThrow();
        assertThat(a.location()).isEqualTo(new Location(FILE, 44, 3));
        assertThat(a.get("b").orElseThrow().location()).isEqualTo(new Location(FILE, 44, 6));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a: 1\nb: two\n",
        "apiVersion: v1\nkind: X\nmetadata: {name: n, labels: {a: b}}\nspec:\n  list:\n    - 1\n    - {x: y}\n",
        "a:\n- 1\n- 2\nb: c\n",
        "- a: 1\n  b: 2\n- c\n- - x\n  - y\n",
        "# comment\n\n---\na: 'it''s' # trailing\nb: \"q\"\nc: nginx:1.25\nd: http://x/y#z\n---\n---\ne: [ ]\n",
        "a:   \n  # comment between\n  b: true\nc: ~\nd: null\ne: 1.5e3\nf: 0x1F\ng: .inf\nh: -1\ni: yes\n",
        "key : value\n\"quoted key\": v\n'single': [a b, 'c, d', \"e\"]\n",
        "a:\n  - name: medium\n    cores: 8\n  -   name: large\n      cores: 16\n",
        "ünï: cödé ✓\n",
        "a: -x\nb: ?y\nc: :z\nd: a#b\ne: x -y\n",
    })
    void takesTheFastWayForCommonYaml(String text) {
        assertThat(sameAsEngine(text)).as(text).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a: &x 1\nb: *x\n", "a: !!str 1\n", "a: |\n  text\n", "a: >\n  text\n", "a: multi\n  line\n",
        "a: \"esc\\n\"\n", "a:\n", "a:\nb: 1\n", "a: 1\na: 2\n", "a: [1,\n  2]\n", "a:\tb\n", "a: b\r\nc: d\r\n",
        "%YAML 1.2\n---\na: 1\n", "--- {a: 1}\n", "a: 1\n...\n", "? a\n: b\n", "a: b: c\n", "just a scalar\n",
        "  a: 1\n", "a: {b: }\n", "a: [1, ]\n", "a: [x?y]\n", "a: [:z]\n", "a: 'unterminated\n", "\uFEFFa: 1\n",
        "a: 1\n b: 2\n", "- a\n -b\n", "a: {b: 1, b: 2}\n", "a: b #c\n  d: e\n",
    })
    void leavesEverythingElseToTheEngine(String text) {
        assertThat(sameAsEngine(text)).as(text).isEmpty();
    }

    static IntStream seeds() {
        return IntStream.range(0, Integer.getInteger("lattice.yaml-seeds", 500));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    @DisplayName("random documents, and random damage to them, read the same as with snakeyaml-engine or not at all")
    void randomDocumentsReadLikeTheEngine(int seed) {
        Random random = new Random(seed);
        String text = new RandomYaml(random, seed % 2 == 0).stream();
        Optional<List<YNode>> whole = sameAsEngine(text);
        for (int i = 0; i < 20; i++) {
            sameAsEngine(damage(text, random));
        }
        // Half the seeds must be in the subset, so the comparison above is not vacuous.
        if (seed % 2 == 0) {
            assertThat(whole).as("seed %d, a stream made only of subset forms:%n%s", seed, text).isPresent();
        }
    }

    private static String damage(String text, Random random) {
        StringBuilder b = new StringBuilder(text);
        int edits = 1 + random.nextInt(3);
        for (int i = 0; i < edits && b.length() > 0; i++) {
            int at = random.nextInt(b.length());
            switch (random.nextInt(4)) {
                case 0 -> b.deleteCharAt(at);
                case 1 -> {
                    String inserts = " :-#'\"{}[],\n&*!|>?";
                    b.insert(at, inserts.charAt(random.nextInt(inserts.length())));
                }
                case 2 -> b.insert(at, "  ");
                default -> b.setCharAt(at, "ab1 :\n-#".charAt(random.nextInt(8)));
            }
        }
        return b.toString();
    }

    /**
     * Writes random streams of documents. With an even seed it writes only forms the fast reader takes; with an
     * odd one it also mixes in forms it leaves to the engine, so both paths meet the same shapes.
     */
    private static final class RandomYaml {
        private static final List<String> SCALARS = List.of("a", "name", "true", "false", "null", "~", "1", "-2",
                "1.5", "1e3", "0x1F", "0o17", ".inf", "-.inf", ".nan", "yes", "no", "on", "nginx:1.25",
                "http://h/p?q=1", "a#b", "x -y", "ünï", "a b  c", "-x", "?y", ":z", "500m", "64Gi", "v1.2.3", "", "a,b",
                "it's", "say \"hi\"", "- x", "a: b", "#c", " lead", "trail ", "[x]", "{y}", "&a", "*a", "!t", "|", ">",
                "%p", "@q", "`r`", "TRUE", "True", "NULL", "Null", "0.", "+1", "012", "1_000");
        private final Random random;
        private final boolean subsetOnly;
        private final StringBuilder out = new StringBuilder();

        RandomYaml(Random random, boolean subsetOnly) {
            this.random = random;
            this.subsetOnly = subsetOnly;
        }

        String stream() {
            int documents = 1 + random.nextInt(3);
            for (int d = 0; d < documents; d++) {
                if (d > 0 || random.nextBoolean()) {
                    out.append("---\n");
                }
                if (random.nextInt(4) == 0) {
                    out.append("# a comment\n\n");
                }
                if (random.nextBoolean()) {
                    blockMapping(0, 0);
                } else {
                    blockSequence(0, 0);
                }
            }
            return out.toString();
        }

        private void blockMapping(int indent, int depth) {
            int n = 1 + random.nextInt(4);
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    out.append(" ".repeat(indent));
                }
                out.append(key(i)).append(':');
                blockValue(indent, depth, true);
            }
        }

        private void blockSequence(int indent, int depth) {
            int n = 1 + random.nextInt(4);
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    out.append(" ".repeat(indent));
                }
                out.append('-');
                int choice = depth > 3 ? 0 : random.nextInt(4);
                if (choice == 1) {
                    int spaces = 1 + random.nextInt(3);
                    out.append(" ".repeat(spaces));
                    blockMapping(indent + 1 + spaces, depth + 1);
                } else if (choice == 2) {
                    out.append('\n').append(" ".repeat(indent + 2));
                    blockSequence(indent + 2, depth + 1);
                } else {
                    out.append(' ').append(inline(depth, false)).append(comment()).append('\n');
                }
            }
        }

        private void blockValue(int indent, int depth, boolean inMapping) {
            int choice = depth > 3 ? 0 : random.nextInt(5);
            if (choice == 1) {
                out.append(comment()).append('\n');
                blank();
                int child = indent + 1 + random.nextInt(3);
                out.append(" ".repeat(child));
                blockMapping(child, depth + 1);
            } else if (choice == 2) {
                out.append('\n');
                int child = inMapping && random.nextBoolean() ? indent : indent + 2;
                out.append(" ".repeat(child));
                blockSequence(child, depth + 1);
            } else if (!subsetOnly && choice == 3) {
                out.append(random.nextBoolean() ? " |\n" : "\n").append(" ".repeat(indent + 2)).append(plain()).append('\n');
            } else {
                out.append(' ').append(inline(depth, false)).append(comment()).append('\n');
            }
        }

        private void blank() {
            if (random.nextInt(5) == 0) {
                out.append(random.nextBoolean() ? "\n" : "   # note\n");
            }
        }

        private String comment() {
            return random.nextInt(6) == 0 ? " # note" : "";
        }

        private String key(int i) {
            String base = "k" + i;
            return switch (random.nextInt(8)) {
                case 0 -> "'" + base + "'";
                case 1 -> "\"" + base + "\"";
                case 2 -> subsetOnly ? base + " " : plain() + i;
                default -> base;
            };
        }

        private String inline(int depth, boolean flow) {
            int choice = depth > 3 ? 0 : random.nextInt(6);
            if (choice == 1) {
                List<String> items = new ArrayList<>();
                for (int i = 0; i < random.nextInt(4); i++) {
                    items.add(flow(depth + 1));
                }
                return "[" + String.join(", ", items) + "]";
            }
            if (choice == 2) {
                List<String> entries = new ArrayList<>();
                for (int i = 0; i < random.nextInt(4); i++) {
                    entries.add("f" + i + ": " + flow(depth + 1));
                }
                return "{" + String.join(", ", entries) + "}";
            }
            return scalar(flow);
        }

        private String flow(int depth) {
            return random.nextInt(4) == 0 && depth < 4 ? inline(depth, true) : scalar(true);
        }

        private String scalar(boolean flow) {
            String value = plain();
            int style = random.nextInt(3);
            if (style == 1) {
                return "'" + value.replace("'", "''") + "'";
            }
            if (style == 2 && (!subsetOnly || !value.contains("\"") && !value.contains("\\"))) {
                return "\"" + value + "\"";
            }
            if (subsetOnly && !plainSafe(value, flow)) {
                return "'" + value.replace("'", "''") + "'";
            }
            return value;
        }

        private String plain() {
            return SCALARS.get(random.nextInt(SCALARS.size()));
        }

        /** A value the fast reader reads as a plain scalar (what is left is quoted in subset-only streams). */
        private static boolean plainSafe(String value, boolean flow) {
            if (value.isEmpty() || value.startsWith(" ") || value.endsWith(" ") || value.contains(": ")
                    || value.contains(" #") || value.endsWith(":") || "-?:,[]{}#&*!|>'\"%@`".indexOf(value.charAt(0)) >= 0
                    && !(value.length() > 1 && "-?:".indexOf(value.charAt(0)) >= 0 && value.charAt(1) != ' ')) {
                return false;
            }
            return !flow || "?:".indexOf(value.charAt(0)) < 0 && value.chars().noneMatch(c -> ",?[]{}".indexOf(c) >= 0) && !value.matches(".*:[,\\[\\]{}].*");
        }
    }

    @Test
    void readsAGeneratedFleetTheFastWay() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            b.append("---\napiVersion: lattice.dev/v1alpha1\nkind: LatticeService\nmetadata: {name: svc-").append(i)
                    .append(", namespace: default}\nspec:\n  replicas: 2\n  containers:\n    main:\n      image: nginx:1.25\n")
                    .append("      resources: {requests: {cpu: 100m, memory: 128Mi}}\n  requirements:\n")
                    .append("    placement: 'cluster.labels[\"env\"] == \"prod\" && \"PCI\" in cluster.compliance'\n");
        }
        List<YamlLoader.Chunk> chunks = YamlLoader.split(b.toString(), 4096);
        assertThat(chunks).hasSizeGreaterThan(5);
        for (YamlLoader.Chunk chunk : chunks) {
            assertThat(sameAsEngine(chunk)).isPresent();
        }
    }
}
