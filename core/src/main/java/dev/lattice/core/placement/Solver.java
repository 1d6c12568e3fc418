package dev.lattice.core.placement;

import dev.lattice.core.mesh.ServiceGraph;
import dev.lattice.core.mesh.ServiceGraph.ServiceId;
import dev.lattice.core.model.LatticeService;
import dev.lattice.core.model.Quantity;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Problem;
import dev.lattice.proto.placement.v1.Cluster;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Places services on clusters (seed 000's solver): placement rules filter, hard constraints (free worker capacity,
 * {@code policies.maxServices}, shared-volume co-location) cut, and capacity, locality and cost score the rest.
 * Pure: no I/O, and the same input always gives the same decisions.
 *
 * <p>Each distinct rule is evaluated once per cluster, so rule work grows with rules × clusters, not with
 * services × clusters.
 */
public final class Solver {

    /**
     * Every decision, sorted by namespace and service name, the warnings found on the way, and how many times a
     * placement rule was evaluated against a cluster (distinct rules × clusters).
     */
    public record Result(List<Placement> placements, List<Problem> warnings, long ruleEvaluations) {
        public boolean allScheduled() {
            return placements.stream().allMatch(Placement::scheduled);
        }
    }

    private final Weights weights;
    private final boolean explain;

    public Solver(Weights weights, boolean explain) {
        this.weights = weights;
        this.explain = explain;
    }

    public Result solve(Inputs inputs) {
        List<Problem> warnings = new ArrayList<>();
        List<ClusterFacts> clusters = ClusterFacts.of(inputs, warnings);
        return new Run(clusters, inputs.services()).place(warnings);
    }

    /** One solve: the mutable bookkeeping of free capacity and service counts as services are assigned. */
    private final class Run {
        private final List<ClusterFacts> clusters;
        private final List<LatticeService> services;
        private final long[] freeCpu;
        private final long[] freeMemory;
        private final int[] serviceCount;
        private final Map<String, RuleResults> rules = new HashMap<>();
        private final Map<ServiceId, Integer> placedOn = new HashMap<>();
        private final Map<String, ServiceId> volumeOwners = new HashMap<>();
        private final ServiceGraph graph;
        private long evaluations;
        /** Zone, region and provider of each cluster as small integers (-1: unknown), so locality compares ints. */
        private final int[] zone;
        private final int[] region;
        private final int[] provider;
        private final double[] price;

        Run(List<ClusterFacts> clusters, List<LatticeService> services) {
            this.clusters = clusters;
            this.services = services;
            int n = clusters.size();
            freeCpu = new long[n];
            freeMemory = new long[n];
            serviceCount = new int[n];
            for (int i = 0; i < n; i++) {
                freeCpu[i] = clusters.get(i).cpuMillis();
                freeMemory[i] = clusters.get(i).memoryBytes();
            }
            graph = ServiceGraph.of(services);
            zone = new int[n];
            region = new int[n];
            provider = new int[n];
            price = new double[n];
            Map<String, Integer> codes = new HashMap<>();
            for (int i = 0; i < n; i++) {
                Cluster view = clusters.get(i).view();
                region[i] = code(codes, "region:" + view.getRegion(), view.getRegion().isEmpty());
                // A zone name means the same zone only within one region.
                zone[i] = code(codes, "zone:" + view.getRegion() + "/" + view.getZone(), view.getZone().isEmpty());
                provider[i] = code(codes, "provider:" + view.getProvider(), view.getProvider().isEmpty());
                price[i] = clusters.get(i).usdPerCoreHour();
            }
        }

        private int code(Map<String, Integer> codes, String key, boolean unknown) {
            return unknown ? -1 : codes.computeIfAbsent(key, k -> codes.size());
        }

        Result place(List<Problem> warnings) {
            java.util.Set<String> distinct = new java.util.LinkedHashSet<>();
            for (LatticeService s : services) {
                String rule = s.spec().requirements().placement();
                if (rule != null) {
                    distinct.add(rule);
                }
                volumeIds(s, true).forEach(id -> volumeOwners.putIfAbsent(id, ServiceId.of(s)));
            }
            // Rules are independent of each other: evaluate them on every core.
            List<RuleResults> evaluated = distinct.parallelStream().map(this::evaluate).toList();
            for (RuleResults r : evaluated) {
                rules.put(r.rule().expression(), r);
                evaluations += r.evaluations();
            }
            // Volume owners first, then the services the fewest clusters can take, then by name.
            record Order(LatticeService service, boolean consumerOnly, int matching, ServiceId id) {
            }
            List<Order> order = new ArrayList<>();
            for (LatticeService s : services) {
                order.add(new Order(s, volumeIds(s, true).isEmpty(), matchingClusters(s), ServiceId.of(s)));
            }
            order.sort(Comparator.comparing(Order::consumerOnly).thenComparingInt(Order::matching).thenComparing(Order::id));
            Map<ServiceId, Placement> decisions = new TreeMap<>();
            for (Order o : order) {
                decisions.put(o.id(), place(o.service()));
            }
            return new Result(List.copyOf(decisions.values()), List.copyOf(warnings), evaluations);
        }

        private RuleResults evaluate(String expression) {
            PlacementRule rule = (PlacementRule) PlacementRule.compile(expression);
            BitSet matches = new BitSet(clusters.size());
            String[] errors = new String[clusters.size()];
            int count = 0;
            // Clusters that agree on every field the rule reads get the same outcome: evaluate once per distinct key.
            Map<List<Object>, PlacementRule.Outcome> seen = new HashMap<>();
            for (int i = 0; i < clusters.size(); i++) {
                Cluster view = clusters.get(i).view();
                List<Object> key = rule.key(view);
                PlacementRule.Outcome outcome = seen.get(key);
                if (outcome == null) {
                    outcome = rule.evaluate(view);
                    seen.put(key, outcome);
                    count++;
                }
                if (outcome.matches()) {
                    matches.set(i);
                }
                errors[i] = outcome.error();
            }
            return new RuleResults(rule, matches, errors, count);
        }

        private int matchingClusters(LatticeService s) {
            String rule = s.spec().requirements().placement();
            return rule == null ? clusters.size() : rules.get(rule).matches().cardinality();
        }

        private Placement place(LatticeService s) {
            ServiceId id = ServiceId.of(s);
            String rule = s.spec().requirements().placement();
            RuleResults results = rule == null ? null : rules.get(rule);
            BitSet allowed = new BitSet(clusters.size());
            if (results == null) {
                allowed.set(0, clusters.size());
            } else {
                allowed.or(results.matches());
            }
            List<Placement.Rejection> rejected = new ArrayList<>();
            if (explain && results != null) {
                for (int i = 0; i < clusters.size(); i++) {
                    if (!allowed.get(i)) {
                        String error = results.errors()[i];
                        rejected.add(new Placement.Rejection(clusters.get(i).name(),
                                error != null ? Placement.RULE_FAILED : Placement.RULE_NOT_SATISFIED,
                                error != null ? "the placement rule failed on this cluster: " + error
                                        : "the cluster does not satisfy " + results.rule().expression()));
                    }
                }
            }
            if (allowed.isEmpty()) {
                return unschedulable(s, Placement.NO_MATCHING_CLUSTER, noMatchMessage(results), rejected);
            }

            // A service that uses a shared volume goes where the volume's owner went.
            for (String volume : volumeIds(s, false)) {
                ServiceId owner = volumeOwners.get(volume);
                if (owner == null || owner.equals(id)) {
                    continue;
                }
                Integer ownerCluster = placedOn.get(owner);
                String volumeName = volume.substring(volume.indexOf('/') + 1);
                if (ownerCluster == null) {
                    return unschedulable(s, Placement.VOLUME_OWNER_UNPLACED, "Volume " + volumeName + " is owned by "
                            + owner.name() + ", which could not be placed; place it first", rejected);
                }
                if (!allowed.get(ownerCluster)) {
                    return unschedulable(s, Placement.VOLUME_OWNER_ELSEWHERE, "Volume " + volumeName + " lives on "
                            + clusters.get(ownerCluster).name() + " with its owner " + owner.name()
                            + ", which this service's placement rule does not allow", rejected);
                }
                for (int i = allowed.nextSetBit(0); i >= 0; i = allowed.nextSetBit(i + 1)) {
                    if (i != ownerCluster) {
                        allowed.clear(i);
                        if (explain) {
                            rejected.add(new Placement.Rejection(clusters.get(i).name(), Placement.VOLUME_OWNER_ELSEWHERE,
                                    "volume " + volumeName + " is on " + clusters.get(ownerCluster).name()));
                        }
                    }
                }
            }

            long cpu = demand(s, "cpu");
            long memory = demand(s, "memory");
            int[] candidates = new int[allowed.cardinality()];
            int candidateCount = 0;
            int fullOfServices = 0;
            int bestShort = -1;
            for (int i = allowed.nextSetBit(0); i >= 0; i = allowed.nextSetBit(i + 1)) {
                ClusterFacts c = clusters.get(i);
                if (c.maxServices() != null && serviceCount[i] >= c.maxServices()) {
                    fullOfServices++;
                    if (explain) {
                        rejected.add(new Placement.Rejection(c.name(), Placement.MAX_SERVICES_REACHED,
                                "holds " + serviceCount[i] + " services, its maxServices"));
                    }
                } else if (freeCpu[i] < cpu || freeMemory[i] < memory) {
                    if (bestShort < 0 || roomier(i, bestShort)) {
                        bestShort = i;
                    }
                    if (explain) {
                        rejected.add(new Placement.Rejection(c.name(), Placement.INSUFFICIENT_CAPACITY,
                                "has " + cores(freeCpu[i]) + " CPU and " + bytes(freeMemory[i]) + " free, needs "
                                        + cores(cpu) + " and " + bytes(memory)));
                    }
                } else {
                    candidates[candidateCount++] = i;
                }
            }
            if (candidateCount == 0) {
                if (bestShort >= 0) {
                    return unschedulable(s, Placement.INSUFFICIENT_CAPACITY, "Needs " + cores(cpu) + " CPU and "
                            + bytes(memory) + " for " + s.spec().replicas() + " replicas; the roomiest matching cluster, "
                            + clusters.get(bestShort).name() + ", has " + cores(freeCpu[bestShort]) + " CPU and "
                            + bytes(freeMemory[bestShort]) + " free. Add workers to a cluster with "
                            + describe(results), rejected);
                }
                return unschedulable(s, Placement.MAX_SERVICES_REACHED, "All " + fullOfServices + " matching clusters"
                        + " hold their maxServices. Raise policies.maxServices or add a cluster with " + describe(results),
                        rejected);
            }
            return choose(s, id, java.util.Arrays.copyOf(candidates, candidateCount), cpu, memory, rejected);
        }

        private Placement choose(LatticeService s, ServiceId id, int[] candidates, long cpu, long memory,
                                 List<Placement.Rejection> rejected) {
            long maxCpuAfter = 0;
            long maxMemoryAfter = 0;
            double cheapest = Double.MAX_VALUE;
            for (int i : candidates) {
                maxCpuAfter = Math.max(maxCpuAfter, freeCpu[i] - cpu);
                maxMemoryAfter = Math.max(maxMemoryAfter, freeMemory[i] - memory);
                cheapest = Math.min(cheapest, price[i]);
            }
            int[] neighbours = placedNeighbours(id);
            int best = -1;
            double bestScore = -1;
            List<Placement.Candidate> scored = explain ? new ArrayList<>() : null;
            for (int i : candidates) {
                double total = weights.total(capacity(i, cpu, memory, maxCpuAfter, maxMemoryAfter),
                        locality(i, neighbours), cost(i, cheapest));
                if (scored != null) {
                    scored.add(new Placement.Candidate(clusters.get(i).name(), round(total),
                            scores(i, cpu, memory, maxCpuAfter, maxMemoryAfter, neighbours, cheapest)));
                }
                // Candidates come in name order, so a tie keeps the first name.
                if (total > bestScore) {
                    best = i;
                    bestScore = total;
                }
            }
            Placement.Scores bestScores = scores(best, cpu, memory, maxCpuAfter, maxMemoryAfter, neighbours, cheapest);
            freeCpu[best] -= cpu;
            freeMemory[best] -= memory;
            serviceCount[best]++;
            placedOn.put(id, best);
            if (scored != null) {
                scored.sort(Comparator.comparingDouble(Placement.Candidate::score).reversed()
                        .thenComparing(Placement.Candidate::cluster));
            }
            return new Placement(s.name(), s.metadata().namespace(), Placement.Phase.Scheduled, clusters.get(best).name(),
                    round(bestScore), bestScores, null, null, scored == null ? List.of() : scored, sortRejected(rejected));
        }

        private Placement.Scores scores(int i, long cpu, long memory, long maxCpuAfter, long maxMemoryAfter,
                                        int[] neighbours, double cheapest) {
            return new Placement.Scores(round(capacity(i, cpu, memory, maxCpuAfter, maxMemoryAfter)),
                    round(locality(i, neighbours)), round(cost(i, cheapest)));
        }

        private double capacity(int i, long cpu, long memory, long maxCpuAfter, long maxMemoryAfter) {
            return (share(freeCpu[i] - cpu, maxCpuAfter) + share(freeMemory[i] - memory, maxMemoryAfter)) / 2;
        }

        private double cost(int i, double cheapest) {
            return price[i] <= cheapest ? 1.0 : cheapest / price[i];
        }

        /** The clusters of the service's agreed peers that are already placed. */
        private int[] placedNeighbours(ServiceId id) {
            Set<ServiceId> peers = graph.neighbours(id);
            int[] out = new int[peers.size()];
            int n = 0;
            for (ServiceId peer : peers) {
                Integer cluster = placedOn.get(peer);
                if (cluster != null) {
                    out[n++] = cluster;
                }
            }
            return java.util.Arrays.copyOf(out, n);
        }

        private double locality(int candidate, int[] neighbours) {
            if (neighbours.length == 0) {
                return 0;
            }
            double sum = 0;
            for (int there : neighbours) {
                if (there == candidate) {
                    sum += 1.0;
                } else if (zone[candidate] >= 0 && zone[candidate] == zone[there]) {
                    sum += 0.5;
                } else if (region[candidate] >= 0 && region[candidate] == region[there]) {
                    sum += 0.3;
                } else if (provider[candidate] >= 0 && provider[candidate] == provider[there]) {
                    sum += 0.1;
                }
            }
            return sum / neighbours.length;
        }

        private boolean roomier(int a, int b) {
            return freeCpu[a] + freeMemory[a] / (1L << 30) * 250 > freeCpu[b] + freeMemory[b] / (1L << 30) * 250;
        }

        private Placement unschedulable(LatticeService s, String reason, String message, List<Placement.Rejection> rejected) {
            return new Placement(s.name(), s.metadata().namespace(), Placement.Phase.Unschedulable, null, 0, null,
                    reason, message, List.of(), sortRejected(rejected));
        }

        private String noMatchMessage(RuleResults results) {
            if (clusters.isEmpty()) {
                return "No clusters in the inputs";
            }
            String message = "No cluster with " + describe(results);
            if (results != null) {
                long failed = java.util.Arrays.stream(results.errors()).filter(java.util.Objects::nonNull).count();
                if (failed > 0) {
                    String first = java.util.Arrays.stream(results.errors()).filter(java.util.Objects::nonNull).findFirst().orElse("");
                    message += " (the rule failed on " + failed + " of " + clusters.size() + " clusters: " + first + ")";
                }
            }
            return message;
        }

        private String describe(RuleResults results) {
            return results == null ? "free capacity" : results.rule().describe();
        }
    }

    private record RuleResults(PlacementRule rule, BitSet matches, String[] errors, int evaluations) {
    }

    /**
     * What a service asks of a cluster: replicas × the sum of its containers' requests of {@code resource} (a
     * container without a request but with a limit requests its limit, as in Kubernetes).
     */
    static long demand(LatticeService s, String resource) {
        long perReplica = 0;
        for (LatticeService.Container c : s.spec().containers().values()) {
            Quantity q = c.resources().requests().get(resource);
            if (q == null) {
                q = c.resources().limits().get(resource);
            }
            if (q != null) {
                perReplica += resource.equals("cpu") ? q.millis() : q.ceilUnits().longValueExact();
            }
        }
        return perReplica * s.spec().replicas();
    }

    /** Volume ids (namespace/id) the service owns ({@code owned}) or uses without owning. */
    static List<String> volumeIds(LatticeService s, boolean owned) {
        List<String> ids = new ArrayList<>();
        s.spec().resources().values().forEach(r -> {
            if (r.isSharedVolume() && r.ownsVolume() == owned) {
                ids.add(s.volumeKey(r));
            }
        });
        return ids;
    }

    private static List<Placement.Rejection> sortRejected(List<Placement.Rejection> rejected) {
        rejected.sort(Comparator.comparing(Placement.Rejection::cluster));
        return List.copyOf(rejected);
    }

    private static double share(long value, long max) {
        return max <= 0 ? 1.0 : (double) value / max;
    }

    /** Scores are shown to three decimals; rounding them keeps output byte-identical across runs. */
    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    static String cores(long millis) {
        return Quantity.ofMillis(millis).toString();
    }

    static String bytes(long bytes) {
        return Quantity.ofBytes(java.math.BigInteger.valueOf(bytes)).toString();
    }
}
