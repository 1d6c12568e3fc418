package dev.lattice.core.placement;

import static dev.lattice.core.CloudFixtures.awsCluster;
import static dev.lattice.core.CloudFixtures.cloudPool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Parser;
import dev.lattice.core.parse.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SolverTest {

    static Inputs parse(String... docs) {
        return Parser.parse(List.of(new InputReader.Input("in.yaml", String.join("---\n", docs))));
    }

    static Solver.Result solve(String... docs) {
        return new Solver(Weights.DEFAULT, true).solve(parse(docs));
    }

    static Map<String, Placement> byService(Solver.Result result) {
        return result.placements().stream().collect(Collectors.toMap(Placement::service, p -> p));
    }

    static String pool(String name, String extra) {
        return """
                apiVersion: lattice.dev/v1alpha1
                kind: StaticPool
                metadata: {name: NAME}
                spec:
                  provider: openstack
                  capacity: {cores: 100000, memory: 1000Ti}
                  machineTypes: [{name: m, cores: 4, memory: 16Gi}]
                """.replace("NAME", name) + extra;
    }

    /** A cluster of {@code workers} 4-core/16Gi workers on pool dc. */
    static String cluster(String name, int workers, String labels, String policies) {
        return """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: NAME, labels: {LABELS}}
                spec:
                  pool: dc
                  controlPlane: {replicas: 1, machineType: m}
                  workers: {replicas: WORKERS, machineType: m}
                  policies: {POLICIES}
                """.replace("NAME", name).replace("WORKERS", String.valueOf(workers))
                .replace("LABELS", labels).replace("POLICIES", policies);
    }

    static String service(String name, String cpu, String rule, String resources) {
        return """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeService
                metadata: {name: NAME}
                spec:
                  containers: {main: {image: x, resources: {requests: {cpu: "CPU", memory: 1Gi}}}}
                  resources: {RESOURCES}
                """.replace("NAME", name).replace("CPU", cpu).replace("RESOURCES", resources)
                + (rule == null ? "" : "  requirements: {placement: \"" + rule + "\"}\n");
    }

    @Nested
    @DisplayName("the seed's example")
    class Seed {
        Inputs dcChicago(String... extra) throws Exception {
            Path dir = Path.of("..", "examples", "dc-chicago");
            List<InputReader.Input> texts = new ArrayList<>();
            for (String f : List.of("pool.yaml", "clusters.yaml", "services.yaml")) {
                texts.add(new InputReader.Input(f, Files.readString(dir.resolve(f))));
            }
            for (String e : extra) {
                texts.add(new InputReader.Input("extra.yaml", e));
            }
            return Parser.parse(texts);
        }

        @Test
        void patientApiGoesToTheOnlyHipaaCluster() throws Exception {
            Map<String, Placement> p = byService(new Solver(Weights.DEFAULT, false).solve(dcChicago()));
            assertThat(p.get("patient-api").cluster()).isEqualTo("prod-critical");
        }

        @Test
        void websiteGoesToTheClusterWithTheMostCapacity() throws Exception {
            Map<String, Placement> p = byService(new Solver(Weights.DEFAULT, false).solve(dcChicago()));
            assertThat(p.get("website").cluster()).isEqualTo("prod-general");
            assertThat(p.get("website").scores().capacity()).isEqualTo(1.0);
        }

        @Test
        void aServiceNoClusterMatchesIsUnschedulableWithTheSeedsMessage() throws Exception {
            String cardVault = service("card-vault", "100m", "cluster.labels.compliance == 'pci'", "");
            Placement p = byService(new Solver(Weights.DEFAULT, false).solve(dcChicago(cardVault))).get("card-vault");
            assertThat(p.phase()).isEqualTo(Placement.Phase.Unschedulable);
            assertThat(p.reason()).isEqualTo("NoMatchingCluster");
            assertThat(p.message()).startsWith("No cluster with labels.compliance=pci");
            assertThat(p.cluster()).isNull();
        }
    }

    @Nested
    @DisplayName("hard constraints")
    class Constraints {
        @Test
        void aServiceGoesOnlyWhereItsDemandFits() {
            // 3 replicas x 3 cores = 9 cores: the big cluster (4 workers, 16 cores) fits, the small (2 workers, 8) does not.
            String big = service("big", "3", null, "").replace("containers:", "replicas: 3\n  containers:");
            Solver.Result r = solve(pool("dc", ""), cluster("small", 2, "", ""), cluster("large", 4, "", ""), big);
            assertThat(byService(r).get("big").cluster()).isEqualTo("large");
            assertThat(byService(r).get("big").rejected()).extracting(Placement.Rejection::cluster, Placement.Rejection::reason)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("small", "InsufficientCapacity"));
        }

        @Test
        void capacityIsUsedUpAsServicesAreAssigned() {
            // One worker, 4 cores, 1.3 of them asked for by the mesh and monitoring add-ons: two 2-core services cannot both fit.
            Solver.Result r = solve(pool("dc", ""), cluster("one", 1, "", ""),
                    service("a", "2", null, ""), service("b", "2", null, ""));
            assertThat(byService(r).get("a").cluster()).isEqualTo("one");
            Placement b = byService(r).get("b");
            assertThat(b.reason()).isEqualTo("InsufficientCapacity");
            assertThat(b.message()).isEqualTo("Needs 2 CPU and 1Gi for 1 replicas; the roomiest matching cluster, one, "
                    + "has 700m CPU and 11700Mi free. Add workers to a cluster with free capacity");
        }

        @Test
        void aServiceAskingForGpusGoesOnlyWhereTheDevicePluginOffersEnoughOfThem() {
            String gpuPool = pool("dc", "").replace("machineTypes: [{name: m, cores: 4, memory: 16Gi}]",
                    "machineTypes: [{name: m, cores: 4, memory: 16Gi}, {name: g, cores: 8, memory: 32Gi, gpus: 1}]");
            // plain has the most room but no GPU; dark has GPU machines but not gpu: true, so nothing offers them.
            String plain = cluster("plain", 10, "", "");
            String dark = cluster("dark", 4, "", "").replace("workers: {replicas: 4, machineType: m}", "workers: {replicas: 4, machineType: g}");
            String lit = cluster("lit", 2, "", "").replace("workers: {replicas: 2, machineType: m}", "workers: {replicas: 2, machineType: g}")
                    .replace("  policies:", "  gpu: true\n  policies:");
            String trainer = service("trainer", "1", null, "").replace("requests: {cpu: \"1\", memory: 1Gi}",
                    "requests: {cpu: \"1\", memory: 1Gi, nvidia.com/gpu: 1}").replace("spec:\n", "spec:\n  replicas: 2\n");
            Solver.Result r = solve(gpuPool, plain, dark, lit, trainer, service("web", "1", null, ""));
            assertThat(byService(r).get("trainer").cluster()).isEqualTo("lit");
            assertThat(byService(r).get("trainer").rejected()).extracting(Placement.Rejection::cluster, Placement.Rejection::reason)
                    .contains(tuple("plain", Placement.INSUFFICIENT_GPUS), tuple("dark", Placement.INSUFFICIENT_GPUS));
            assertThat(byService(r).get("web").cluster()).isEqualTo("plain");

            // Three replicas need three GPUs; lit has two.
            Placement tooMany = byService(solve(gpuPool, plain, dark, lit, trainer.replace("replicas: 2", "replicas: 3"))).get("trainer");
            assertThat(tooMany.reason()).isEqualTo(Placement.INSUFFICIENT_GPUS);
            assertThat(tooMany.message()).isEqualTo("Needs 3 GPUs (nvidia.com/gpu) for 3 replicas; the most a matching cluster has "
                    + "free is 2, on lit. Add GPU workers");
            // The GPUs one service holds are not another's.
            Placement second = byService(solve(gpuPool, lit, trainer, trainer.replace("name: trainer", "name: tuner"))).get("tuner");
            assertThat(second.reason()).isEqualTo(Placement.INSUFFICIENT_GPUS);
        }

        @Test
        void anAutoscaledServiceGoesWhereKedaRunsWithRoomForItsMostReplicas() {
            String scaled = service("api", "1", null, "").replace("spec:\n", "spec:\n  autoscaling: {min: 1, max: MAX, cpu: 70}\n");
            String quiet = cluster("quiet", 10, "", "").replace("  policies:", "  monitoring: false\n  policies:");
            // big has no KEDA; small runs it, and holds 4 replicas' worth of its 2.7 free cores only if max is 2.
            Placement p = byService(solve(pool("dc", ""), quiet, cluster("small", 1, "", ""), scaled.replace("MAX", "2"))).get("api");
            assertThat(p.cluster()).isEqualTo("small");
            assertThat(p.rejected()).extracting(Placement.Rejection::cluster, Placement.Rejection::reason)
                    .contains(tuple("quiet", Placement.NO_AUTOSCALER));
            Placement tooBig = byService(solve(pool("dc", ""), quiet, cluster("small", 1, "", ""), scaled.replace("MAX", "3"))).get("api");
            assertThat(tooBig.reason()).isEqualTo(Placement.INSUFFICIENT_CAPACITY);
            assertThat(tooBig.message()).startsWith("Needs 3 CPU and 3Gi for 3 replicas");
            assertThat(byService(solve(pool("dc", ""), quiet, scaled.replace("MAX", "2"))).get("api").reason())
                    .isEqualTo(Placement.NO_AUTOSCALER);
        }

        @Test
        void aServiceAskingForAShareOfAGpuGoesWhereHamiSharesThemAndWholeGpusStayApart() {
            String gpuPool = pool("dc", "").replace("machineTypes: [{name: m, cores: 4, memory: 16Gi}]",
                    "machineTypes: [{name: m, cores: 4, memory: 16Gi}, {name: g, cores: 8, memory: 32Gi, gpus: 1}]");
            // whole: one GPU node for NVIDIA's plugin; shared: one GPU node labelled gpu: "on" for HAMi (10 shares).
            String whole = cluster("whole", 1, "", "").replace("workers: {replicas: 1, machineType: m}", "workers: {replicas: 1, machineType: g}")
                    .replace("  policies:", "  gpu: true\n  policies:");
            String shared = cluster("shared", 1, "", "").replace("workers: {replicas: 1, machineType: m}",
                    "workers: {replicas: 1, machineType: g, labels: {gpu: \"on\"}}").replace("  policies:", "  gpu: true\n  policies:");
            String notebook = service("notebook", "100m", null, "").replace("requests: {cpu: \"100m\", memory: 1Gi}",
                    "requests: {cpu: \"100m\", memory: 1Gi, nvidia.com/gpu: 1, nvidia.com/gpumem: 4000}").replace("spec:\n", "spec:\n  replicas: 4\n");
            String trainer = service("trainer", "1", null, "").replace("requests: {cpu: \"1\", memory: 1Gi}",
                    "requests: {cpu: \"1\", memory: 1Gi, nvidia.com/gpu: 1}");
            Map<String, Placement> r = byService(solve(gpuPool, whole, shared, notebook, trainer));
            assertThat(r.get("notebook").cluster()).isEqualTo("shared");
            assertThat(r.get("trainer").cluster()).isEqualTo("whole");
            // Eleven replicas need eleven shares; the shared GPU has ten.
            Placement many = byService(solve(gpuPool, whole, shared, notebook.replace("replicas: 4", "replicas: 11"))).get("notebook");
            assertThat(many.message()).isEqualTo("Needs 11 GPU shares (nvidia.com/gpu) for 11 replicas; the most a matching cluster has "
                    + "free is 10, on shared. Add GPU workers");
            // A whole GPU is not taken from the ones HAMi shares.
            Placement second = byService(solve(gpuPool, shared, trainer)).get("trainer");
            assertThat(second.reason()).isEqualTo(Placement.INSUFFICIENT_GPUS);
        }

        @Test
        void warnsOfAGpuClusterWithNoGpuMachinesNamingItsPool() {
            Solver.Result r = solve(pool("dc", ""), cluster("c", 1, "", "").replace("  policies:", "  gpu: true\n  policies:"));
            assertThat(r.warnings()).extracting(Problem::render).singleElement().asString()
                    .startsWith("in.yaml:16:8: warning: cluster c has gpu: true, but none of pool dc's machine types has a GPU");
        }

        @Test
        void theAddOnsRequestsAreNotServiceCapacity() {
            // Workers 1 x 4 cores: with no add-ons a 3.5-core service fits; the mesh and monitoring ask 1.3 cores of them.
            String bare = cluster("c", 1, "", "").replace("  policies:", "  services: false\n  monitoring: false\n  policies:");
            assertThat(byService(solve(pool("dc", ""), bare, service("s", "3500m", null, ""))).get("s").cluster()).isEqualTo("c");
            Placement crowded = byService(solve(pool("dc", ""), cluster("c", 1, "", ""), service("s", "3500m", null, ""))).get("s");
            assertThat(crowded.reason()).isEqualTo("InsufficientCapacity");
            assertThat(crowded.message()).contains("has 2700m CPU");
        }

        @Test
        void theControlPlaneIsNotWorkerCapacity() {
            // Control plane 1 x 4 cores, workers 1 x 4 cores: a 5-core service does not fit.
            Solver.Result r = solve(pool("dc", ""), cluster("c", 1, "", ""), service("s", "5", null, ""));
            assertThat(byService(r).get("s").reason()).isEqualTo("InsufficientCapacity");
        }

        @Test
        void maxServicesCapsAClusterAndTheRestGoElsewhere() {
            Solver.Result r = solve(pool("dc", ""), cluster("capped", 10, "tier: a", "maxServices: 1"),
                    cluster("other", 2, "tier: a", ""),
                    service("s1", "100m", null, ""), service("s2", "100m", null, ""));
            assertThat(r.placements()).extracting(Placement::cluster).containsExactlyInAnyOrder("capped", "other");
            Solver.Result full = solve(pool("dc", ""), cluster("capped", 10, "", "maxServices: 1"),
                    service("s1", "100m", null, ""), service("s2", "100m", null, ""));
            assertThat(byService(full).get("s2").reason()).isEqualTo("MaxServicesReached");
            assertThat(byService(full).get("s2").message()).startsWith("All 1 matching clusters hold their maxServices");
        }

        @Test
        void aVolumeConsumerGoesWhereTheOwnerWent() {
            String owner = service("owner", "100m", "cluster.name == 'small'", "media: {type: volume, id: shared, params: {size: 1Ti}}");
            String consumer = service("consumer", "100m", null, "media: {type: volume, id: shared}");
            Solver.Result r = solve(pool("dc", ""), cluster("small", 2, "", ""), cluster("large", 20, "", ""), consumer, owner);
            // Without the constraint the consumer would take the larger cluster.
            assertThat(byService(r).get("owner").cluster()).isEqualTo("small");
            assertThat(byService(r).get("consumer").cluster()).isEqualTo("small");
        }

        @Test
        void aVolumeConsumerWhoseOwnerCannotBePlacedIsUnschedulable() {
            String owner = service("owner", "100m", "cluster.name == 'nowhere'", "media: {type: volume, id: shared, params: {size: 1Ti}}");
            String consumer = service("consumer", "100m", null, "media: {type: volume, id: shared}");
            Placement p = byService(solve(pool("dc", ""), cluster("c", 2, "", ""), owner, consumer)).get("consumer");
            assertThat(p.reason()).isEqualTo("VolumeOwnerUnplaced");
            assertThat(p.message()).isEqualTo("Volume shared is owned by owner, which could not be placed; place it first");
        }

        @Test
        void aVolumeConsumerWhoseRuleExcludesTheOwnersClusterIsUnschedulable() {
            String owner = service("owner", "100m", "cluster.name == 'a'", "media: {type: volume, id: shared, params: {size: 1Ti}}");
            String consumer = service("consumer", "100m", "cluster.name == 'b'", "media: {type: volume, id: shared}");
            Placement p = byService(solve(pool("dc", ""), cluster("a", 2, "", ""), cluster("b", 2, "", ""), owner, consumer)).get("consumer");
            assertThat(p.reason()).isEqualTo("VolumeOwnerElsewhere");
        }
    }

    @Nested
    @DisplayName("scores")
    class Scores {
        @Test
        void moreFreeCapacityWins() {
            Solver.Result r = solve(pool("dc", ""), cluster("a", 5, "", ""), cluster("b", 6, "", ""), service("s", "100m", null, ""));
            Placement p = byService(r).get("s");
            assertThat(p.cluster()).isEqualTo("b");
            assertThat(p.candidates()).extracting(Placement.Candidate::cluster).containsExactly("b", "a");
        }

        @Test
        void agreedPeersPullAServiceToTheirCluster() {
            // db is pinned to a; api could go to the roomier b, but talks to db, and both sides agree.
            String db = service("db", "100m", "cluster.name == 'a'", "api: {type: service, direction: inbound}");
            String api = service("api", "100m", null, "db: {type: service, direction: outbound}");
            Solver.Result r = solve(pool("dc", ""), cluster("a", 5, "", ""), cluster("b", 6, "", ""), db, api);
            assertThat(byService(r).get("api").cluster()).isEqualTo("a");
            assertThat(byService(r).get("api").scores().locality()).isEqualTo(1.0);
        }

        @Test
        void aOneSidedDeclarationDoesNotCountForLocality() {
            String db = service("db", "100m", "cluster.name == 'a'", "");
            String api = service("api", "100m", null, "db: {type: service, direction: outbound}");
            Solver.Result r = solve(pool("dc", ""), cluster("a", 5, "", ""), cluster("b", 6, "", ""), db, api);
            assertThat(byService(r).get("api").cluster()).isEqualTo("b");
        }

        @Test
        void cheaperCapacityWins() {
            // Same capacity (4 vCPU, 16 GiB each): m5.xlarge priced 0.5 by the pool, m6i.xlarge 0.192 by the catalogue.
            Solver.Result r = solve(cloudPool("{monthly: 100000}", "  pricing: {m5.xlarge: 0.5}\n"),
                    awsCluster("expensive", "m5.xlarge", 10), awsCluster("cheap", "m6i.xlarge", 10), service("s", "100m", null, ""));
            Placement p = byService(r).get("s");
            assertThat(p.cluster()).isEqualTo("cheap");
            assertThat(p.candidates()).extracting(c -> c.scores().cost()).containsExactly(1.0, 0.384);
        }

        @Test
        void weightsChangeTheDecision() {
            String db = service("db", "100m", "cluster.name == 'a'", "api: {type: service, direction: inbound}");
            String api = service("api", "100m", null, "db: {type: service, direction: outbound}");
            Inputs inputs = parse(pool("dc", ""), cluster("a", 5, "", ""), cluster("b", 6, "", ""), db, api);
            assertThat(byService(new Solver(new Weights(1, 0, 1), false).solve(inputs)).get("api").cluster()).isEqualTo("b");
            assertThat(byService(new Solver(new Weights(1, 1, 1), false).solve(inputs)).get("api").cluster()).isEqualTo("a");
        }

        @Test
        void tiesBreakByClusterName() {
            Solver.Result r = solve(pool("dc", ""), cluster("zeta", 5, "", ""), cluster("alpha", 5, "", ""), service("s", "100m", null, ""));
            assertThat(byService(r).get("s").cluster()).isEqualTo("alpha");
        }
    }

    @Nested
    @DisplayName("rules")
    class Rules {
        @Test
        void aRuleThatFailsOnAClusterIsNoMatchAndSaysWhy() {
            Solver.Result r = solve(pool("dc", ""), cluster("labelled", 2, "tier: gold", ""), cluster("bare", 2, "", ""),
                    service("s", "100m", "cluster.labels.tier == 'gold'", ""));
            Placement p = byService(r).get("s");
            assertThat(p.cluster()).isEqualTo("labelled");
            assertThat(p.rejected()).containsExactly(new Placement.Rejection("bare", "PlacementRuleFailed",
                    "the placement rule failed on this cluster: the cluster has no \"tier\" key (label)"));
        }

        @Test
        void rulesSeePoolFacts() {
            String pools = pool("dc", "  compliance: [PCI]\n  location: {region: eu, zone: eu-1, country: DE}\n");
            Solver.Result r = solve(pools, cluster("c", 2, "", ""),
                    service("s", "100m", "'PCI' in cluster.compliance && cluster.country == 'DE' && cluster.capacity.cores >= 8 "
                            + "&& cluster.pool == 'dc' && cluster.provider == 'openstack'", ""));
            assertThat(byService(r).get("s").cluster()).isEqualTo("c");
        }

        @Test
        void eachDistinctRuleIsEvaluatedOncePerCluster() {
            List<String> docs = new ArrayList<>(List.of(pool("dc", "")));
            for (int i = 0; i < 10; i++) {
                docs.add(cluster("c" + i, 50, "tier: t" + (i % 2), ""));
            }
            for (int i = 0; i < 300; i++) {
                docs.add(service("s" + i, "10m", "cluster.labels.tier == 't" + (i % 3) + "'", ""));
            }
            Solver.Result r = solve(docs.toArray(String[]::new));
            // 3 rules, each over 2 distinct tier labels among the 10 clusters: 6 evaluations, not 300 x 10.
            assertThat(r.ruleEvaluations()).isEqualTo(3 * 2);
            assertThat(r.placements()).filteredOn(Placement::scheduled).hasSize(200);
        }

        @Test
        void aRuleThatReadsTheNameOrShadowsTheClusterIsEvaluatedOnEveryCluster() {
            List<String> docs = new ArrayList<>(List.of(pool("dc", "")));
            for (int i = 0; i < 10; i++) {
                docs.add(cluster("c" + i, 50, "tier: t" + (i % 2), ""));
            }
            docs.add(service("s", "10m", "cluster.labels.tier == 't1' && cluster.name != 'c3'", ""));
            docs.add(service("u", "10m", "[1].exists(cluster, cluster > 0)", ""));
            Solver.Result r = solve(docs.toArray(String[]::new));
            // The second rule shadows `cluster` with its own variable, so it is conservatively evaluated everywhere too.
            assertThat(r.ruleEvaluations()).isEqualTo(10 + 10);
            assertThat(byService(r).get("s").rejected()).extracting(Placement.Rejection::cluster)
                    .containsExactly("c0", "c2", "c3", "c4", "c6", "c8");
        }
    }

    @Test
    void theSameInputGivesTheSameDecisionsWhateverItsOrder() {
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            docs.add(cluster("c" + i, 3 + i % 3, "zone: z" + (i % 2), ""));
        }
        for (int i = 0; i < 60; i++) {
            docs.add(service("s" + i, (100 + 37 * i % 900) + "m", i % 4 == 0 ? "cluster.labels.zone == 'z1'" : null,
                    "s" + ((i + 1) % 60) + ": {type: service, direction: both}"));
        }
        List<Placement> first = null;
        Random random = new Random(7);
        for (int round = 0; round < 5; round++) {
            Collections.shuffle(docs, random);
            List<String> all = new ArrayList<>(List.of(pool("dc", "")));
            all.addAll(docs);
            List<Placement> placements = solve(all.toArray(String[]::new)).placements();
            if (first == null) {
                first = placements;
            }
            assertThat(placements).isEqualTo(first);
        }
    }

    @Nested
    @DisplayName("a cluster its pool refused")
    class RefusedClusters {
        /** A pool of 16 cores: the first 1 + 2 node cluster takes 12 of them, the second cannot fit. */
        String smallPool() {
            return pool("dc", "").replace("cores: 100000", "cores: 16");
        }

        @Test
        void refusedClusterTakesNoServices() {
            Solver.Result r = solve(smallPool(), cluster("a", 2, "tier: gold", ""), cluster("b", 2, "tier: silver", ""),
                    service("s1", "100m", null, ""), service("s2", "100m", null, ""), service("s3", "100m", null, ""));
            assertThat(r.placements()).allSatisfy(p -> assertThat(p.cluster()).isEqualTo("a"));
            assertThat(byService(r).get("s1").rejected()).extracting(Placement.Rejection::cluster, Placement.Rejection::reason)
                    .contains(org.assertj.core.groups.Tuple.tuple("b", Placement.CLUSTER_REFUSED));
        }

        @Test
        void serviceOnlyARefusedClusterMatchesIsUnschedulableNamingTheRefusal() {
            Solver.Result r = solve(smallPool(), cluster("a", 2, "tier: gold", ""), cluster("b", 2, "tier: silver", ""),
                    service("s", "100m", "cluster.labels.tier == 'silver'", ""));
            Placement p = byService(r).get("s");
            assertThat(p.scheduled()).isFalse();
            assertThat(p.reason()).isEqualTo(Placement.CLUSTER_REFUSED);
            assertThat(p.message()).contains("b").contains("pool dc cannot hold cluster b");
            assertThat(r.allScheduled()).isFalse();
        }

        @Test
        void aClusterOverItsCloudBudgetIsRefusedForPlacement() {
            Solver.Result r = solve(cloudPool("{monthly: 100, hardLimit: true}", ""), awsCluster("big", "m5.xlarge", 3),
                    service("s", "100m", null, ""));
            assertThat(byService(r).get("s").reason()).isEqualTo(Placement.CLUSTER_REFUSED);
            assertThat(byService(r).get("s").message()).contains("budget");
        }
    }

    @Nested
    @DisplayName("a service already placed")
    class Sticky {
        /** A service recorded as placed on {@code cluster}, as the daemon leaves it in its status. */
        String placed(String service, String cluster) {
            return service + "status: {phase: Scheduled, cluster: " + cluster + "}\n";
        }

        @Test
        void staysWhereItIsWhenABetterClusterArrives() {
            // Alone, s goes to the roomier big; placed on small before big existed, it stays there.
            String s = service("s", "500m", null, "");
            assertThat(byService(solve(pool("dc", ""), cluster("small", 1, "", ""), cluster("big", 5, "", ""), s))
                    .get("s").cluster()).isEqualTo("big");
            Placement p = byService(solve(pool("dc", ""), cluster("small", 1, "", ""), cluster("big", 5, "", ""),
                    placed(s, "small"))).get("s");
            assertThat(p.cluster()).isEqualTo("small");
            assertThat(p.move()).isNull();
            assertThat(p.candidates()).extracting(Placement.Candidate::cluster).contains("big", "small");
        }

        @Test
        void holdsItsCapacityBeforeNewServicesArePlaced() {
            // small has 4 cores; the placed service holds 3 of them, so the new one cannot squeeze in first.
            String old = placed(service("old", "3", null, ""), "small");
            Placement fresh = byService(solve(pool("dc", ""), cluster("small", 1, "", ""), cluster("big", 2, "", ""),
                    service("new", "3", "cluster.name == 'small'", ""), old)).get("new");
            assertThat(fresh.scheduled()).isFalse();
            assertThat(fresh.reason()).isEqualTo(Placement.INSUFFICIENT_CAPACITY);
        }

        @Test
        void movesWhenItsClusterIsGoneAndSaysWhy() {
            Placement p = byService(solve(pool("dc", ""), cluster("a", 2, "", ""), placed(service("s", "1", null, ""), "gone")))
                    .get("s");
            assertThat(p.cluster()).isEqualTo("a");
            assertThat(p.move()).isEqualTo(new Placement.Move("gone", Placement.CLUSTER_GONE, "cluster gone is gone"));
        }

        @Test
        void movesWhenItsClusterIsRefused() {
            String small = pool("dc", "").replace("cores: 100000", "cores: 16");
            Placement p = byService(solve(small, cluster("a", 2, "", ""), cluster("b", 2, "", ""),
                    placed(service("s", "1", null, ""), "b"))).get("s");
            assertThat(p.cluster()).isEqualTo("a");
            assertThat(p.move().from()).isEqualTo("b");
            assertThat(p.move().reason()).isEqualTo(Placement.CLUSTER_REFUSED);
        }

        @Test
        void movesWhenItsRuleNoLongerMatchesItsCluster() {
            Placement p = byService(solve(pool("dc", ""), cluster("a", 2, "zone: z1", ""), cluster("b", 2, "zone: z2", ""),
                    placed(service("s", "1", "cluster.labels.zone == 'z2'", ""), "a"))).get("s");
            assertThat(p.cluster()).isEqualTo("b");
            assertThat(p.move().reason()).isEqualTo(Placement.RULE_NOT_SATISFIED);
        }

        @Test
        void movesWhenItsClusterCanNoLongerHoldIt() {
            // It asked for 1 core on a's 8, and now asks for 6; another placed service holds 4 of a's cores.
            Placement p = byService(solve(pool("dc", ""), cluster("a", 2, "", ""), cluster("b", 3, "", ""),
                    placed(service("other", "4", "cluster.name == 'a'", ""), "a"),
                    placed(service("s", "6", null, ""), "a"))).get("s");
            assertThat(p.cluster()).isEqualTo("b");
            assertThat(p.move().reason()).isEqualTo(Placement.INSUFFICIENT_CAPACITY);
        }

        @Test
        void aVolumeConsumerFollowingItsOwnerBackToItsClusterDidNotMove() {
            // The owner was never recorded as placed, so the consumer waits for it, then goes where it was.
            String owner = service("owner", "1", "cluster.name == 'a'", "data: {type: volume, id: data, params: {size: 1Gi}}");
            String consumer = placed(service("consumer", "1", null, "data: {type: volume, id: data}"), "a");
            Placement p = byService(solve(pool("dc", ""), cluster("a", 2, "", ""), cluster("b", 3, "", ""), owner, consumer))
                    .get("consumer");
            assertThat(p.cluster()).isEqualTo("a");
            assertThat(p.move()).isNull();
        }

        @Test
        void leavesAClusterOnlyWhenNoOtherCanTakeItEither() {
            Placement p = byService(solve(pool("dc", ""), cluster("a", 2, "zone: z1", ""),
                    placed(service("s", "1", "cluster.labels.zone == 'z9'", ""), "a"))).get("s");
            assertThat(p.scheduled()).isFalse();
            assertThat(p.move().from()).isEqualTo("a");
        }
    }
}
