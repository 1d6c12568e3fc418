package dev.lattice.core.parse;

import static dev.lattice.core.parse.ParserTest.POOL;
import static dev.lattice.core.parse.ParserTest.cluster;
import static dev.lattice.core.parse.ParserTest.parse;
import static dev.lattice.core.parse.ParserTest.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.CloudFixtures;
import dev.lattice.core.model.Condition;
import dev.lattice.core.model.LatticeService;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Input that looks valid but is not, and input built to cost: each refused with a located, short error. */
class HostileInputTest {

    /** The CloudPool aws, with a credentials reference to break. */
    static final String CLOUD_POOL = CloudFixtures.cloudPool("{monthly: 5000}", "  credentialsRef: {name: aws-creds}\n");

    static String service(String extra) {
        return """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeService
                metadata: {name: api}
                spec:
                  containers:
                    main:
                      image: nginx
                """ + extra.indent(2);
    }

    @Nested
    @DisplayName("values out of bounds")
    class Values {
        @Test
        void refusesANameLongerThanKubernetesAllows() {
            assertThat(problems(CLOUD_POOL.replace("name: aws-creds", "name: " + "a".repeat(300)))).singleElement().asString()
                    .startsWith("in.yaml:8:26: invalid name \"aaaa")
                    .contains("(300 characters)", "not a DNS-1123 subdomain: it is 300 characters long, at most 253 are allowed");
        }

        @Test
        void quotesOnlyAnExcerptOfAHugeValue() {
            String huge = "x".repeat(5 * 1024 * 1024);
            List<String> problems = problems(CLOUD_POOL.replace("name: aws-creds", "name: " + huge));
            assertThat(problems).singleElement().asString().hasSizeLessThan(400).contains("a string of 5242880 characters in spec.credentialsRef.name, at most 262144 are allowed");
            assertThat(problems(CLOUD_POOL.replace("name: aws-creds", "name: " + "x".repeat(60_000)))).singleElement().asString()
                    .hasSizeLessThan(400).contains("(60000 characters)");
        }

        @Test
        void refusesAnAmountOfMoneyNoBudgetHas() {
            assertThat(problems(CLOUD_POOL.replace("monthly: 5000", "monthly: 1e400"))).singleElement().asString()
                    .startsWith("in.yaml:6:21: number \"1e400\" is out of range");
            assertThat(problems(CLOUD_POOL.replace("monthly: 5000", "monthly: 2e12"))).singleElement().asString()
                    .contains("\"monthly\" must be between 0 and 1000000000000, got 2000000000000");
            assertThat(problems(CLOUD_POOL + "  pricing: {m5.large: 1e400, m5.xlarge: 0.0000000001, g5.xlarge: 2000000}\n"))
                    .containsExactly(
                            "in.yaml:9:23: number \"1e400\" is out of range\n  hint: amounts are at most 10^18 with at most 9 decimal places",
                            "in.yaml:9:41: number \"0.0000000001\" is out of range\n  hint: amounts are at most 10^18 with at most 9 decimal places",
                            "in.yaml:9:66: price of \"g5.xlarge\" is 2000000 USD an hour, more than 1000000\n  hint: prices are per machine and hour");
        }

        @Test
        void refusesAQuantityBeyondWhatKubernetesCounts() {
            assertThat(problems(POOL.replace("memory: 1Ti}", "memory: 3.4e38}"))).singleElement().asString()
                    .startsWith("in.yaml:7:34: quantity \"3.4e38\" is too large");
            assertThat(problems(POOL.replace("memory: 1Ti}", "memory: 3.4e38Mi}"))).singleElement().asString()
                    .startsWith("in.yaml:7:34: invalid quantity \"3.4e38Mi\"");
            assertThat(parse(POOL.replace("memory: 1Ti}", "memory: 7Ei}")).staticPools()).hasSize(1);
            assertThat(problems(POOL.replace("memory: 1Ti}", "memory: 8Ei}"))).singleElement().asString().contains("too large");
        }

        @Test
        void boundsReplicas() {
            assertThat(problems(cluster("nodes: {controlPlane: {replicas: 11}}"))).singleElement().asString()
                    .contains("\"replicas\" must be between 1 and 9, got 11");
            assertThat(problems(cluster("nodes:\n  controlPlane: 1\n  workerPools:\n    w: {replicas: 100000}"))).singleElement().asString()
                    .contains("\"replicas\" must be between 0 and 5000, got 100000");
            assertThat(problems(service("replicas: 1000000"))).singleElement().asString()
                    .contains("\"replicas\" must be between 0 and 100000, got 1000000");
        }

        @Test
        void refusesAPoolReferenceThatCannotNameAPool() {
            assertThat(problems(cluster("providerRef: Not_A_Pool\nnodes: {controlPlane: 1}"))).singleElement().asString()
                    .startsWith("in.yaml:6:16: invalid providerRef \"Not_A_Pool\": not a DNS-1123 label");
        }

        @Test
        void boundsEveryStringAndKey() {
            assertThat(problems(service("requirements: {placement: 'cluster.name == \"" + "a".repeat(9000) + "\"'}")))
                    .singleElement().asString().contains("\"placement\" is 9018 characters long, at most 8192 are allowed");
            String longKey = "k".repeat(600);
            assertThat(problems(CLOUD_POOL + "  pricing: {" + longKey + ": 1}\n")).singleElement().asString()
                    .contains("key \"kkkk").contains("is 600 characters long, at most 512 are allowed").hasSizeLessThan(400);
            assertThat(problems(service("").replace("image: nginx", "image: nginx\n      env: {BIG: \"" + "v".repeat(300_000) + "\"}")))
                    .singleElement().asString()
                    .contains("a string of 300000 characters in spec.containers.main.env.BIG, at most 262144 are allowed");
        }

        @Test
        void readsBackAnObjectKubectlAppliedWithItsWholeSelfInAnAnnotation() {
            String applied = "x".repeat(200_000);
            String pool = POOL.replace("  name: dc\n", "  name: dc\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '" + applied + "'\n");
            assertThat(parse(pool).staticPools().get(0).metadata().annotations()).containsKey("kubectl.kubernetes.io/last-applied-configuration");
        }

        @Test
        void refusesNumbersTheApiServerCannotHoldInFreeFormContent() {
            assertThat(problems(POOL + "  providerConfig: {x: 1e400, y: .nan}\n"))
                    .containsExactly(
                            "in.yaml:11:23: number \"1e400\" is out of range\n  hint: at most about 1.8e308, what the API server's JSON holds",
                            "in.yaml:11:33: number \".nan\" cannot be written as JSON\n  hint: the API server reads numbers as JSON; quote it if it is text");
        }

        @Test
        void keepsStatusMessagesWithinWhatItReadsBack() {
            String message = "m".repeat(Condition.MAX_MESSAGE + 100);
            LatticeService.Status status = new LatticeService.Status(null, null, null, message, List.of());
            assertThat(status.message()).hasSize(Condition.MAX_MESSAGE).endsWith(" ... (cut)");
            assertThat(new Condition("Ready", "False", "Why", message, null, null).message()).hasSize(Condition.MAX_MESSAGE);
        }
    }

    @Nested
    @DisplayName("cost while reading")
    class Cost {
        @Test
        void refusesDeepNestingWhileReadingEveryReader() {
            String block = cluster("nodes: {controlPlane: 1}") + "  providerConfig:\n"
                    + java.util.stream.IntStream.range(0, 10_000).mapToObj(i -> "  ".repeat(i + 2) + "k" + i + ":")
                            .collect(java.util.stream.Collectors.joining("\n")) + " x\n";
            String flow = cluster("nodes: {controlPlane: 1}") + "  providerConfig: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n";
            String json = "{\"kind\": \"StaticPool\", \"spec\": " + "[".repeat(10_000) + "]".repeat(10_000) + "}";
            assertThat(problems(block)).singleElement().asString().endsWith(": document nests more than 64 levels deep");
            assertThat(problems(flow)).singleElement().asString().endsWith(": document nests more than 64 levels deep");
            assertThat(read("in.json", json)).singleElement().asString().endsWith(": document nests more than 64 levels deep");
        }

        @Test
        void countsNodesWithoutBlamingAliases() {
            String many = cluster("nodes: {controlPlane: 1}") + "  providerConfig: [" + "a, ".repeat(1_100_000) + "a]\n";
            assertThat(problems(many)).singleElement().asString().endsWith(": document has more than 1000000 nodes");
            String json = "{\"kind\": \"StaticPool\", \"spec\": [" + "1, ".repeat(1_100_000) + "1]}";
            assertThat(read("in.json", json)).singleElement().asString().endsWith(": document has more than 1000000 nodes");
        }

        @Test
        void readsFlowStyleYamlThatStartsLikeJson() {
            String flow = "{apiVersion: lattice.dev/v1alpha1, kind: LatticeCluster, metadata: {name: b}, spec: {nodes: {controlPlane: 1}}}";
            assertThat(Parser.parse(List.of(new InputReader.Input("flow.yaml", flow))).clusters()).hasSize(1);
            assertThat(Parser.parse(List.of(new InputReader.Input("list.yaml", "{apiVersion: v1, kind: List, items: [" + flow + "]}")))
                    .clusters()).hasSize(1);
            assertThat(read("flow.yaml", "{kind: StaticPool, spec: [1, }"))
                    .singleElement().asString().startsWith("flow.yaml:1:30: YAML syntax error");
            assertThat(read("bad.json", "{kind: StaticPool}")).singleElement().asString().startsWith("bad.json:1:2: JSON syntax error");
        }

        private List<String> read(String name, String text) {
            InvalidInputException e = org.assertj.core.api.Assertions.catchThrowableOfType(InvalidInputException.class,
                    () -> Parser.parse(List.of(new InputReader.Input(name, text))));
            assertThat(e).as("input should have been refused").isNotNull();
            return e.problems().stream().map(Problem::render).toList();
        }
    }

    @Nested
    @DisplayName("input size")
    class Size {
        @TempDir
        Path dir;

        @Test
        void refusesAFileLargerThanTheBoundUnread() throws Exception {
            Path file = dir.resolve("big.yaml");
            Files.writeString(file, POOL + "#" + "x".repeat(2000) + "\n");
            InputReader.Limits limits = new InputReader.Limits(1000, "set LIMIT higher");
            assertThat(problemsReading(List.of(file.toString()), "", limits)).containsExactly(
                    file + ": input is larger than the 1000 bytes Lattice reads at once\n  hint: split the input, or set LIMIT higher");
        }

        @Test
        void boundsAllInputsTogetherAndStdin() throws Exception {
            Path a = Files.writeString(dir.resolve("a.yaml"), POOL);
            Path b = Files.writeString(dir.resolve("b.yaml"), POOL.replace("name: dc", "name: dc2"));
            InputReader.Limits limits = new InputReader.Limits(POOL.length() + 100, null);
            assertThat(problemsReading(List.of(a.toString(), b.toString(), "-"), POOL, limits)).containsExactly(
                    b + ": inputs together are larger than the " + (POOL.length() + 100) + " bytes Lattice reads at once\n  hint: split the input");
            assertThat(problemsReading(List.of("-"), POOL + "#" + "x".repeat(200), limits)).singleElement().asString()
                    .startsWith("<stdin>: input is larger than");
            assertThat(Parser.read(List.of(a.toString()), new ByteArrayInputStream(new byte[0]), limits).staticPools()).hasSize(1);
        }

        private List<String> problemsReading(List<String> args, String stdin, InputReader.Limits limits) {
            InvalidInputException e = org.assertj.core.api.Assertions.catchThrowableOfType(InvalidInputException.class,
                    () -> Parser.read(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), limits));
            assertThat(e).as("input should have been refused").isNotNull();
            return e.problems().stream().map(Problem::render).toList();
        }
    }
}
