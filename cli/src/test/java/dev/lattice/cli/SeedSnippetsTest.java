package dev.lattice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.testfixtures.Seeds;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** lattice plan takes the seed documents' own objects as they are written, each with the pools it names. */
class SeedSnippetsTest {

    static String[] plan(String... prefixes) {
        List<String> args = new ArrayList<>(List.of("plan"));
        for (Path file : Seeds.files()) {
            for (String prefix : prefixes) {
                if (file.getFileName().toString().startsWith(prefix)) {
                    args.add("-f");
                    args.add(file.toString());
                }
            }
        }
        return args.toArray(String[]::new);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"000-01 000-02 000-03 000-04", "000-05 000-06 000-07 000-08 000-09 000-10", "000-01 002-01", "003-"})
    void planTakesTheSeedsObjects(String group) {
        CliRun run = CliRun.of(plan(group.split(" ")));
        assertThat(run.err()).as(run.dump()).doesNotContain("error: invalid input");
        // Seed 003's workers name no machine size, so its service has nowhere to go: a placement result, not an input error.
        assertThat(run.exitCode()).as(run.dump()).isIn(0, 3);
        assertThat(run.out()).contains("LatticeCluster");
    }
}
