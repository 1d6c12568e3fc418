package dev.lattice.daemon.reconciler;

import dev.lattice.core.mesh.MeshCompiler.CompiledKind;
import dev.lattice.core.mesh.MeshCompiler;
import dev.lattice.core.mesh.Piece;
import dev.lattice.core.model.LatticeService;
import dev.lattice.engine.kube.Applier;
import dev.lattice.engine.kube.Coordinates;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.engine.kube.RequestPool;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a cluster holding exactly the compiled objects it should: applies them with server-side apply (Lattice's
 * one field manager) and deletes the compiled objects of the same source that are no longer wanted, so a removed
 * service or a withdrawn declaration takes its objects and allow rules with it.
 *
 * <p>Each object is labelled with its source, the cluster whose daemon compiled it: a child's own reconciler and the
 * objects its parent sends then never prune each other's.
 *
 * <p>A fleet compiles to tens of thousands of objects and a change touches a few. The objects come as {@link Piece}s,
 * each with everything it is rendered from; between full passes a piece equal to one this process applied whole is
 * neither rendered nor sent again, and stale objects are found from that memory. A full pass (every piece applied,
 * stale objects found by listing) runs first and whenever {@code full} is asked for, which also repairs hand edits.
 * Requests go out side by side on a {@link RequestPool}, Namespaces before anything else, and pieces are rendered as
 * slots free up, so a fleet's objects are never all in memory at once.
 *
 * <p>The cluster takes what it can: an object of a kind it does not serve yet (a mesh policy before its CRD is
 * installed) waits, an object the server refuses fails alone, and neither holds back the others. Both are sent again
 * on the next pass, and the outcome says which they are and why.
 */
public final class ObjectSync {
    /** Which daemon compiled the object. */
    public static final String SOURCE_LABEL = "lattice.dev/source";
    private static final Duration FOUNDATIONS = Duration.ofSeconds(30);
    private static final long PAGE = 500;
    /** The compiled kinds by API version, then kind: looked up for every object a pass sends or deletes. */
    private static final Map<String, Map<String, CompiledKind>> COMPILED = MeshCompiler.KINDS.stream().collect(
            Collectors.groupingBy(CompiledKind::apiVersion, Collectors.toMap(CompiledKind::kind, k -> k)));

    /**
     * What a pass did: how many objects it applied or deleted, and the objects it could not apply, each with why:
     * those {@code waiting} for their kind to be served, and those that {@code failed}.
     */
    public record Outcome(int changed, Map<Coordinates, String> waiting, Map<Coordinates, String> failed) {
    }

    /** An object a pass wanted in place, and the service it belongs to (null: its whole namespace's). */
    public record Tracked(Coordinates ref, String service) {
        public static Tracked of(HasMetadata object) {
            Map<String, String> labels = object.getMetadata().getLabels();
            return new Tracked(Coordinates.of(object), labels == null ? null : labels.get(MeshCompiler.NAME_LABEL));
        }

        // Written out, as Coordinates' are: a pass puts a fleet's objects in several sets.
        @Override
        public boolean equals(Object o) {
            return o instanceof Tracked t && ref.equals(t.ref) && Objects.equals(service, t.service);
        }

        @Override
        public int hashCode() {
            return ref.hashCode() * 31 + Objects.hashCode(service);
        }
    }

    /**
     * A pass of {@link #sync}: what it did, every object it wanted in place, and the services ({@code namespace/name})
     * whose changed pieces it left for a later pass (nothing of theirs was sent, their objects are not among
     * {@code objects}).
     */
    public record Pass(Outcome outcome, List<Tracked> objects, Set<String> deferred) {
        public static final Pass NONE = new Pass(new Outcome(0, Map.of(), Map.of()), List.of(), Set.of());
    }

    /**
     * A chunk {@link #sync} has sent: its services ({@code namespace/name}), their objects with the namespaces' and the
     * cluster's own that they share, and what waits and failed so far in the pass.
     */
    public record Chunk(Set<String> services, List<Tracked> objects, Outcome outcome) {
    }

    /**
     * How many services' changed pieces go out together before a pass looks whether it should stop and let a change in:
     * about 300 objects, 1–2 s of a busy API server, which is as long as a change waits behind a long pass.
     */
    static final int CHUNK = 50;

    /**
     * A piece as a pass looks it up, its hash and service worked out once: a pass looks up every piece of the fleet, and
     * a piece hashes everything it is rendered from.
     */
    private static final class Keyed {
        final Piece piece;
        final int hash;
        /** {@code namespace/name}, or null for a namespace's or the cluster's own piece. */
        final String service;

        Keyed(Piece piece) {
            this.piece = piece;
            this.hash = piece.hashCode();
            this.service = serviceOf(piece);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Keyed k && (k.piece == piece || k.hash == hash && k.piece.equals(piece));
        }
    }

    /**
     * What this process applied for a source: the pieces applied whole, and objects it is unsure of (to delete if
     * unwanted); and every piece of the pass as it was looked up, by identity: a compiler that gives back an unchanged
     * service's pieces as the same instances ({@code MeshCompiler.remembering}) has them found again without hashing or
     * comparing them.
     */
    private record Memory(Map<Keyed, List<Tracked>> done, Set<Tracked> unsure, Map<Piece, Keyed> keyed) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(ObjectSync.class);

    private final KubernetesClient client;
    private final Applier applier;
    private final Function<Coordinates, String> unserved;
    private final RequestPool requests;
    private final Map<String, Memory> applied = new HashMap<>();
    /** By source, the services the last pass left for later, with their pieces: one changed since goes before them. */
    private final Map<String, Map<String, List<Piece>>> deferred = new HashMap<>();

    /**
     * @param unserved why the cluster cannot take an object's kind yet, or null when it can
     * @param requests where the requests run, so many at a time
     */
    public ObjectSync(KubernetesClient client, Function<Coordinates, String> unserved, RequestPool requests) {
        this.client = client;
        this.applier = new Applier(client, Duration.ofMillis(50));
        this.unserved = unserved;
        this.requests = requests;
    }

    /**
     * Applies {@code desired} from {@code source} and deletes what that source applied before and no longer wants.
     * A piece with an object that waits or fails is left out of this process's memory, so the next pass sends it again.
     *
     * <p>The changed pieces go out {@value #CHUNK} services at a time (the namespaces' and the cluster's own pieces
     * with the first), and {@code sent} hears of each chunk as it has gone out, so statuses can follow at once. After
     * each chunk, should {@code stop} say so (a change is waiting), the rest are left for the next pass and named in
     * {@link Pass#deferred()}. That pass sends the services that changed meanwhile before those left over, so one edit
     * never waits behind a fleet's first apply. Nothing of a deferred service is deleted.
     */
    public synchronized Pass sync(String source, List<? extends Piece> desired, boolean full, BooleanSupplier stop, Consumer<Chunk> sent) {
        Memory before = applied.remove(source); // should this pass die half-way, the next one is a full one
        Map<String, List<Piece>> leftBefore = deferred.getOrDefault(source, Map.of());
        Map<Keyed, List<Tracked>> done = new LinkedHashMap<>();
        List<Keyed> keys = new ArrayList<>(desired.size());
        List<Piece> common = new ArrayList<>();
        Map<String, List<Piece>> changed = new LinkedHashMap<>();
        Set<String> present = new HashSet<>();
        // The remembered objects of the pieces found again (by identity: the lists are the memory's own).
        Set<List<Tracked>> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<Piece, Keyed> keyed = new IdentityHashMap<>(desired.size());
        for (Piece p : desired) {
            Keyed k = before == null ? null : before.keyed().get(p);
            k = k != null ? k : new Keyed(p);
            keyed.put(p, k);
            keys.add(k);
            present.add(k.service);
            List<Tracked> known = full || before == null ? null : before.done().get(k);
            if (known != null) {
                done.put(k, known);
                kept.add(known);
            } else if (k.service == null) {
                common.add(p);
            } else {
                changed.computeIfAbsent(k.service, x -> new ArrayList<>()).add(p);
            }
        }
        // A service with no piece here any more (moved away, deleted) loses its objects now, not after a long pass.
        Set<Coordinates> gone = new LinkedHashSet<>();
        if (before != null) {
            before.done().forEach((k, tracked) -> {
                if (k.service != null && !present.contains(k.service)) {
                    tracked.stream().filter(t -> t.service() != null).forEach(t -> gone.add(t.ref()));
                }
            });
            before.unsure().stream().filter(t -> t.service() != null && !present.contains(t.ref().namespace() + "/" + t.service()))
                    .forEach(t -> gone.add(t.ref()));
        }
        Map<Coordinates, String> goneFailed = delete(List.copyOf(gone));
        // What changed since the last pass first, then what it left over as it was.
        List<List<Piece>> queue = new ArrayList<>();
        List<List<Piece>> leftOver = new ArrayList<>();
        changed.forEach((service, pieces) -> (pieces.equals(leftBefore.get(service)) ? leftOver : queue).add(pieces));
        queue.addAll(leftOver);
        Run run = new Run(source);
        // By identity: the pieces sent are the instances of desired.
        Map<Piece, List<Tracked>> rendered = new IdentityHashMap<>();
        // The namespaces' and the cluster's own objects, which every service's conditions take into account.
        List<Tracked> shared = new ArrayList<>();
        done.forEach((k, tracked) -> {
            if (k.service == null) {
                shared.addAll(tracked);
            }
        });
        List<Piece> chunk = new ArrayList<>(common);
        Map<String, List<Piece>> later = new LinkedHashMap<>();
        int services = 0;
        for (int i = 0; i < queue.size(); i++) {
            if (services == CHUNK) {
                send(run, chunk, rendered, shared, sent);
                chunk = new ArrayList<>();
                services = 0;
                if (stop.getAsBoolean()) {
                    queue.subList(i, queue.size()).forEach(ps -> later.put(serviceOf(ps.get(0)), ps));
                    break;
                }
            }
            chunk.addAll(queue.get(i));
            services++;
        }
        if (!chunk.isEmpty()) {
            send(run, chunk, rendered, shared, sent);
        }
        deferred.put(source, later);
        List<Tracked> objects = new ArrayList<>();
        Set<Tracked> unsure = new HashSet<>();
        for (Keyed k : keys) {
            List<Tracked> known = done.get(k);
            List<Tracked> tracked = known != null ? known : rendered.get(k.piece);
            if (tracked == null) {
                continue; // deferred
            }
            objects.addAll(tracked);
            if (known == null) {
                if (tracked.stream().noneMatch(t -> run.waiting.containsKey(t.ref()) || run.failed.containsKey(t.ref()))) {
                    done.put(k, tracked);
                } else {
                    unsure.addAll(tracked); // some may be there from before: deleted once unwanted
                }
            }
        }
        // What may be stale: every object held, on a full pass; else what the memory had of the pieces not found again
        // (those found again want all their objects still), and what it was unsure of.
        Set<Tracked> candidates = new LinkedHashSet<>();
        if (full || before == null) {
            candidates.addAll(heldTracked(source));
        } else {
            before.done().values().stream().filter(tracked -> !kept.contains(tracked)).forEach(candidates::addAll);
            candidates.addAll(before.unsure());
        }
        // Wanted: the objects just sent (a changed piece's are mostly the ones it had), and only if one is not among
        // them, every object of the pass.
        Set<Coordinates> justSent = new HashSet<>();
        rendered.values().forEach(tracked -> tracked.forEach(t -> justSent.add(t.ref())));
        Set<Coordinates> wanted = candidates.stream().allMatch(t -> justSent.contains(t.ref())) ? justSent : everything(objects);
        Set<Coordinates> stale = new LinkedHashSet<>();
        for (Tracked t : candidates) {
            if (wanted.contains(t.ref()) || "Namespace".equals(t.ref().kind()) || gone.contains(t.ref())) {
                continue;
            }
            if (t.service() != null && later.containsKey(t.ref().namespace() + "/" + t.service())) {
                unsure.add(t); // a deferred service's: its next pass decides
            } else {
                stale.add(t.ref());
            }
        }
        Map<Coordinates, String> notDeleted = new LinkedHashMap<>(delete(List.copyOf(stale)));
        notDeleted.putAll(goneFailed);
        Map<Coordinates, String> failed = new LinkedHashMap<>(run.failed);
        failed.putAll(notDeleted);
        candidates.stream().filter(t -> notDeleted.containsKey(t.ref())).forEach(unsure::add); // the next pass tries again
        applied.put(source, new Memory(done, unsure, keyed));
        Outcome outcome = new Outcome(run.done.get() + stale.size() + gone.size() - notDeleted.size(), Map.copyOf(run.waiting), failed);
        return new Pass(outcome, objects, Set.copyOf(later.keySet()));
    }

    private static Set<Coordinates> everything(List<Tracked> objects) {
        Set<Coordinates> all = new HashSet<>();
        objects.forEach(t -> all.add(t.ref()));
        return all;
    }

    /** Sends a chunk's pieces and tells {@code sent} which services went out, with their objects and the shared ones. */
    private void send(Run run, List<Piece> chunk, Map<Piece, List<Tracked>> rendered, List<Tracked> shared, Consumer<Chunk> sent) {
        Map<Piece, List<Tracked>> now = run.apply(chunk);
        rendered.putAll(now);
        Set<String> services = new LinkedHashSet<>();
        List<Tracked> objects = new ArrayList<>();
        for (Piece p : chunk) {
            List<Tracked> tracked = now.getOrDefault(p, List.of());
            String service = serviceOf(p);
            if (service == null) {
                shared.addAll(tracked);
            } else {
                services.add(service);
                objects.addAll(tracked);
            }
        }
        if (!services.isEmpty()) {
            objects.addAll(shared);
            sent.accept(new Chunk(services, objects, new Outcome(run.done.get(), Map.copyOf(run.waiting), Map.copyOf(run.failed))));
        }
    }

    /** The service ({@code namespace/name}) a piece belongs to; null for a namespace's or the cluster's own. */
    private static String serviceOf(Piece p) {
        LatticeService s = p instanceof Piece.Workload w ? w.service()
                : p instanceof Piece.Ingress in ? in.callee()
                : p instanceof Piece.Egress out ? out.caller() : null;
        return s == null ? null : s.metadata().namespace() + "/" + s.name();
    }

    /**
     * Applies the objects labelled as coming from {@code source}, each on its own: Namespaces first, then the rest; an
     * object of a kind not served yet waits, one the server refuses fails, and the rest go on.
     */
    public Outcome apply(String source, List<? extends HasMetadata> objects) {
        Run run = new Run(source);
        run.apply(List.of(new Given(objects)));
        return new Outcome(run.done.get(), Map.copyOf(run.waiting), Map.copyOf(run.failed));
    }

    /** Objects given as they are, for {@link #apply}. */
    private record Given(List<? extends HasMetadata> objects) {
    }

    /** One pass's applies: side by side, Namespaces first; what waits and what failed, with why. */
    private final class Run {
        final String source;
        final Map<Coordinates, String> waiting = new ConcurrentHashMap<>();
        final Map<Coordinates, String> failed = new ConcurrentHashMap<>();
        final Set<String> failedNamespaces = ConcurrentHashMap.newKeySet();
        final AtomicInteger done = new AtomicInteger();

        Run(String source) {
            this.source = source;
        }

        /** Renders and applies the pieces (or {@link Given} objects); returns what each piece rendered. */
        Map<Piece, List<Tracked>> apply(List<?> parts) {
            Map<Piece, List<Tracked>> rendered = new HashMap<>();
            // Namespaces first: nothing can be created in one before it is there.
            List<HasMetadata> later = new ArrayList<>();
            RequestPool.Batch namespaces = requests.batch();
            for (Object part : parts) {
                if (part instanceof Piece.Namespace || part instanceof Given) {
                    List<? extends HasMetadata> objects = part instanceof Given g
                            ? g.objects().stream().map(o -> copyLabelled(o, source)).toList() : labelled(((Piece) part).render(), source);
                    if (part instanceof Piece p) {
                        rendered.put(p, objects.stream().map(Tracked::of).toList());
                    }
                    for (HasMetadata o : objects) {
                        if (isNamespace(o)) {
                            submit(namespaces, o);
                        } else {
                            later.add(o);
                        }
                    }
                }
            }
            namespaces.await();
            RequestPool.Batch rest = requests.batch();
            later.forEach(o -> submit(rest, o));
            for (Object part : parts) {
                if (part instanceof Piece p && !(part instanceof Piece.Namespace)) {
                    List<HasMetadata> objects = labelled(p.render(), source);
                    rendered.put(p, objects.stream().map(Tracked::of).toList());
                    objects.forEach(o -> submit(rest, o));
                }
            }
            rest.await();
            return rendered;
        }

        private void submit(RequestPool.Batch batch, HasMetadata o) {
            Coordinates ref = Coordinates.of(o);
            String why = unserved.apply(ref);
            if (why != null) {
                waiting.put(ref, why);
            } else if (ref.namespace() != null && failedNamespaces.contains(ref.namespace())) {
                failed.put(ref, "its namespace " + ref.namespace() + " could not be applied");
            } else {
                batch.submit(() -> {
                    try {
                        String plural = plural(ref);
                        if (plural != null) {
                            applier.send(o, plural);
                        } else {
                            applier.apply(List.of(o), FOUNDATIONS);
                        }
                        done.incrementAndGet();
                    } catch (RuntimeException e) {
                        failed.put(ref, reason(e));
                        if (isNamespace(o)) {
                            failedNamespaces.add(ref.name());
                        }
                    }
                });
            }
        }
    }

    /**
     * The compiled objects from {@code source} the cluster holds (Namespaces aside: they are never deleted). A kind
     * that cannot be listed (not installed, or forbidden) holds nothing to find, and the others are still listed.
     */
    public List<Coordinates> held(String source) {
        return heldTracked(source).stream().map(Tracked::ref).toList();
    }

    /** The same, each with the service it belongs to. */
    private List<Tracked> heldTracked(String source) {
        List<Tracked> held = new ArrayList<>();
        for (CompiledKind kind : MeshCompiler.KINDS) {
            try {
                String next = null;
                do { // a page at a time: a fleet's Deployments, whole, would not fit in the daemon's memory at once
                    var page = client.genericKubernetesResources(context(kind)).inAnyNamespace()
                            .withLabel(MeshCompiler.MANAGED_BY_LABEL, MeshCompiler.MANAGER).withLabel(SOURCE_LABEL, source)
                            .list(new ListOptionsBuilder().withLimit(PAGE).withContinue(next).build());
                    for (GenericKubernetesResource r : page.getItems()) {
                        Map<String, String> labels = r.getMetadata().getLabels();
                        held.add(new Tracked(new Coordinates(kind.apiVersion(), kind.kind(), r.getMetadata().getNamespace(), r.getMetadata().getName()),
                                labels == null ? null : labels.get(MeshCompiler.NAME_LABEL)));
                    }
                    next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
                } while (next != null && !next.isEmpty());
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) { // a kind whose CRD is not installed holds nothing, and says nothing of it
                    LOG.warn("cannot list {} to find stale ones: {}", kind.kind(), Applier.reason(e));
                }
            }
        }
        return held;
    }

    /**
     * Deletes the objects, each on its own; one already gone is not an error. Namespaces are kept. Returns those that
     * could not be deleted, with why.
     */
    public Map<Coordinates, String> delete(List<Coordinates> refs) {
        Map<Coordinates, String> failed = new ConcurrentHashMap<>();
        RequestPool.Batch batch = requests.batch();
        for (Coordinates ref : refs) {
            if ("Namespace".equals(ref.kind()) && "v1".equals(ref.apiVersion())) {
                continue;
            }
            CompiledKind kind = compiled(ref);
            if (kind == null) {
                throw new IllegalArgumentException("not a kind Lattice compiles: " + ref);
            }
            batch.submit(() -> {
                try {
                    client.genericKubernetesResources(context(kind)).inNamespace(ref.namespace()).withName(ref.name()).delete();
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 404) {
                        failed.put(ref, "cannot delete it: " + Applier.reason(e));
                    }
                } catch (RuntimeException e) {
                    failed.put(ref, "cannot delete it: " + e.getMessage());
                }
            });
        }
        batch.await();
        return new LinkedHashMap<>(failed);
    }

    private static boolean isNamespace(HasMetadata o) {
        return "Namespace".equals(o.getKind()) && "v1".equals(o.getApiVersion());
    }

    /** The server's words for a refusal, without the hint meant for a person at a terminal. */
    private static String reason(RuntimeException e) {
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof KubernetesClientException)) {
            cause = cause.getCause();
        }
        return cause instanceof KubernetesClientException k ? Applier.reason(k) : String.valueOf(e.getMessage());
    }

    private static ResourceDefinitionContext context(CompiledKind kind) {
        return LiveInputs.context(kind.apiVersion(), kind.kind(), kind.plural(), true);
    }

    /** What the resources of the object's kind are called in API paths; null for a kind Lattice does not compile. */
    private static String plural(Coordinates ref) {
        if ("Namespace".equals(ref.kind()) && "v1".equals(ref.apiVersion())) {
            return "namespaces";
        }
        CompiledKind kind = compiled(ref);
        return kind == null ? null : kind.plural();
    }

    /** The compiled kind of the object at {@code ref}; null for a kind Lattice does not compile. */
    private static CompiledKind compiled(Coordinates ref) {
        return COMPILED.getOrDefault(ref.apiVersion(), Map.of()).get(ref.kind());
    }

    /** Objects a piece has just rendered, which nothing else holds: labelled with their source where they are. */
    private static List<HasMetadata> labelled(List<HasMetadata> rendered, String source) {
        for (HasMetadata o : rendered) {
            Map<String, String> labels = new LinkedHashMap<>(Objects.requireNonNullElse(o.getMetadata().getLabels(), Map.of()));
            labels.put(SOURCE_LABEL, source);
            o.getMetadata().setLabels(labels);
        }
        return rendered;
    }

    /** A copy of the object labelled with its source; the object itself, which a caller may share, is left as it is. */
    private GenericKubernetesResource copyLabelled(HasMetadata object, String source) {
        GenericKubernetesResource copy = client.getKubernetesSerialization().convertValue(object, GenericKubernetesResource.class);
        copy.setMetadata(new ObjectMetaBuilder(copy.getMetadata()).addToLabels(SOURCE_LABEL, source).build());
        return copy;
    }
}
