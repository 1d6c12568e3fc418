package dev.lattice.core.capacity;

import static dev.lattice.core.CloudFixtures.awsCluster;
import static dev.lattice.core.CloudFixtures.cloudPool;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.capacity.PoolAccounting.Allocation;
import dev.lattice.core.capacity.PoolAccounting.Ledger;
import dev.lattice.core.capacity.PoolAccounting.PoolLedger;
import dev.lattice.core.model.Condition;
import dev.lattice.core.model.Quantity;
import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Parser;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PoolAccountingTest {

    static Ledger account(String... docs) {
        return PoolAccounting.account(Parser.parse(List.of(new InputReader.Input("in.yaml", String.join("---\n", docs)))));
    }

    static PoolLedger pool(Ledger ledger, String name) {
        return ledger.pools().stream().filter(p -> p.pool().name().equals(name)).findFirst().orElseThrow();
    }

    static String condition(PoolLedger pool, String type) {
        return pool.conditions().stream().filter(c -> c.type().equals(type)).map(Condition::status).findFirst().orElseThrow();
    }

    static String staticPool(String name, int cores, String memory, String extra) {
        return """
                apiVersion: lattice.dev/v1alpha1
                kind: StaticPool
                metadata: {name: NAME}
                spec:
                  provider: openstack
                  capacity: {cores: CORES, memory: MEMORY, storage: 10T}
                  machineTypes: [{name: m, cores: 8, memory: 32Gi}]
                """.replace("NAME", name).replace("CORES", String.valueOf(cores)).replace("MEMORY", memory) + extra;
    }

    static String cluster(String name, String pool, String workers) {
        return """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: NAME}
                spec:
                  pool: POOL
                  controlPlane: {replicas: 1, machineType: m}
                  nodes:
                    workerPools:
                WORKERS""".replace("NAME", name).replace("POOL", pool).replace("WORKERS", workers.indent(6));
    }

    @Nested
    @DisplayName("the seed's dc-chicago example")
    class Seed {
        Ledger ledger() throws Exception {
            List<InputReader.Input> texts = new ArrayList<>();
            for (String f : List.of("pool.yaml", "clusters.yaml")) {
                texts.add(new InputReader.Input(f, Files.readString(Path.of("..", "examples", "dc-chicago", f))));
            }
            return PoolAccounting.account(Parser.parse(texts));
        }

        @Test
        void allocatesWhatTheSeedSays() throws Exception {
            PoolLedger dc = pool(ledger(), "dc-chicago");
            assertThat(dc.allocatedTo()).extracting(Allocation::cluster, Allocation::cores, a -> a.memory().toString())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("prod-critical", 184L, "736Gi"),
                            org.assertj.core.groups.Tuple.tuple("prod-general", 504L, "2016Gi"),
                            org.assertj.core.groups.Tuple.tuple("staging", 92L, "368Gi"));
            assertThat(dc.usedCores()).isEqualTo(780);
            assertThat(dc.usedMemory()).hasToString("3120Gi");
            assertThat(condition(dc, "Ready")).isEqualTo("True");
            assertThat(condition(dc, "CapacityPressure")).isEqualTo("False");
        }

        @Test
        void refusesAClusterThatOverflowsThePool() throws Exception {
            String analytics = """
                    apiVersion: lattice.dev/v1alpha1
                    kind: LatticeCluster
                    metadata: {name: analytics}
                    spec:
                      pool: dc-chicago
                      controlPlane: {replicas: 3, machineType: large}
                      workers: {replicas: 120, machineType: large}
                    """;
            List<InputReader.Input> texts = new ArrayList<>();
            for (String f : List.of("pool.yaml", "clusters.yaml")) {
                texts.add(new InputReader.Input(f, Files.readString(Path.of("..", "examples", "dc-chicago", f))));
            }
            texts.add(new InputReader.Input("analytics.yaml", analytics));
            Ledger ledger = PoolAccounting.account(Parser.parse(texts));
            assertThat(ledger.refusals()).singleElement().satisfies(r -> {
                assertThat(r.message()).isEqualTo("pool dc-chicago cannot hold cluster analytics: needs 1968 cores, 1780 of 2560 left;"
                        + " needs 7872Gi of memory, 7120Gi of 10Ti left");
                assertThat(r.location()).hasToString("analytics.yaml:5:9");
            });
            assertThat(pool(ledger, "dc-chicago").usedCores()).as("a refused cluster takes nothing").isEqualTo(780);
        }
    }

    @Test
    void aRefusedClusterLeavesRoomForALaterOne() {
        Ledger ledger = account(staticPool("p", 100, "1Ti", ""),
                cluster("big", "p", "w: {replicas: 20, machineType: m}"),
                cluster("small", "p", "w: {replicas: 2, machineType: m}"));
        assertThat(ledger.refusals()).extracting(PoolAccounting.Refusal::cluster).containsExactly("big");
        assertThat(pool(ledger, "p").allocatedTo()).extracting(Allocation::cluster).containsExactly("small");
    }

    @Test
    void anAutoscaledPoolReservesItsMax() {
        Ledger ledger = account(staticPool("p", 1000, "10Ti", ""),
                cluster("c", "p", "w: {min: 1, max: 9, machineType: m}"));
        assertThat(pool(ledger, "p").usedCores()).isEqualTo(8 + 9 * 8);
    }

    @Test
    void aClusterDrawsOnEachPoolItsPartsName() {
        Ledger ledger = account(staticPool("a", 1000, "10Ti", ""), staticPool("b", 1000, "10Ti", ""),
                cluster("c", "a", "w1: {replicas: 2, machineType: m}\nw2: {replicas: 5, machineType: m, pool: b}"));
        assertThat(pool(ledger, "a").usedCores()).isEqualTo(8 + 2 * 8);
        assertThat(pool(ledger, "b").usedCores()).isEqualTo(5 * 8);
        assertThat(pool(ledger, "b").allocatedTo()).extracting(Allocation::cluster).containsExactly("c");
    }

    @Test
    void aClusterOneOfWhosePoolsCannotHoldItTakesNothingFromAny() {
        Ledger ledger = account(staticPool("a", 1000, "10Ti", ""), staticPool("b", 10, "10Ti", ""),
                cluster("c", "a", "w1: {replicas: 2, machineType: m}\nw2: {replicas: 5, machineType: m, pool: b}"));
        assertThat(ledger.refusals()).extracting(PoolAccounting.Refusal::pool).containsExactly("b");
        assertThat(pool(ledger, "a").usedCores()).isZero();
    }

    @Test
    void countsRootVolumesAgainstStorage() {
        Ledger ledger = account(staticPool("p", 1000, "10Ti", ""),
                cluster("c", "p", "w: {replicas: 4, machineType: m, rootVolume: {sizeGb: 500}}"),
                cluster("d", "p", "w: {replicas: 20, machineType: m, rootVolume: {sizeGb: 500}}"));
        assertThat(pool(ledger, "p").usedStorage()).isEqualTo(Quantity.parse("2T"));
        assertThat(ledger.refusals()).singleElement().extracting(PoolAccounting.Refusal::message)
                .isEqualTo("pool p cannot hold cluster d: needs 10T of storage, 8T of 10T left");
    }

    @Test
    void aDedicatedPoolServesOneCluster() {
        Ledger ledger = account(staticPool("p", 1000, "10Ti", "  sharing: Dedicated\n"),
                cluster("first", "p", "w: {replicas: 1, machineType: m}"),
                cluster("second", "p", "w: {replicas: 1, machineType: m}"));
        assertThat(ledger.refusals()).singleElement().extracting(PoolAccounting.Refusal::message)
                .isEqualTo("pool p is Dedicated to cluster first; cluster second cannot share it");
    }

    @Test
    void pressureStartsAtTheDocumentedThreshold() {
        // 80 of 100 cores used (control plane 8 + 9 workers x 8) is pressure; 72 is not.
        assertThat(condition(pool(account(staticPool("p", 100, "10Ti", ""), cluster("c", "p", "w: {replicas: 9, machineType: m}")), "p"),
                "CapacityPressure")).isEqualTo("True");
        assertThat(condition(pool(account(staticPool("p", 100, "10Ti", ""), cluster("c", "p", "w: {replicas: 8, machineType: m}")), "p"),
                "CapacityPressure")).isEqualTo("False");
    }

    @Nested
    @DisplayName("cloud pools")
    class Cloud {
        @Test
        void pricesFromTheCatalogueAndTheOverride() {
            // m5.xlarge is $0.192/h in the catalogue: 4 nodes x 0.192 x 730 = 560.64.
            PoolLedger catalogue = pool(account(cloudPool("{monthly: 10000}", ""), awsCluster("c", "m5.xlarge", 3)), "aws");
            assertThat(catalogue.projectedSpend()).isEqualByComparingTo("560.64");
            assertThat(catalogue.usedCores()).isEqualTo(16);
            PoolLedger override = pool(account(cloudPool("{monthly: 10000}", "  pricing: {m5.xlarge: 0.25}\n"),
                    awsCluster("c", "m5.xlarge", 3)), "aws");
            assertThat(override.projectedSpend()).isEqualByComparingTo("730.00");
            assertThat(override.allocatedTo()).singleElement().extracting(Allocation::monthlyCost)
                    .isEqualTo(new BigDecimal("730.00"));
        }

        @Test
        void warnsFromAlertAtExactly() {
            // $730 projected: 73% of 1000; alertAt 73 warns, 74 does not.
            String pricing = "  pricing: {m5.xlarge: 0.25}\n";
            assertThat(condition(pool(account(cloudPool("{monthly: 1000, alertAt: 73}", pricing), awsCluster("c", "m5.xlarge", 3)), "aws"),
                    "BudgetWarning")).isEqualTo("True");
            assertThat(condition(pool(account(cloudPool("{monthly: 1000, alertAt: 74}", pricing), awsCluster("c", "m5.xlarge", 3)), "aws"),
                    "BudgetWarning")).isEqualTo("False");
        }

        @Test
        void aHardLimitRefusesOnlyWhatGoesOverTheBudget() {
            String pricing = "  pricing: {m5.xlarge: 0.25}\n";
            Ledger atBudget = account(cloudPool("{monthly: 730, hardLimit: true}", pricing), awsCluster("c", "m5.xlarge", 3));
            assertThat(atBudget.refusals()).isEmpty();
            Ledger over = account(cloudPool("{monthly: 729.99, hardLimit: true}", pricing), awsCluster("c", "m5.xlarge", 3));
            assertThat(over.refusals()).singleElement().extracting(PoolAccounting.Refusal::message)
                    .isEqualTo("pool aws cannot hold cluster c: its $730.00/month would bring projected spend to $730.00,"
                            + " over the $729.99 monthly budget (hardLimit)");
            Ledger soft = account(cloudPool("{monthly: 100}", pricing), awsCluster("c", "m5.xlarge", 3));
            assertThat(soft.refusals()).as("without hardLimit, overage only warns").isEmpty();
            assertThat(condition(pool(soft, "aws"), "BudgetWarning")).isEqualTo("True");
        }
    }

    @Nested
    @DisplayName("first come, first served")
    class Order {
        /** The cluster of {@link #cluster} created at {@code time} (RFC 3339), as the API server writes it. */
        String created(String name, String time) {
            return cluster(name, "dc", "w: {replicas: 1, machineType: m}")
                    .replace("metadata: {name: " + name + "}", "metadata: {name: " + name + ", creationTimestamp: '" + time + "'}");
        }

        @Test
        void aNewerClusterNeverPushesOutAnOlderOneWhateverTheirNames() {
            // 24 cores hold one 16-core cluster; "aaa" sorts first and comes first in the file, but arrived later.
            Ledger ledger = account(staticPool("dc", 24, "1Ti", ""), created("aaa", "2026-03-02T10:00:00Z"),
                    created("zzz", "2026-03-01T10:00:00Z"));
            assertThat(pool(ledger, "dc").allocatedTo()).extracting(Allocation::cluster).containsExactly("zzz");
            assertThat(ledger.refusals()).extracting(PoolAccounting.Refusal::cluster).containsExactly("aaa");
        }

        @Test
        void clustersCreatedInTheSameSecondGoByName() {
            Ledger ledger = account(staticPool("dc", 24, "1Ti", ""), created("b", "2026-03-01T10:00:00Z"),
                    created("a", "2026-03-01T10:00:00Z"));
            assertThat(pool(ledger, "dc").allocatedTo()).extracting(Allocation::cluster).containsExactly("a");
        }

        @Test
        void clustersWithoutTimestampsKeepFileOrderAfterTheCreatedOnes() {
            Ledger ledger = account(staticPool("dc", 40, "1Ti", ""), cluster("zz", "dc", "w: {replicas: 1, machineType: m}"),
                    cluster("aa", "dc", "w: {replicas: 1, machineType: m}"), created("mm", "2026-03-01T10:00:00Z"));
            assertThat(pool(ledger, "dc").allocatedTo()).extracting(Allocation::cluster).containsExactly("mm", "zz");
            assertThat(ledger.refusals()).extracting(PoolAccounting.Refusal::cluster).containsExactly("aa");
        }

        @Test
        void aTimestampThatIsNotRfc3339IsALocatedError() {
            assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(() -> account(staticPool("dc", 48, "1Ti", ""),
                    created("a", "yesterday")), dev.lattice.core.parse.InvalidInputException.class).problems())
                    .anySatisfy(p -> assertThat(p.render()).startsWith("in.yaml:").contains("creationTimestamp must be an RFC 3339 time"));
        }
    }

    @Nested
    @DisplayName("warm pools")
    class WarmPools {
        static String warmPool(String name, int size, String extra) {
            return """
                    apiVersion: lattice.dev/v1alpha1
                    kind: WarmPool
                    metadata: {name: NAME}
                    spec:
                      size: SIZE
                      pool: p
                      template:
                        nodes:
                          controlPlane: {replicas: 1, instanceType: m}
                          workerPools: {w: {replicas: 1, instanceType: m}}
                    """.replace("NAME", name).replace("SIZE", String.valueOf(size)) + extra;
        }

        static String member(String name, String warmPool) {
            return cluster(name, "p", "w: {replicas: 1, machineType: m}")
                    .replace("metadata: {name: " + name + "}", "metadata: {name: " + name + ", labels: {lattice.dev/warm-pool: " + warmPool + "}}");
        }

        @Test
        void aWarmPoolHoldsItsSizeInClustersBeforeAnyIsMade() {
            Ledger ledger = account(staticPool("p", 1000, "10Ti", ""), warmPool("lab", 3, ""));
            assertThat(pool(ledger, "p").usedCores()).isEqualTo(3 * (8 + 8));
            assertThat(pool(ledger, "p").allocatedTo()).extracting(Allocation::cluster).containsExactly("WarmPool/lab");
        }

        @Test
        void itsFirstSizeClustersDrawOnThatAndAnyMoreOnTheirOwn() {
            Ledger ledger = account(staticPool("p", 1000, "10Ti", ""), warmPool("lab", 2, ""),
                    member("lab-a", "lab"), member("lab-b", "lab"), member("lab-burst", "lab"));
            assertThat(pool(ledger, "p").allocatedTo()).extracting(Allocation::cluster).containsExactly("WarmPool/lab", "lab-burst");
            assertThat(pool(ledger, "p").usedCores()).isEqualTo(3 * 16);
        }

        @Test
        void aWarmPoolThatWouldNotFitIsRefusedWholeWithTheUsualMessage() {
            Ledger ledger = account(staticPool("p", 40, "10Ti", ""), warmPool("lab", 3, ""));
            assertThat(ledger.refusals()).singleElement().satisfies(r -> {
                assertThat(r.cluster()).isEqualTo("WarmPool/lab");
                assertThat(r.message()).isEqualTo("pool p cannot hold warm pool lab (3 clusters): needs 48 cores, 40 of 40 left");
                assertThat(r.location()).hasToString("in.yaml:14:9");
            });
            assertThat(pool(ledger, "p").usedCores()).as("a refused warm pool takes nothing").isZero();
        }
    }
}
