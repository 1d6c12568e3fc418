package dev.lattice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.cli.command.LatticeCommand;
import dev.lattice.testfixtures.Examples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class LatticeCommandTest {

    @Nested
    @DisplayName("lattice, --help and --version")
    class Top {
        @Test
        void helpListsEveryCommandAndTheExitCodes() {
            CliRun run = CliRun.of("--help");
            assertThat(run.exitCode()).as(run.dump()).isZero();
            assertThat(run.out()).contains("install", "uninstall", "plan", "place", "pool", "version")
                    .contains("0   success", "1   failure or invalid input", "2   usage error", "3   a placement could not be made");
        }

        @Test
        void versionNamesTheProduct() {
            CliRun run = CliRun.of("--version");
            assertThat(run.exitCode()).isZero();
            assertThat(run.out()).startsWith("lattice ").contains("(commit ", ", built ", "\njava " + System.getProperty("java.version"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"plan", "place", "install", "uninstall", "pool status", "version", "completion"})
        void everyCommandListsItsExitCodes(String command) {
            CliRun run = CliRun.of((command + " --help").split(" "));
            assertThat(run.out()).as(run.dump()).contains("Exit codes:", "0   success", "1   failure or invalid input", "2   usage error");
            boolean places = List.of("plan", "place", "install").contains(command);
            assertThat(run.out().contains("3   a placement could not be made")).as(command).isEqualTo(places);
        }

        @ParameterizedTest
        @ValueSource(strings = {"--help", "install --help", "pool --help", "pool status --help", "plna", "completion --help"})
        void aCommandLineBuildsOnlyWhatItRunsAndPrintsWhatTheWholeTreeWould(String commandLine) {
            // Main.run builds only the subcommand named on the line; the whole tree must print the same.
            String[] args = commandLine.split(" ");
            java.io.StringWriter out = new java.io.StringWriter();
            java.io.StringWriter err = new java.io.StringWriter();
            int code = Main.commandLine(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true)).execute(args);
            CliRun lazy = CliRun.of(args);
            assertThat(lazy.exitCode()).isEqualTo(code);
            assertThat(lazy.out()).isEqualTo(out.toString());
            assertThat(lazy.err()).isEqualTo(err.toString());
        }

        @Test
        void theCheckedInCommandListingIsTheCommandsOwn() throws Exception {
            Path listing = Examples.projectRoot().resolve("cli/src/main/resources" + LatticeCommand.LISTINGS);
            if (Boolean.getBoolean("lattice.update-listing")) {
                Files.writeString(listing, LatticeCommand.listingsText());
            }
            assertThat(listing).as("out of date: ./mvnw -pl cli test -Dtest=LatticeCommandTest -Dlattice.update-listing=true")
                    .hasContent(LatticeCommand.listingsText());
            assertThat(LatticeCommand.listings()).as("the build put it on the class path").containsKey("PlaceCommand.name");
        }

        @Test
        void theListingReadsBackAsTheDescriptionsWereWritten() {
            // Properties drops a value's leading blanks unless they are escaped (completion's indented lines have them).
            java.util.Properties read = LatticeCommand.listings();
            for (Class<?> type : LatticeCommand.SUBCOMMANDS) {
                String[] description = type.getAnnotation(picocli.CommandLine.Command.class).description();
                for (int i = 0; i < description.length; i++) {
                    assertThat(read.getProperty(type.getSimpleName() + ".description." + i)).as(type.getSimpleName() + " line " + i)
                            .isEqualTo(description[i]);
                }
            }
        }

        @Test
        void theHiddenCompletionHelperIsNotListed() {
            assertThat(CliRun.of("--help").out()).contains("completion").doesNotContain("__complete");
        }

        @ParameterizedTest
        @ValueSource(strings = {"install", "uninstall", "plan", "place", "pool", "pool status", "version", "completion"})
        void everyCommandHasHelp(String command) {
            String[] args = (command + " --help").split(" ");
            CliRun run = CliRun.of(args);
            assertThat(run.exitCode()).as(run.dump()).isZero();
            assertThat(run.out()).startsWith("Usage: lattice " + command);
            assertThat(run.err()).as("no picocli formatting warnings").isEmpty();
            assertThat(run.out().lines()).as("help fits 80 columns").allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
        }

        @Test
        void usageErrorsExitTwoWithoutAStackTrace() {
            CliRun run = CliRun.of("plan", "--no-such-flag", "-f", "x.yaml");
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).startsWith("error: Unknown option: '--no-such-flag'").doesNotContain("\tat ");
            CliRun typo = CliRun.of("plna");
            assertThat(typo.exitCode()).isEqualTo(2);
            assertThat(typo.err()).contains("plan");
        }
    }

    @Nested
    @DisplayName("install and uninstall refuse cleanly")
    class InstallRefusals {
        @Test
        void installWithoutDockerSaysSoAndWritesNothing(@TempDir Path dir) {
            String before = System.getProperty("DOCKER_HOST");
            System.setProperty("DOCKER_HOST", "unix:///nonexistent/docker.sock");
            try {
                Path out = dir.resolve("dev.kubeconfig");
                for (String bootstrap : List.of("kind", "k3s")) {
                    CliRun run = CliRun.of("install", "-f", Examples.dir().resolve("docker-laptop").toString(),
                            "--bootstrap", bootstrap, "--kubeconfig-out", out.toString());
                    assertThat(run.exitCode()).as(run.dump()).isEqualTo(1);
                    assertThat(run.err()).contains("error: the bootstrap cluster needs Docker, and no Docker engine answers at "
                            + "unix:///nonexistent/docker.sock", "--bootstrap-kubeconfig").doesNotContain("\tat ");
                    assertThat(out).doesNotExist();
                }
            } finally {
                if (before == null) {
                    System.clearProperty("DOCKER_HOST");
                } else {
                    System.setProperty("DOCKER_HOST", before);
                }
            }
        }

        @Test
        void aTimeoutMustBeADuration() {
            CliRun run = CliRun.of("install", "-f", Examples.dir().resolve("docker-laptop").toString(), "--timeout", "5 minutes");
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).contains("'5 minutes' is not a duration; write it as 90s, 30m or 1h30m");
        }

        @Test
        void uninstallNeedsAReadableKubeconfig() {
            CliRun run = CliRun.of("uninstall", "--kubeconfig", "/nonexistent/kubeconfig", "-y");
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).startsWith("error: cannot read kubeconfig /nonexistent/kubeconfig");
        }
    }

    @Nested
    @DisplayName("lattice plan")
    class Plan {
        static Stream<Path> exampleSets() {
            return Examples.sets().stream();
        }

        @ParameterizedTest
        @MethodSource("exampleSets")
        void acceptsEveryExampleSet(Path set) {
            CliRun run = CliRun.of("plan", "-f", set.toString());
            assertThat(run.exitCode()).as(run.dump()).isZero();
            // Warnings (a one-sided call in service-graph) may come first; the summary is the last line.
            assertThat(run.err().lines().reduce((a, b) -> b).orElse("")).startsWith("valid: ");
            assertThat(run.err()).doesNotContain("error");
        }

        @Test
        void acceptsAllExamplesTogether() {
            CliRun run = CliRun.of("plan", "-o", "json", "-f", Examples.dir().toString());
            assertThat(run.exitCode()).as(run.dump()).isZero();
            long files = Examples.files().size();
            assertThat(run.out()).contains("\"kind\" : \"StaticPool\"", "\"name\" : \"dc-chicago\"", "\"placements\" : [",
                    "\"message\" : \"cluster homelab: worker pool default has no known machine size, so it adds no capacity for placement\"");
            assertThat(Examples.files()).allSatisfy(f -> assertThat(run.out()).contains(f.toString()));
            assertThat(files).isGreaterThanOrEqualTo(10);
        }

        @Test
        void readsStdin() throws Exception {
            String pool = Files.readString(Examples.dir().resolve("dc-chicago/pool.yaml"));
            CliRun run = CliRun.withStdin(pool, "plan", "-o", "json", "-f", "-");
            assertThat(run.exitCode()).as(run.dump()).isZero();
            assertThat(run.out()).contains("\"file\" : \"<stdin>\"", "\"name\" : \"dc-chicago\"");
        }

        @Test
        void reportsEveryProblemLocatedAndExitsOne(@TempDir Path dir) throws Exception {
            Path file = dir.resolve("cluster.yaml");
            Files.writeString(file, """
                    apiVersion: lattice.dev/v1alpha1
                    kind: LatticeCluster
                    metadata:
                      name: prod
                      lables: {tier: critical}
                    spec:
                      pool: nowhere
                      nodes:
                        controlPlane: {replicas: 2}
                    """);
            CliRun run = CliRun.of("plan", "-f", file.toString());
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).isEqualTo(String.join("\n",
                    file + ":5:3: unknown field \"lables\" in metadata",
                    "  hint: did you mean \"labels\"?",
                    file + ":7:9: no pool named \"nowhere\" in the inputs",
                    "  hint: add the file that defines the StaticPool or CloudPool \"nowhere\" with another -f",
                    file + ":9:30: control-plane replicas must be odd so etcd keeps quorum, got 2",
                    "  hint: use 1 or 3",
                    "error: invalid input: 3 problems found; nothing was changed", ""));
        }

        @Test
        void showsAStackTraceOnlyWhenVerbose(@TempDir Path dir) throws Exception {
            Path file = dir.resolve("x.yaml");
            Files.writeString(file, "kind: Nope\n");
            assertThat(CliRun.of("plan", "-f", file.toString()).err()).doesNotContain("\tat ");
            CliRun verbose = CliRun.of("plan", "--verbose", "-f", file.toString());
            assertThat(verbose.exitCode()).isEqualTo(1);
            assertThat(verbose.err()).contains("InvalidInputException", "\tat ");
        }

        @Test
        void printsWarningsOnStderrAndInJson(@TempDir Path dir) throws Exception {
            String cluster = Files.readString(Examples.dir().resolve("docker-laptop/cluster.yaml"))
                    .replace("  name: dev\n", "  name: dev\n  namespace: team-a\n");
            Path file = dir.resolve("c.yaml");
            Files.writeString(file, cluster);
            CliRun run = CliRun.of("plan", "-o", "json", "-f", file.toString());
            assertThat(run.exitCode()).as(run.dump()).isZero();
            assertThat(run.err()).isEqualTo(file + ":7:3: warning: LatticeCluster is cluster-scoped; its namespace is ignored\n"
                    + "  hint: remove metadata.namespace\n");
            assertThat(run.out()).contains("\"message\" : \"LatticeCluster is cluster-scoped; its namespace is ignored\"");
        }

        @Test
        @SuppressWarnings("unchecked")
        void jsonGroupsTheCompiledObjectsByClusterAndLocatesOneSidedCalls() {
            String dir = Examples.dir().resolve("service-graph").toString();
            CliRun run = CliRun.of("plan", "-o", "json", "--trust-domain", "corp.example", "-f", dir);
            assertThat(run.exitCode()).as(run.dump()).isZero();
            Map<String, Object> data = (Map<String, Object>) new org.snakeyaml.engine.v2.api.Load(
                    org.snakeyaml.engine.v2.api.LoadSettings.builder().build()).loadFromString(run.out());
            List<Map<String, Object>> manifests = (List<Map<String, Object>>) data.get("manifests");
            assertThat(manifests).extracting(m -> m.get("cluster")).containsExactly("shop-general", "shop-pci");
            assertThat(manifests.get(1).get("services")).isEqualTo(List.of("shop/payment-service"));
            assertThat(manifests.get(1).get("objects").toString()).contains("kind=Deployment", "kind=CiliumNetworkPolicy",
                    "kind=AuthorizationPolicy", "kind=ServiceEntry", "corp.example/ns/shop/sa/auth-service");
            List<Map<String, Object>> warnings = (List<Map<String, Object>>) data.get("warnings");
            assertThat(warnings).singleElement().satisfies(w -> {
                assertThat(w.get("file").toString()).endsWith("services.yaml");
                assertThat(w.get("line")).isEqualTo(34);
                assertThat(w.get("message")).isEqualTo("api-gateway calls postgres, but postgres does not list api-gateway as inbound");
            });
            assertThat((List<Map<String, Object>>) data.get("edges")).anySatisfy(e -> assertThat(e)
                    .containsEntry("caller", "shop/auth-service").containsEntry("calleeCluster", "shop-pci")
                    .containsEntry("crossCluster", true));
            assertThat(run.err()).contains("services.yaml:34:5: warning: api-gateway calls postgres");
        }

        @Test
        void clusterOptionPrintsOneClustersObjects() {
            String dir = Examples.dir().resolve("service-graph").toString();
            CliRun run = CliRun.of("plan", "-o", "yaml", "--cluster", "shop-pci", "-f", dir);
            assertThat(run.exitCode()).as(run.dump()).isZero();
            assertThat(run.out()).startsWith("# cluster shop-pci: 1 service, 10 objects\n").doesNotContain("# cluster shop-general",
                    "name: api-gateway\n");
            CliRun unknown = CliRun.of("plan", "--cluster", "shop-pcj", "-f", dir);
            assertThat(unknown.exitCode()).isEqualTo(2);
            assertThat(unknown.err()).contains("no LatticeCluster named shop-pcj among the inputs; the clusters are: shop-general, shop-pci");
        }

        @Test
        void tableSummarisesServicesPerClusterAndEdges() {
            CliRun run = CliRun.of("plan", "-f", Examples.dir().resolve("service-graph").toString());
            assertThat(run.out()).contains("shop-general   6          27", "shop-pci       1          10",
                    "shop/auth-service      shop/payment-service   shop-general -> shop-pci",
                    "4 agreed edges (2 cross-cluster), 1 agreed external call, 1 one-sided declaration");
        }

        @Test
        @SuppressWarnings("unchecked")
        void yamlIsTheJsonManifestsAsDocumentsForKubectl() {
            String dir = Examples.dir().resolve("service-graph").toString();
            String json = CliRun.of("plan", "-o", "json", "-f", dir).out();
            String yaml = CliRun.of("plan", "-o", "yaml", "-f", dir).out();
            org.snakeyaml.engine.v2.api.Load load = new org.snakeyaml.engine.v2.api.Load(
                    org.snakeyaml.engine.v2.api.LoadSettings.builder().build());
            Map<String, Object> data = (Map<String, Object>) load.loadFromString(json);
            List<Object> objects = new java.util.ArrayList<>();
            for (Map<String, Object> m : (List<Map<String, Object>>) data.get("manifests")) {
                objects.addAll((List<Object>) m.get("objects"));
            }
            List<Object> documents = new java.util.ArrayList<>();
            load.loadAllFromString(yaml).forEach(documents::add);
            assertThat(objects).hasSizeGreaterThan(20);
            assertThat(documents).isEqualTo(objects);
            assertThat(yaml).startsWith("# cluster shop-general: 6 services, ")
                    .contains("\n# cluster shop-pci: 1 service, ").doesNotContain("&id", "*id");
        }
    }
}
