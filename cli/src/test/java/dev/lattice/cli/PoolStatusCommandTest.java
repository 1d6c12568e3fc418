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

class PoolStatusCommandTest {
    static final String DC_CHICAGO = Examples.dir().resolve("dc-chicago").toString();

    @Test
    void showsUsedAndTotalLikeKubectl() {
        CliRun run = CliRun.of("pool", "status", "-f", DC_CHICAGO);
        assertThat(run.exitCode()).as(run.dump()).isZero();
        assertThat(run.out()).isEqualTo("""
                NAME         KIND         CORES      MEMORY        STORAGE   SPEND/BUDGET   CONDITIONS
                dc-chicago   StaticPool   780/2560   3120Gi/10Ti   0/100Ti   -              Ready
                """);
    }

    @Test
    void namedPoolsOnlyAndAnUnknownNameIsAnError() {
        String multi = Examples.dir().resolve("multi-pool").toString();
        CliRun all = CliRun.of("pool", "status", "-f", multi);
        assertThat(all.out()).contains("hv-pool-a", "hv-pool-b");
        CliRun one = CliRun.of("pool", "status", "hv-pool-b", "-f", multi);
        assertThat(one.exitCode()).as(one.dump()).isZero();
        assertThat(one.out()).contains("hv-pool-b").doesNotContain("hv-pool-a");
        CliRun unknown = CliRun.of("pool", "status", "hv-pool-z", "-f", multi);
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("no pool named hv-pool-z", "hv-pool-a").doesNotContain("\tat ");
        assertThat(unknown.out()).isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void warmPoolsAreShownBesideCapacityPoolsAndTheirHoldWithThem() {
        String warm = Examples.dir().resolve("warm-pool").toString();
        CliRun run = CliRun.of("pool", "status", "-f", warm);
        assertThat(run.exitCode()).as(run.dump()).isZero();
        assertThat(run.out()).isEqualTo("""
                NAME       KIND         CORES   MEMORY       STORAGE   SPEND/BUDGET   CONDITIONS
                lab-rack   StaticPool   24/96   96Gi/384Gi   -         -              Ready

                WARM POOL   POOL       SIZE   AVAILABLE   CLAIMED   RESETTING   PROVISIONING   ERROR   WAITING   CONDITIONS
                lab         lab-rack   3-5    -           -         -           -              -       -         -
                """);
        CliRun json = CliRun.of("pool", "status", "lab", "-o", "json", "-f", warm);
        Map<String, Object> data = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(json.out());
        assertThat((List<Object>) data.get("pools")).isEmpty();
        assertThat((List<Map<String, Object>>) data.get("warmPools")).singleElement().satisfies(w -> assertThat(w)
                .containsEntry("name", "lab").containsEntry("pool", "lab-rack").containsEntry("size", 3).containsEntry("maxSize", 5)
                .containsEntry("queue", List.of()).containsEntry("conditions", List.of()).doesNotContainKey("refused"));
    }

    @Test
    void aWarmPoolItsCapacityPoolCannotHoldIsShownRefused(@TempDir Path dir) throws Exception {
        Path small = dir.resolve("small.yaml");
        Files.writeString(small, Files.readString(Examples.dir().resolve("warm-pool/pool.yaml")).replace("cores: 96", "cores: 20"));
        CliRun run = CliRun.of("pool", "status", "-f", small.toString());
        assertThat(run.exitCode()).as(run.dump()).isZero();
        assertThat(run.err()).contains("small.yaml:21:9: refused: pool lab-rack cannot hold warm pool lab (3 clusters): needs 24 cores, 20 of 20 left");
        assertThat(run.out()).contains("lab         lab-rack   3-5    -           -         -           -              -       -         PoolRefused");
    }

    @Test
    void wideListsWhatEachClusterHolds() {
        CliRun run = CliRun.of("pool", "status", "-o", "wide", "-f", Examples.dir().resolve("aws-production").toString());
        assertThat(run.exitCode()).as(run.dump()).isZero();
        assertThat(run.out()).contains("aws-prod   CloudPool   -       -        -         $10298.84/$50000.00   Ready",
                "POOL       CLUSTER      CORES   MEMORY   STORAGE   MONTHLY", "aws-prod   production   260     1040Gi   300G      $10298.84");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theJsonIsTheContract() {
        CliRun run = CliRun.of("pool", "status", "-o", "json", "-f", DC_CHICAGO);
        Map<String, Object> data = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(run.out());
        Map<String, Object> dc = ((List<Map<String, Object>>) data.get("pools")).get(0);
        assertThat(dc).containsEntry("name", "dc-chicago").containsEntry("kind", "StaticPool");
        assertThat((Map<String, Object>) dc.get("capacity")).containsEntry("cores", 2560).containsEntry("memory", "10Ti");
        assertThat((Map<String, Object>) dc.get("used")).containsEntry("cores", 780).containsEntry("memory", "3120Gi");
        assertThat((Map<String, Object>) dc.get("available")).containsEntry("cores", 1780).containsEntry("memory", "7120Gi");
        assertThat((List<Map<String, Object>>) dc.get("allocatedTo")).first()
                .isEqualTo(Map.of("cluster", "prod-critical", "cores", 184, "memory", "736Gi"));
        assertThat((List<Map<String, Object>>) dc.get("conditions")).extracting(c -> c.get("type"), c -> c.get("status"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple("Ready", "True"),
                        org.assertj.core.groups.Tuple.tuple("CapacityPressure", "False"));
    }

    @Test
    void planRefusesAClusterThatDoesNotFitAndSaysWhere(@TempDir Path dir) throws Exception {
        Path analytics = dir.resolve("analytics.yaml");
        Files.writeString(analytics, """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: analytics}
                spec:
                  pool: dc-chicago
                  controlPlane: {replicas: 3, machineType: large}
                  workers: {replicas: 120, machineType: large}
                """);
        CliRun plan = CliRun.of("plan", "-o", "json", "-f", DC_CHICAGO, "-f", analytics.toString());
        assertThat(plan.exitCode()).as(plan.dump()).isEqualTo(3);
        assertThat(plan.err()).contains(analytics + ":5:9: pool dc-chicago cannot hold cluster analytics: needs 1968 cores, 1780 of 2560 left")
                .contains("error: 1 cluster does not fit its pool; nothing was changed");
        assertThat(plan.out()).contains("\"refusals\" : [", "\"pools\" : [");
        CliRun status = CliRun.of("pool", "status", "-f", DC_CHICAGO, "-f", analytics.toString());
        assertThat(status.exitCode()).as("status shows, it does not fail").isZero();
        assertThat(status.err()).contains("refused: pool dc-chicago cannot hold cluster analytics");
        CliRun json = CliRun.of("pool", "status", "-o", "yaml", "-f", DC_CHICAGO, "-f", analytics.toString());
        assertThat(json.out()).as("-o yaml carries the refusals the table prints on stderr")
                .contains("refused:\n  - cluster: analytics\n    pool: dc-chicago\n    file: " + analytics + "\n    line: 5\n    column: 9\n"
                        + "    message: 'pool dc-chicago cannot hold cluster analytics: needs 1968 cores, 1780 of 2560 left; needs 7872Gi");
    }

    @Test
    void withoutFilesAMissingKubeconfigIsAnError(@TempDir Path dir) {
        CliRun run = CliRun.of("pool", "status", "--kubeconfig", dir.resolve("none").toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("error: cannot read kubeconfig " + dir.resolve("none"));
    }
}
