package dev.lattice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Parser;
import dev.lattice.core.plan.Plan;
import dev.lattice.core.plan.Planner;
import dev.lattice.testfixtures.Examples;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * plan, place --dry-run and install --dry-run make their answers with the one Planner: from the same files, the same
 * plan, named by the same digest (the daemon's side: DaemonIT, against the same objects in an API server).
 */
class OnePlanTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Path> sets() {
        return Examples.sets().stream();
    }

    @ParameterizedTest
    @MethodSource("sets")
    void everyEntryPointComesToTheSamePlan(Path set) throws Exception {
        Inputs inputs = Parser.read(List.of(set.toString()), new ByteArrayInputStream(new byte[0]));
        Plan expected = Planner.defaults().plan(inputs);
        List<JsonNode> digests = new ArrayList<>();
        digests.add(digests(CliRun.of("plan", "-f", set.toString(), "-o", "json")));
        digests.add(digests(CliRun.of("place", "--dry-run", "-f", set.toString(), "-o", "json")));
        for (LatticeCluster cluster : inputs.clusters()) {
            digests.add(digests(CliRun.of("install", "--dry-run", "-f", set.toString(), "--name", cluster.name(), "-o", "json")));
        }
        assertThat(digests).hasSizeGreaterThanOrEqualTo(2).allSatisfy(d -> {
            assertThat(d.get("decisions").asText()).isEqualTo(expected.digest()).matches("sha256:[0-9a-f]{64}");
            if (d.has("objects")) {
                assertThat(d.get("objects").asText()).isEqualTo(expected.objectsDigest());
            }
        });
        // place needs no compiled objects, so it names only the decisions; plan and install name both.
        assertThat(digests).filteredOn(d -> d.has("objects")).hasSize(digests.size() - 1);
    }

    /** A hash map's order changes from one JVM to the next; the output must not, so the digests come in one order. */
    @ParameterizedTest
    @MethodSource("sets")
    void namesItsDigestsInOneOrder(Path set) {
        CliRun run = CliRun.of("plan", "-f", set.toString(), "-o", "json");
        assertThat(run.exitCode()).as(run.err()).isIn(0, 3);
        assertThat(run.out()).containsSubsequence("\"decisions\"", "\"objects\"");
    }

    /** The sets where services are placed on clusters, so that weights change the answer. */
    static Stream<Path> placingSets() {
        return sets().filter(set -> {
            Inputs inputs = Parser.read(List.of(set.toString()), new ByteArrayInputStream(new byte[0]));
            return !inputs.services().isEmpty() && !inputs.clusters().isEmpty();
        });
    }

    @ParameterizedTest
    @MethodSource("placingSets")
    void anotherAnswerHasAnotherDigest(Path set) throws Exception {
        assertThat(digest(CliRun.of("place", "--dry-run", "-f", set.toString(), "-o", "json", "--weight-capacity", "0.5")))
                .isNotEqualTo(digest(CliRun.of("place", "--dry-run", "-f", set.toString(), "-o", "json")));
    }

    private static JsonNode digests(CliRun run) throws Exception {
        assertThat(run.exitCode()).as(run.err()).isIn(0, 3);
        return JSON.readTree(run.out()).get("plan");
    }

    private static String digest(CliRun run) throws Exception {
        return digests(run).get("decisions").asText();
    }
}
