package dev.lattice.daemon.reconciler;

import dev.lattice.core.graph.ServiceGraph;
import dev.lattice.core.mesh.MeshCompiler;
import dev.lattice.core.mesh.Piece;
import dev.lattice.core.model.Kind;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.LatticeExternalService;
import dev.lattice.core.parse.Problem;
import dev.lattice.core.placement.Placement;
import dev.lattice.core.plan.Plan;
import dev.lattice.core.plan.Planner;
import dev.lattice.core.status.ObjectStatus;
import dev.lattice.engine.kube.Coordinates;
import dev.lattice.engine.kube.PlacementRecorder;
import dev.lattice.engine.kube.RequestPool;
import dev.lattice.engine.kube.StatusWriter;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LatticeService and LatticeExternalService: places every service with the solver over the clusters this cluster
 * knows (itself and its children), records each decision in the service's status, compiles the service graph, and
 * makes each cluster hold exactly its compiled objects: this cluster directly, a child through its agent. Placement
 * is over the whole graph, so there is one key.
 */
public final class ServiceReconciler implements Reconciler {
    public static final String KEY = "services";
    private static final Logger LOG = LoggerFactory.getLogger(ServiceReconciler.class);
    private static final String INVALID = "InvalidSpec";
    /** A full pass takes at most one part in this many of the time (see {@link #fullInterval}). */
    private static final int FULL_SHARE = 10;
    /** A pass that sends at least this many objects tells how long applying every one would take. */
    private static final int PACE_SAMPLE = 500;

    private final LatticeCache cache;
    private final ObjectSync sync;
    private final PlacementRecorder recorder;
    private final StatusWriter status;
    private final Supplier<String> self;
    private final Children children;
    private final Duration fullEvery;
    private final Planner planner = Planner.remembering();
    private final RequestPool requests;
    private final Runnable again;
    private String lastPlan;
    private volatile Plan plan;
    private Set<String> warned = new HashSet<>();
    private Set<String> toldUnreachable = Set.of();
    private long lastFull;
    /** What applying every object would take, at the pace of the last pass that sent many ({@link #PACE_SAMPLE}). */
    private long fullCost;
    private Map<Coordinates, String> lastWaiting = Map.of();
    /** Each served child's objects as last rendered, while its pieces stay equal. */
    private final RenderedObjects rendered = new RenderedObjects();
    /**
     * What each service's status was last made from ({@code namespace/name}): its placement, what its objects' pass
     * said of it ({@link AppliedConditions#signature}), and the resourceVersion of the object it was checked against.
     * A service for which all three are the same again holds that status already: at 10,000 services, making and
     * comparing every status on every pass was most of the time a change took to reach its objects.
     */
    private final Map<String, Recorded> lastRecorded = new ConcurrentHashMap<>();

    private record Recorded(Placement placement, Object applied, String resourceVersion) {
    }

    /**
     * @param fullEvery how often every object is applied again and stale ones found by listing (see ObjectSync)
     * @param again asks for another pass, for what a pass left over
     */
    public ServiceReconciler(KubernetesClient client, LatticeCache cache, ServedKinds served, Supplier<String> self, Children children,
                             RequestPool requests, StatusWriter status, Duration fullEvery, Runnable again) {
        this.again = again;
        this.cache = cache;
        this.requests = requests;
        this.sync = new ObjectSync(client, served::unserved, requests);
        this.recorder = new PlacementRecorder(client, status);
        this.status = status;
        this.self = self;
        this.children = children;
        this.fullEvery = fullEvery;
    }

    /**
     * The last plan this reconciler acted on, as {@link Plan#digest()} and {@link Plan#objectsDigest()} separated by a
     * space; null before the first. The objects' digest renders every object: for tests and diagnostics, not for the
     * reconcile path.
     */
    public String lastPlan() {
        Plan last = plan;
        return last == null ? null : last.digest() + " " + last.objectsDigest();
    }

    /** How many services the last plan placed ({@code [0]}) and could not ({@code [1]}); none before the first. */
    public long[] placements() {
        Plan last = plan;
        return last == null ? new long[] {0, 0} : new long[] {last.placements().size() - last.unplaced(), last.unplaced()};
    }

    @Override
    public String name() {
        return "services";
    }

    /**
     * How often every object is applied again (which repairs hand edits and finds stale objects by listing): every
     * {@code fullEvery}, or {@link #FULL_SHARE} times as long as that would take, whichever is longer, so that a large
     * fleet's repairs never take more than a tenth of the API server's time from its changes.
     */
    private long fullInterval() {
        return Math.max(fullEvery.toNanos(), FULL_SHARE * fullCost);
    }

    @Override
    public void reconcile(String key) {
        long edits = cache.edits();
        LatticeCache.Snapshot snapshot = cache.snapshot();
        Plan plan = planner.plan(snapshot.inputs(), snapshot.ledger());
        // By namespace/name, each service's key made once a pass (as the informers' store keys them).
        Map<String, Placement> placements = new LinkedHashMap<>(plan.placements().size() * 4 / 3 + 1);
        for (Placement p : plan.placements()) {
            placements.put(key(p), p);
            if (p.move() != null) {
                LOG.info("{}/{} leaves {} ({}: {}){}", p.namespace(), p.service(), p.move().from(), p.move().reason(),
                        p.move().message(), p.scheduled() ? " for " + p.cluster() : ", and no other cluster can take it");
            }
        }
        logNewWarnings(plan.warnings());
        recordExternal(snapshot, plan.compiled());
        String digest = plan.digest();
        if (!digest.equals(lastPlan)) {
            LOG.info("plan {}: {} services placed, {} not, on {} clusters", digest, plan.placements().size() - plan.unplaced(),
                    plan.unplaced(), snapshot.inputs().clusters().size());
            lastPlan = digest;
        }
        this.plan = plan;
        String own = self.get();
        long started = System.nanoTime();
        boolean full = lastFull == 0 || started - lastFull > fullInterval();
        if (full && lastFull != 0) {
            LOG.info("applying every object for this cluster again (every {} s at this fleet's size)", fullInterval() / 1_000_000_000);
        }
        // Every cluster of the inputs is there, one that holds no service with nothing (so it removes what it held).
        Map<String, MeshCompiler.ClusterManifests> byCluster = new TreeMap<>();
        for (LatticeCluster c : snapshot.inputs().clusters()) {
            byCluster.put(c.name(), new MeshCompiler.ClusterManifests(c.name(), List.of(), List.of()));
        }
        plan.compiled().manifests().stream().filter(m -> m.cluster() != null).forEach(m -> byCluster.put(m.cluster(), m));
        ObjectSync.Pass pass = ObjectSync.Pass.NONE;
        Set<String> recorded = new HashSet<>();
        // The children this daemon reaches, each with what its agent reported of the objects last sent (once it has).
        Set<String> reached = new HashSet<>();
        Set<String> unreachable = new HashSet<>();
        Map<String, AppliedConditions> reported = new HashMap<>();
        for (Map.Entry<String, MeshCompiler.ClusterManifests> e : byCluster.entrySet()) {
            if (e.getKey().equals(own)) {
                List<Piece> pieces = new ArrayList<>(e.getValue().pieces());
                snapshot.inputs().cluster(own).ifPresent(c -> pieces.add(MeshCompiler.daemonPiece(c)));
                // A long pass stops between chunks when a user's change waits (not for the placements it writes itself),
                // and each chunk's services have their status as soon as their objects have gone out.
                pass = sync.sync(own, pieces, full, () -> cache.edits() != edits, chunk -> {
                    Map<String, Placement> sent = new LinkedHashMap<>();
                    for (String service : chunk.services()) {
                        Placement p = placements.get(service);
                        if (p != null && own.equals(p.cluster())) {
                            sent.put(service, p);
                        }
                    }
                    recordOwn(sent, new AppliedConditions(chunk.objects(), chunk.outcome()));
                    recorded.addAll(chunk.services());
                });
                if (pass.outcome().changed() > 0) {
                    LOG.info("applied or removed {} objects of {} for this cluster", pass.outcome().changed(), pass.objects().size());
                }
            } else if (children.desired(e.getKey(), () -> rendered.of(e.getValue()))) {
                reached.add(e.getKey());
                ObjectSync.Outcome report = children.applied(e.getKey());
                if (report != null) {
                    reported.put(e.getKey(), AppliedConditions.of(rendered.of(e.getValue()), report));
                }
            } else if (!e.getValue().services().isEmpty()) {
                unreachable.add(e.getKey());
            }
        }
        rendered.retain(reached);
        // Said once per cluster while it stays so (each service's status says it too: Ready Unknown, Unreachable).
        for (String cluster : unreachable) {
            if (!toldUnreachable.contains(cluster)) {
                LOG.info("services are placed on {}, which is neither this cluster nor a child whose agent this daemon serves: "
                        + "nothing here applies their objects", cluster);
            }
        }
        toldUnreachable = unreachable;
        if (full) {
            lastFull = System.nanoTime();
        }
        if (pass.outcome().changed() >= PACE_SAMPLE) {
            fullCost = (System.nanoTime() - started) / pass.outcome().changed() * pass.objects().size();
        }
        ObjectSync.Outcome outcome = pass.outcome();
        // Each decision and, for the services here, whether their objects are in place: one status write per service,
        // once its objects have gone out (those of a chunk as it went; one the pass left over by the pass that sends it).
        Set<String> deferred = pass.deferred();
        if (!deferred.isEmpty()) {
            LOG.debug("{} services left for the next pass, to let a change in", deferred.size());
            again.run();
        }
        Map<String, Placement> rest = new LinkedHashMap<>(placements);
        rest.keySet().removeIf(service -> deferred.contains(service) || recorded.contains(service));
        AppliedConditions applied = new AppliedConditions(pass.objects(), outcome);
        Instant now = status.now();
        Map<String, AppliedConditions> reports = reported;
        Function<Placement, Object> signature = p -> !p.scheduled() ? "NotPlaced"
                : own.equals(p.cluster()) ? applied.signature(p.namespace(), p.service())
                : reports.containsKey(p.cluster()) ? reports.get(p.cluster()).signature(p.namespace(), p.service())
                : reached.contains(p.cluster()) ? "NotReported" : "Unreachable";
        record(rest, signature, (p, next, generation) -> {
            if (!p.scheduled()) {
                AppliedConditions.clear(next);
            } else if (own.equals(p.cluster())) {
                applied.write(p.namespace(), p.service(), next, generation, now);
            } else if (reported.containsKey(p.cluster())) {
                reported.get(p.cluster()).write(p.namespace(), p.service(), next, generation, now);
            } else if (reached.contains(p.cluster())) {
                AppliedConditions.unknown(next, "NotReported", "cluster " + p.cluster() + " has not reported its objects yet: "
                        + "its agent is not connected, or still applying them", generation, now);
            } else {
                AppliedConditions.unknown(next, "Unreachable", "cluster " + p.cluster() + " is neither this cluster nor a child "
                        + "whose agent this daemon serves, so nothing here applies its objects", generation, now);
            }
        });
        recorder.record(invalid(snapshot), p -> cache.get(Kind.LATTICE_SERVICE, p.namespace(), p.service()));
        // Services gone from the plan (deleted, or refused by the parser) are forgotten.
        lastRecorded.keySet().retainAll(placements.keySet());
        if (!outcome.failed().isEmpty()) {
            // Retried with back-off; what waits for a CRD is woken by the CRD's watch instead.
            Map.Entry<Coordinates, String> first = outcome.failed().entrySet().iterator().next();
            throw new IllegalStateException(outcome.failed().size() + " objects for this cluster could not be applied or deleted, "
                    + "the first " + first.getKey() + ": " + first.getValue());
        }
        if (!outcome.waiting().isEmpty() && !outcome.waiting().equals(lastWaiting)) {
            LOG.info("{} objects wait for kinds this cluster does not serve yet: {}", outcome.waiting().size(),
                    outcome.waiting().values().stream().distinct().collect(Collectors.joining("; ")));
        }
        lastWaiting = outcome.waiting();
    }

    /** The placements of services on this cluster, with whether their objects are in place. */
    private void recordOwn(Map<String, Placement> placements, AppliedConditions applied) {
        Instant now = status.now();
        record(placements, p -> applied.signature(p.namespace(), p.service()),
                (p, next, generation) -> applied.write(p.namespace(), p.service(), next, generation, now));
    }

    /**
     * Writes the status of each service whose placement, {@code signature} or object changed since it was last
     * recorded ({@link #lastRecorded}); the others hold theirs already.
     */
    private void record(Map<String, Placement> placements, Function<Placement, Object> signature, PlacementRecorder.More more) {
        List<Placement> changed = new ArrayList<>();
        Map<String, Recorded> checks = new HashMap<>();
        placements.forEach((service, p) -> {
            GenericKubernetesResource live = cache.get(Kind.LATTICE_SERVICE, service);
            if (live != null) {
                Recorded now = new Recorded(p, signature.apply(p), live.getMetadata().getResourceVersion());
                if (!now.equals(lastRecorded.get(service))) {
                    changed.add(p);
                    checks.put(service, now);
                }
            }
        });
        recorder.record(changed, p -> cache.get(Kind.LATTICE_SERVICE, p.namespace(), p.service()), more, requests);
        // Only once every write went through (record throws otherwise): a written status moves the resourceVersion, so
        // the next pass looks at it once more, finds it as made, and remembers that version.
        lastRecorded.putAll(checks);
    }

    private static String key(Placement p) {
        return p.namespace() + "/" + p.service();
    }

    /**
     * Each LatticeExternalService's status: {@code Ready} once compiled into egress rules, with who may call it (the
     * agreed callers, those that both declare it and are in its allowed_requesters); {@code Failed} when the parser
     * refused it.
     */
    private void recordExternal(LatticeCache.Snapshot snapshot, MeshCompiler.Result compiled) {
        Map<ServiceGraph.ServiceId, List<String>> callers = new TreeMap<>();
        for (ServiceGraph.Edge e : compiled.external()) {
            callers.computeIfAbsent(e.callee(), k -> new ArrayList<>()).add(e.caller().namespace() + "/" + e.caller().name());
        }
        for (LatticeExternalService external : snapshot.inputs().externalServices()) {
            GenericKubernetesResource live = cache.get(Kind.LATTICE_EXTERNAL_SERVICE, external.metadata().namespace(), external.name());
            if (live == null) {
                continue;
            }
            Long generation = live.getMetadata().getGeneration();
            List<String> agreed = callers.getOrDefault(ServiceGraph.ServiceId.of(external), List.of());
            ObjectStatus next = StatusWriter.of(live).observedGeneration(generation).phase("Ready").condition("Ready", true, "Compiled",
                    agreed.isEmpty() ? "no service both declares it and is among its allowed_requesters, so nothing may call it"
                            : "egress allowed for " + String.join(", ", agreed), generation, status.now());
            status.write(Kind.LATTICE_EXTERNAL_SERVICE, live, next);
        }
        for (LatticeCache.Rejected r : snapshot.rejected(Kind.LATTICE_EXTERNAL_SERVICE)) {
            Long generation = r.live().getMetadata().getGeneration();
            ObjectStatus next = StatusWriter.of(r.live()).observedGeneration(generation).phase("Failed").condition("Ready", false, INVALID,
                    r.problems().stream().map(Problem::render).collect(Collectors.joining("; ")), generation, status.now());
            status.write(Kind.LATTICE_EXTERNAL_SERVICE, r.live(), next);
        }
    }

    /** A service the parser refused is not placed, and says why in its status. */
    private static List<Placement> invalid(LatticeCache.Snapshot snapshot) {
        return snapshot.rejected(Kind.LATTICE_SERVICE).stream().map(r -> new Placement(r.live().getMetadata().getName(),
                r.live().getMetadata().getNamespace(), Placement.Phase.Unschedulable, null, 0, null, INVALID,
                r.problems().stream().map(Problem::render).collect(Collectors.joining("; ")), List.of(), List.of())).toList();
    }

    private void logNewWarnings(List<Problem> warnings) {
        Set<String> now = new HashSet<>();
        for (Problem w : warnings) {
            String text = w.render();
            now.add(text);
            if (!warned.contains(text)) {
                LOG.warn("{}", text);
            }
        }
        warned = now;
    }
}
