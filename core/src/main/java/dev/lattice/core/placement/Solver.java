package dev.lattice.core.placement;

import dev.lattice.core.capacity.PoolAccounting;
import dev.lattice.core.graph.ServiceGraph;
import dev.lattice.core.graph.ServiceGraph.ServiceId;
import dev.lattice.core.model.LatticeService;
import dev.lattice.core.model.LatticeService.ResourceRequirements;
import dev.lattice.core.model.Quantity;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Problem;
import dev.lattice.core.rule.PlacementRule;
import dev.lattice.core.rule.v1.Cluster;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

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

    /** Places the services of {@code inputs} on its clusters, leaving out the clusters their pools refuse. */
    public Result solve(Inputs inputs) {
        return solve(inputs, PoolAccounting.account(inputs));
    }

    /**
     * Places the services of {@code inputs} on its clusters; a cluster {@code ledger} refuses does not exist for
     * placement. A service already placed ({@code status.cluster}) stays there while that cluster matches its rule
     * and can hold it; otherwise it is placed afresh, and its decision says why it moved.
     */
    public Result solve(Inputs inputs, PoolAccounting.Ledger ledger) {
        return solve(inputs, ledger, ServiceGraph.of(inputs.services()));
    }

    /** {@link #solve(Inputs, PoolAccounting.Ledger)} with the graph of the inputs' services already made. */
    public Result solve(Inputs inputs, PoolAccounting.Ledger ledger, ServiceGraph graph) {
        List<Problem> warnings = new ArrayList<>();
        List<ClusterFacts> clusters = ClusterFacts.of(inputs, warnings);
        Map<String, String> refused = new HashMap<>();
        ledger.refusals().forEach(r -> refused.putIfAbsent(r.cluster(), r.message()));
        return new Run(clusters, refused, inputs.services(), graph).place(warnings);
    }

    /** One solve: the mutable bookkeeping of free capacity and service counts as services are assigned. */
    private final class Run {
        private final List<ClusterFacts> clusters;
        private final List<LatticeService> services;
        private final long[] freeCpu;
        private final long[] freeMemory;
        private final long[] freeGpus;
        private final long[] freeGpuShares;
        private final int[] serviceCount;
        private final Map<String, RuleResults> rules = new HashMap<>();
        private final Map<ServiceId, Integer> placedOn = new HashMap<>();
        private final Map<String, ServiceId> volumeOwners = new HashMap<>();
        private final ServiceGraph graph;
        /** Why each cluster's pool refused it; null for a cluster that may take services. */
        private final String[] refusal;
        private final BitSet usable;
        private final Map<String, Integer> index = new HashMap<>();
        private long evaluations;
        /** Zone, region and provider of each cluster as small integers (-1: unknown), so locality compares ints. */
        private final int[] zone;
        private final int[] region;
        private final int[] provider;
        private final double[] price;

        Run(List<ClusterFacts> clusters, Map<String, String> refused, List<LatticeService> services, ServiceGraph graph) {
            this.clusters = clusters;
            this.services = services;
            int n = clusters.size();
            refusal = new String[n];
            usable = new BitSet(n);
            for (int i = 0; i < n; i++) {
                index.put(clusters.get(i).name(), i);
                refusal[i] = refused.get(clusters.get(i).name());
                if (refusal[i] == null) {
                    usable.set(i);
                }
            }
            freeCpu = new long[n];
            freeMemory = new long[n];
            freeGpus = new long[n];
            freeGpuShares = new long[n];
            serviceCount = new int[n];
            for (int i = 0; i < n; i++) {
                freeCpu[i] = clusters.get(i).cpuMillis();
                freeMemory[i] = clusters.get(i).memoryBytes();
                freeGpus[i] = clusters.get(i).gpus();
                freeGpuShares[i] = clusters.get(i).gpuShares();
            }
            this.graph = graph;
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
            record Order(LatticeService service, boolean consumerOnly, int matching, ServiceId id) implements Comparable<Order> {
                // Written out rather than chained comparators: a fleet's services are sorted on every pass.
                @Override
                public int compareTo(Order o) {
                    if (consumerOnly != o.consumerOnly) {
                        return consumerOnly ? 1 : -1;
                    }
                    return matching != o.matching ? Integer.compare(matching, o.matching) : id.compareTo(o.id);
                }
            }
            List<Order> order = new ArrayList<>();
            for (LatticeService s : services) {
                order.add(new Order(s, volumeIds(s, true).isEmpty(), matchingClusters(s), ServiceId.of(s)));
            }
            order.sort(null);
            // Services already placed keep their clusters first, so what they hold is not given to others; one that
            // cannot stay is placed afresh with the rest.
            Map<ServiceId, Placement> decisions = new TreeMap<>();
            Map<ServiceId, Placement.Move> moves = new HashMap<>();
            for (Order o : order) {
                String from = o.service().status().cluster();
                if (from == null) {
                    continue;
                }
                Integer there = index.get(from);
                if (there == null) {
                    moves.put(o.id(), new Placement.Move(from, Placement.CLUSTER_GONE, "cluster " + from + " is gone"));
                    continue;
                }
                Placement stayed = place(o.service(), there);
                if (stayed.scheduled()) {
                    decisions.put(o.id(), stayed);
                } else {
                    moves.put(o.id(), blocked != null ? blocked : new Placement.Move(from, stayed.reason(), stayed.message()));
                }
            }
            for (Order o : order) {
                if (!decisions.containsKey(o.id())) {
                    Placement fresh = place(o.service(), -1);
                    Placement.Move move = moves.get(o.id());
                    // Placed afresh back where it was (its volume's owner went there again, say), it did not move.
                    boolean moved = move != null && !(fresh.scheduled() && fresh.cluster().equals(move.from()));
                    decisions.put(o.id(), moved ? fresh.movedFrom(move) : fresh);
                }
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
            BitSet matching = (BitSet) usable.clone();
            if (rule != null) {
                matching.and(rules.get(rule).matches());
            }
            return matching.cardinality();
        }

        /** Why the service cannot stay on the cluster {@code stay} names, set by {@link #place} when it cannot. */
        private Placement.Move blocked;
        private int stay = -1;

        /** Whether to say why cluster {@code i} was not one: with --explain, or for the cluster a service stays on. */
        private boolean wanted(int i) {
            return explain || i == stay;
        }

        /** A cluster that cannot take the service: shown with --explain, and the reason it moves when it was there. */
        private void reject(List<Placement.Rejection> rejected, int i, String reason, Supplier<String> message) {
            if (i == stay) {
                blocked = new Placement.Move(clusters.get(i).name(), reason, message.get());
            }
            if (explain) {
                rejected.add(new Placement.Rejection(clusters.get(i).name(), reason, message.get()));
            }
        }

        /**
         * Places one service. With {@code stayOn} a cluster index, only that cluster is chosen (it is still scored
         * against the others); if it cannot take the service, the result is not scheduled there and {@link #blocked}
         * says why.
         */
        private Placement place(LatticeService s, int stayOn) {
            stay = stayOn;
            blocked = null;
            ServiceId id = ServiceId.of(s);
            String rule = s.spec().requirements().placement();
            RuleResults results = rule == null ? null : rules.get(rule);
            BitSet matching = new BitSet(clusters.size());
            if (results == null) {
                matching.set(0, clusters.size());
            } else {
                matching.or(results.matches());
            }
            List<Placement.Rejection> rejected = new ArrayList<>();
            if (results != null && (explain || stay >= 0)) {
                for (int i = 0; i < clusters.size(); i++) {
                    if (!matching.get(i)) {
                        String error = results.errors()[i];
                        reject(rejected, i, error != null ? Placement.RULE_FAILED : Placement.RULE_NOT_SATISFIED,
                                () -> error != null ? "the placement rule failed on this cluster: " + error
                                        : "the cluster does not satisfy " + results.rule().expression());
                    }
                }
            }
            BitSet allowed = (BitSet) matching.clone();
            allowed.and(usable);
            // A cluster its pool refused does not exist for placement; say so where it is all the rule matches.
            BitSet refusedMatches = (BitSet) matching.clone();
            refusedMatches.andNot(usable);
            for (int i = refusedMatches.nextSetBit(0); i >= 0; i = refusedMatches.nextSetBit(i + 1)) {
                int cluster = i;
                if (wanted(i)) {
                    reject(rejected, i, Placement.CLUSTER_REFUSED, () -> "its pool refused it: " + refusal[cluster]);
                }
            }
            if (allowed.isEmpty()) {
                if (!refusedMatches.isEmpty()) {
                    int first = refusedMatches.nextSetBit(0);
                    return unschedulable(s, Placement.CLUSTER_REFUSED, (refusedMatches.cardinality() == 1
                            ? "The only cluster with " + describe(results) + ", " + clusters.get(first).name() + ", was"
                            : "Every cluster with " + describe(results) + " (" + refusedMatches.cardinality() + ") was")
                            + " refused by its pool: " + refusal[first] + ". Give the pool more capacity or budget, or "
                            + "make the cluster smaller", rejected);
                }
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
                    if (stay >= 0 && stay != ownerCluster) {
                        reject(rejected, stay, Placement.VOLUME_OWNER_ELSEWHERE,
                                () -> "volume " + volumeName + " is on " + clusters.get(ownerCluster).name());
                    }
                    return unschedulable(s, Placement.VOLUME_OWNER_ELSEWHERE, "Volume " + volumeName + " lives on "
                            + clusters.get(ownerCluster).name() + " with its owner " + owner.name()
                            + ", which this service's placement rule does not allow", rejected);
                }
                for (int i = allowed.nextSetBit(0); i >= 0; i = allowed.nextSetBit(i + 1)) {
                    if (i != ownerCluster) {
                        allowed.clear(i);
                        if (wanted(i)) {
                            reject(rejected, i, Placement.VOLUME_OWNER_ELSEWHERE,
                                    () -> "volume " + volumeName + " is on " + clusters.get(ownerCluster).name());
                        }
                    }
                }
            }

            // An autoscaled service goes only where KEDA runs to scale it.
            if (s.spec().autoscaling() != null) {
                for (int i = allowed.nextSetBit(0); i >= 0; i = allowed.nextSetBit(i + 1)) {
                    if (!clusters.get(i).autoscaler()) {
                        allowed.clear(i);
                        if (wanted(i)) {
                            reject(rejected, i, Placement.NO_AUTOSCALER, () -> "runs no KEDA (monitoring: false)");
                        }
                    }
                }
                if (allowed.isEmpty()) {
                    return unschedulable(s, Placement.NO_AUTOSCALER, "Scales on KEDA, and no matching cluster runs it. Turn on "
                            + "monitoring: true on one, or leave autoscaling out", rejected);
                }
            }
            // A service that asks for GPUs goes only where a device plugin offers enough of them free: whole GPUs from
            // NVIDIA's, shares (a container that also asks for GPU memory or cores) from HAMi's.
            long gpus = demand(s, ResourceRequirements.GPU);
            boolean shares = sharesGpus(s);
            long[] free = shares ? freeGpuShares : freeGpus;
            String what = shares ? "GPU shares" : "GPUs";
            if (gpus > 0) {
                int roomiest = -1;
                for (int i = allowed.nextSetBit(0); i >= 0; i = allowed.nextSetBit(i + 1)) {
                    if (free[i] < gpus) {
                        allowed.clear(i);
                        int cluster = i;
                        if (wanted(i)) {
                            reject(rejected, i, Placement.INSUFFICIENT_GPUS, () -> free[cluster] == 0
                                    ? "offers no " + what + (shares ? " (gpu: true and a worker pool labelled gpu: \"on\" with GPU machines give it some)"
                                            : " (gpu: true and a GPU machine type give it some)")
                                    : "has " + free[cluster] + " " + what + " free, needs " + gpus);
                        }
                        if (roomiest < 0 || free[i] > free[roomiest]) {
                            roomiest = i;
                        }
                    }
                }
                if (allowed.isEmpty()) {
                    return unschedulable(s, Placement.INSUFFICIENT_GPUS, "Needs " + gpus + " " + what + " (" + ResourceRequirements.GPU + ") for "
                            + replicas(s) + " replicas; " + (free[roomiest] == 0
                            ? "no matching cluster has one free. " + (shares
                                    ? "Turn on gpu: true on a cluster and label a worker pool of GPU machines gpu: \"on\" for HAMi to share"
                                    : "Turn on gpu: true on a cluster whose worker pools have GPU machine types, or add such a pool")
                            : "the most a matching cluster has free is " + free[roomiest] + ", on " + clusters.get(roomiest).name()
                                    + ". Add GPU workers"), rejected);
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
                int cluster = i;
                if (c.maxServices() != null && serviceCount[i] >= c.maxServices()) {
                    fullOfServices++;
                    if (wanted(i)) {
                        reject(rejected, i, Placement.MAX_SERVICES_REACHED,
                                () -> "holds " + serviceCount[cluster] + " services, its maxServices");
                    }
                } else if (freeCpu[i] < cpu || freeMemory[i] < memory) {
                    if (bestShort < 0 || roomier(i, bestShort)) {
                        bestShort = i;
                    }
                    if (wanted(i)) {
                        reject(rejected, i, Placement.INSUFFICIENT_CAPACITY, () -> "has " + cores(freeCpu[cluster]) + " CPU and "
                                + bytes(freeMemory[cluster]) + " free, needs " + cores(cpu) + " and " + bytes(memory));
                    }
                } else {
                    candidates[candidateCount++] = i;
                }
            }
            if (candidateCount == 0) {
                if (bestShort >= 0) {
                    return unschedulable(s, Placement.INSUFFICIENT_CAPACITY, "Needs " + cores(cpu) + " CPU and "
                            + bytes(memory) + " for " + replicas(s) + " replicas; the roomiest matching cluster, "
                            + clusters.get(bestShort).name() + ", has " + cores(freeCpu[bestShort]) + " CPU and "
                            + bytes(freeMemory[bestShort]) + " free. Add workers to a cluster with "
                            + describe(results), rejected);
                }
                return unschedulable(s, Placement.MAX_SERVICES_REACHED, "All " + fullOfServices + " matching clusters"
                        + " hold their maxServices. Raise policies.maxServices or add a cluster with " + describe(results),
                        rejected);
            }
            int[] chosenFrom = java.util.Arrays.copyOf(candidates, candidateCount);
            if (stay >= 0 && java.util.Arrays.stream(chosenFrom).noneMatch(i -> i == stay)) {
                return unschedulable(s, blocked.reason(), blocked.message(), rejected); // not committed: placed afresh later
            }
            Placement chosen = choose(s, id, chosenFrom, cpu, memory, rejected);
            free[index.get(chosen.cluster())] -= gpus;
            return chosen;
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
            boolean staying = stay >= 0;
            List<Placement.Candidate> scored = explain ? new ArrayList<>() : null;
            for (int i : candidates) {
                double total = weights.total(capacity(i, cpu, memory, maxCpuAfter, maxMemoryAfter),
                        locality(i, neighbours), cost(i, cheapest));
                if (scored != null) {
                    scored.add(new Placement.Candidate(clusters.get(i).name(), round(total),
                            scores(i, cpu, memory, maxCpuAfter, maxMemoryAfter, neighbours, cheapest)));
                }
                // Candidates come in name order, so a tie keeps the first name. A service that stays takes its cluster.
                if (staying ? i == stay : total > bestScore) {
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

    /** Whether the service asks for shares of GPUs (HAMi's resources beside whole GPUs). */
    public static boolean sharesGpus(LatticeService s) {
        return s.spec().containers().values().stream().anyMatch(c -> ResourceRequirements.GPU_SHARES.stream().anyMatch(c.resources()::asks));
    }

    /** The replicas placement makes room for: an autoscaled service's most, as an autoscaled worker pool counts at its max. */
    static int replicas(LatticeService s) {
        return s.spec().autoscaling() != null ? s.spec().autoscaling().max() : s.spec().replicas();
    }

    /**
     * What a service asks of a cluster: {@linkplain #replicas replicas} × the sum of its containers' requests of
     * {@code resource} (a container without a request but with a limit requests its limit, as in Kubernetes).
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
        return perReplica * replicas(s);
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
