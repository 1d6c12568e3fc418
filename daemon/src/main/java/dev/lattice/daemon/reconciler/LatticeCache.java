package dev.lattice.daemon.reconciler;

import dev.lattice.core.capacity.PoolAccounting;
import dev.lattice.core.model.Kind;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.InvalidInputException;
import dev.lattice.core.parse.Parser;
import dev.lattice.core.parse.Problem;
import dev.lattice.engine.kube.LiveInputs;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Watches every Lattice kind through fabric8 informers and turns what they hold into the model, through the same
 * parser as files. An object the parser refuses is left out (with its problems, for its status) instead of stopping
 * everything else: one broken service must not stop the others being placed.
 */
public final class LatticeCache implements AutoCloseable {
    /** A live object the parser refused, and why. */
    public record Rejected(Kind kind, GenericKubernetesResource live, List<Problem> problems) {
    }

    /** The model of what the cluster holds, and the objects left out with why. Shared by every reconciler until the next event. */
    public static final class Snapshot {
        private final Inputs inputs;
        private final List<Rejected> rejected;
        private PoolAccounting.Ledger ledger;

        Snapshot(Inputs inputs, List<Rejected> rejected) {
            this.inputs = inputs;
            this.rejected = List.copyOf(rejected);
        }

        public Inputs inputs() {
            return inputs;
        }

        /** The refused objects of these kinds. */
        public List<Rejected> rejected(Kind... kinds) {
            List<Kind> wanted = List.of(kinds);
            return rejected.stream().filter(r -> wanted.contains(r.kind())).toList();
        }

        /** Pool accounting over these inputs, done once however many reconcilers ask. */
        public synchronized PoolAccounting.Ledger ledger() {
            if (ledger == null) {
                ledger = PoolAccounting.account(inputs);
            }
            return ledger;
        }
    }

    /** The kinds whose status the daemon alone writes, and reads back only {@code status.cluster} of. */
    private static final Set<Kind> STATUS_OURS = EnumSet.of(Kind.LATTICE_SERVICE, Kind.LATTICE_EXTERNAL_SERVICE);

    private final KubernetesClient client;
    private final Map<Kind, SharedIndexInformer<GenericKubernetesResource>> informers = new EnumMap<>(Kind.class);
    private final List<Consumer<Kind>> listeners = new CopyOnWriteArrayList<>();
    /**
     * Each object read into the model as it entered its informer's store: by kind, then in namespace and name order
     * ({@link #sortKey}), so a snapshot reads them in a stable order without sorting a fleet's objects each time.
     */
    private final Map<Kind, ConcurrentSkipListMap<String, Cached>> reads = new EnumMap<>(Kind.class);

    /**
     * A read, kept while what the model takes of the object stays ({@link #version}): a re-list puts every object again.
     * {@code id} is the parser's name for it.
     */
    private record Cached(Kind kind, Object version, Parser.Read read, String id, String namespace, String name) {
    }
    /** Bumped on every event: the reconcilers share one parse of the same state instead of one parse each. */
    private final AtomicLong version = new AtomicLong();
    private final AtomicLong edits = new AtomicLong();
    private Snapshot last;
    private long lastVersion = -1;

    public LatticeCache(KubernetesClient client) {
        this.client = client;
        for (Kind kind : Kind.values()) {
            reads.put(kind, new ConcurrentSkipListMap<>());
        }
    }

    /** Orders by namespace, then name (a separator below every character a name holds keeps "a/x" before "a-b/y"). */
    private static String sortKey(String namespace, String name) {
        return namespace == null ? name : namespace + "\u0000" + name;
    }

    /** Called with the kind of every object added, changed or deleted. */
    public void onChange(Consumer<Kind> listener) {
        listeners.add(listener);
    }

    /** Starts the informers and waits until each has listed its kind once. */
    public void start() {
        for (Kind kind : Kind.values()) {
            SharedIndexInformer<GenericKubernetesResource> informer =
                    client.genericKubernetesResources(LiveInputs.context(kind)).inAnyNamespace().runnableInformer(0)
                            .itemStore(new TrimmingStore<>(r -> read(kind, r), r -> reads.get(kind).remove(
                                    sortKey(r.getMetadata().getNamespace(), r.getMetadata().getName()))));
            informer.addEventHandler(InformerEvents.of(obj -> changed(kind), obj -> changed(kind),
                    (before, after) -> !Objects.equals(version(kind, before), version(kind, after))));
            informer.addEventHandler(InformerEvents.of(obj -> edits.incrementAndGet(), obj -> edits.incrementAndGet(),
                    (before, after) -> !Objects.equals(edit(before), edit(after))));
            informers.put(kind, informer);
        }
        informers.values().forEach(i -> i.start().toCompletableFuture().join());
    }

    public boolean synced() {
        return !informers.isEmpty() && informers.values().stream().allMatch(SharedIndexInformer::hasSynced);
    }

    private void changed(Kind kind) {
        version.incrementAndGet();
        listeners.forEach(l -> l.accept(kind));
    }

    /** The live objects of {@code kind}, sorted by namespace and name (metadata and status; see {@link #get}). */
    public List<GenericKubernetesResource> list(Kind kind) {
        List<GenericKubernetesResource> items = new ArrayList<>(informers.get(kind).getStore().list());
        items.sort(LiveInputs::byNamespaceAndName);
        return items;
    }

    /** One live object, or null: its metadata and status (its spec is in the {@link #snapshot} model). Read only: it is the store's. */
    public GenericKubernetesResource get(Kind kind, String namespace, String name) {
        return get(kind, namespace == null || !kind.namespaced() ? name : namespace + "/" + name);
    }

    /** {@link #get(Kind, String, String)} by the store's key: {@code namespace/name} for a namespaced kind, else the name. */
    public GenericKubernetesResource get(Kind kind, String key) {
        return informers.get(kind).getStore().getByKey(key);
    }

    /** Parses everything the informers hold, leaving out the objects the parser refuses. */
    public synchronized Snapshot snapshot() {
        long v = version.get();
        if (last != null && v == lastVersion) {
            return last;
        }
        last = parse();
        lastVersion = v; // read before parsing: an event during the parse makes the next call parse again
        return last;
    }

    private Snapshot parse() {
        // By parser id, in order: kind, then namespace and name.
        Map<String, Cached> all = new LinkedHashMap<>();
        for (Kind kind : Kind.values()) {
            reads.get(kind).values().forEach(cached -> all.put(cached.id(), cached));
        }
        Map<String, Rejected> rejected = new LinkedHashMap<>();
        // Leaving one object out can break a reference to it (a cluster naming a rejected pool), so go again; each
        // round removes at least one object, so this ends.
        while (true) {
            List<Parser.Read> kept = all.values().stream().filter(c -> !rejected.containsKey(c.id())).map(Cached::read).toList();
            if (kept.isEmpty()) {
                return new Snapshot(new Inputs(List.of(), List.of()), List.copyOf(rejected.values()));
            }
            try {
                return new Snapshot(Parser.assemble(kept), List.copyOf(rejected.values()));
            } catch (InvalidInputException e) {
                Map<String, List<Problem>> errors = e.problems().stream().filter(Problem::isError)
                        .collect(Collectors.groupingBy(p -> p.location().file(), LinkedHashMap::new, Collectors.toList()));
                Set<String> known = new TreeSet<>(errors.keySet());
                known.retainAll(all.keySet());
                if (known.isEmpty()) {
                    throw e; // a problem not tied to one object: nothing to leave out
                }
                for (String id : known) {
                    Cached c = all.get(id);
                    GenericKubernetesResource live = get(c.kind(), c.namespace(), c.name());
                    if (live != null) {
                        rejected.put(id, new Rejected(c.kind(), live, errors.get(id)));
                    } else {
                        all.remove(id); // deleted meanwhile: left out without a status to write
                    }
                }
            }
        }
    }

    /**
     * Reads {@code object} into the model as it enters its informer's store, and gives the store a copy of its metadata
     * and status only: the model is the one copy of a spec the reconcilers read.
     */
    private GenericKubernetesResource read(Kind kind, GenericKubernetesResource object) {
        String namespace = object.getMetadata().getNamespace();
        String name = object.getMetadata().getName();
        String key = sortKey(namespace, name);
        Object version = version(kind, object);
        Cached cached = reads.get(kind).get(key);
        if (cached == null || version == null || !version.equals(cached.version())) {
            Parser.Read read = LiveInputs.read(client, kind, TrimmingStore.withoutLastApplied(object));
            reads.get(kind).put(key, new Cached(kind, version, read.withoutFieldLocations(), LiveInputs.id(kind, namespace, name), namespace, name));
        }
        return TrimmingStore.without(object, "spec");
    }

    /**
     * What the model takes of {@code object} changes only when this does. For the kinds whose status only the daemon
     * writes, that is the generation (the spec), labels, annotations, deletion and the placement the solver keeps
     * ({@code status.cluster}): the daemon's own status writes then neither parse the object again nor wake the
     * reconcilers, which at fleet scale would be a pass per write. For the other kinds, any new resourceVersion.
     */
    static Object version(Kind kind, GenericKubernetesResource object) {
        if (!STATUS_OURS.contains(kind)) {
            return object.getMetadata().getResourceVersion();
        }
        Object cluster = object.getAdditionalProperties().get("status") instanceof Map<?, ?> status ? status.get("cluster") : null;
        return Arrays.asList(edit(object), cluster);
    }

    /**
     * How many objects were added, deleted or edited (spec, labels, annotations, deletion) so far: it moves for what
     * users do, not for the status the daemon writes (which also changes what the model reads: a placement), so a long
     * pass can tell that a user's change waits.
     */
    public long edits() {
        return edits.get();
    }

    private static Object edit(GenericKubernetesResource object) {
        var meta = object.getMetadata();
        // Without kubectl's copy of the object: the store's copy never has it (TrimmingStore), and an update's object as
        // the API server sent it does, so with it every status write to an object kubectl applied would count as a
        // user's edit, and wake a pass.
        return Arrays.asList(meta.getGeneration(), meta.getLabels(), TrimmingStore.withoutLastApplied(meta.getAnnotations()),
                meta.getDeletionTimestamp());
    }

    @Override
    public void close() {
        informers.values().forEach(SharedIndexInformer::close);
    }
}
