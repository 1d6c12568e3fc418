package dev.lattice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.testfixtures.Examples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

class PlaceCommandTest {
    static final String DC_CHICAGO = Examples.dir().resolve("dc-chicago").toString();

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> placements(String json) {
        Map<String, Object> data = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(json);
        return (List<Map<String, Object>>) data.get("placements");
    }

    @Test
    void printsTheSeedsDecisionsAndExitsZero() {
        CliRun run = CliRun.of("place", "--dry-run", "-f", DC_CHICAGO);
        assertThat(run.exitCode()).as(run.dump()).isZero();
        assertThat(run.out()).startsWith("SERVICE       NAMESPACE   CLUSTER         SCORE   REASON\n")
                .contains("patient-api   default     prod-critical", "website       default     prod-general");
    }

    @Test
    void theJsonIsTheContractScriptsUse() {
        CliRun run = CliRun.of("place", "--dry-run", "-o", "json", "-f", DC_CHICAGO);
        Map<String, Object> website = placements(run.out()).stream()
                .filter(p -> p.get("service").equals("website")).findFirst().orElseThrow();
        assertThat(website).containsOnlyKeys("service", "namespace", "phase", "cluster", "score", "scores");
        assertThat(website).containsEntry("namespace", "default").containsEntry("phase", "Scheduled")
                .containsEntry("cluster", "prod-general");
        assertThat((Map<String, Object>) website.get("scores")).containsOnlyKeys("capacity", "locality", "cost");
    }

    @Test
    void anUnplaceableServiceExitsThreeAndSaysWhatToCreate(@TempDir Path dir) throws Exception {
        Path vault = dir.resolve("card-vault.yaml");
        Files.writeString(vault, """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeService
                metadata: {name: card-vault}
                spec:
                  containers: {main: {image: vault:1}}
                  requirements: {placement: "cluster.labels.compliance == 'pci'"}
                """);
        CliRun run = CliRun.of("place", "--dry-run", "-o", "json", "-f", DC_CHICAGO, "-f", vault.toString());
        assertThat(run.exitCode()).as(run.dump()).isEqualTo(3);
        Map<String, Object> p = placements(run.out()).stream()
                .filter(m -> m.get("service").equals("card-vault")).findFirst().orElseThrow();
        assertThat(p).containsEntry("phase", "Unschedulable").containsEntry("cluster", null)
                .containsEntry("reason", "NoMatchingCluster")
                .containsEntry("message", "No cluster with labels.compliance=pci (the rule failed on 2 of 3 clusters: "
                        + "the cluster has no \"compliance\" key (label))");
        CliRun table = CliRun.of("place", "--dry-run", "-f", DC_CHICAGO, "-f", vault.toString());
        assertThat(table.out()).contains("card-vault    default     -               -       NoMatchingCluster");
        CliRun plan = CliRun.of("plan", "-f", DC_CHICAGO, "-f", vault.toString());
        assertThat(plan.exitCode()).as("plan fails as place does").isEqualTo(3);
        assertThat(plan.out()).contains("NoMatchingCluster");
        assertThat(plan.err()).contains("error: 1 service could not be placed");
    }

    @Test
    void explainListsCandidatesAndRejections() {
        CliRun run = CliRun.of("place", "--dry-run", "--explain", "-o", "json", "-f", DC_CHICAGO);
        Map<String, Object> api = placements(run.out()).stream()
                .filter(p -> p.get("service").equals("patient-api")).findFirst().orElseThrow();
        assertThat((List<Map<String, Object>>) api.get("candidates")).extracting(c -> c.get("cluster")).containsExactly("prod-critical");
        assertThat((List<Map<String, Object>>) api.get("rejected")).extracting(c -> c.get("cluster"), c -> c.get("reason"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple("prod-general", "PlacementRuleFailed"),
                        org.assertj.core.groups.Tuple.tuple("staging", "PlacementRuleFailed"));
        CliRun table = CliRun.of("place", "--dry-run", "--explain", "-f", DC_CHICAGO);
        assertThat(table.out()).contains("default/patient-api: placed on prod-critical, the best of 1 candidate",
                "  not staging: the placement rule failed on this cluster: the cluster has no \"compliance\" key (label)");
    }

    @Test
    void theOutputIsByteIdenticalRunToRun() {
        String first = CliRun.of("place", "--dry-run", "--explain", "-o", "yaml", "-f", Examples.dir().toString()).out();
        for (int i = 0; i < 3; i++) {
            assertThat(CliRun.of("place", "--dry-run", "--explain", "-o", "yaml", "-f", Examples.dir().toString()).out()).isEqualTo(first);
        }
    }

    @Test
    void weightsAreFlagsAndMustNotBeNegative() {
        CliRun run = CliRun.of("place", "--dry-run", "--weight-cost", "-1", "-f", DC_CHICAGO);
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("error: score weights must be zero or more");
        CliRun zero = CliRun.of("place", "--dry-run", "--weight-capacity", "0", "--weight-locality", "0", "--weight-cost", "1",
                "-o", "json", "-f", DC_CHICAGO);
        assertThat(zero.exitCode()).as(zero.dump()).isZero();
    }

    @Test
    void invalidInputExitsOne(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeService
                metadata: {name: s}
                spec:
                  containers: {main: {image: x}}
                  requirements: {placement: "cluster.lables.tier == 'gold'"}
                """);
        CliRun run = CliRun.of("place", "--dry-run", "-f", bad.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith(bad + ":6:29: invalid placement rule: undefined field 'lables'");
    }
}
