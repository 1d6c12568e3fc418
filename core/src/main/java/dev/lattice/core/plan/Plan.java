package dev.lattice.core.plan;

import dev.lattice.core.capacity.PoolAccounting;
import dev.lattice.core.capacity.PoolStatus;
import dev.lattice.core.mesh.MeshCompiler;
import dev.lattice.core.model.CanonicalForm;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Problem;
import dev.lattice.core.placement.Placement;
import dev.lattice.core.render.Manifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * What a set of inputs comes to, decided before anything is touched: the pools' accounting (and the clusters they
 * refuse), where each service goes and why, the objects compiled for each cluster, and every warning. Made by
 * {@link Planner} alone, so {@code lattice plan}, {@code place}, {@code install --dry-run} and the daemon cannot
 * come to different answers from the same inputs; {@link #digest()} and {@link #objectsDigest()} name the answer, so
 * two of them can be compared.
 * The service graph is compiled when first asked for: {@code place} never needs it.
 */
public final class Plan {
    private final Inputs inputs;
    private final PoolAccounting.Ledger pools;
    private final List<Placement> placements;
    private final List<Problem> placementWarnings;
    private final String trustDomain;
    private final Supplier<MeshCompiler.Result> compile;
    private MeshCompiler.Result compiled;
    private String digest;
    private String objectsDigest;

    Plan(Inputs inputs, PoolAccounting.Ledger pools, List<Placement> placements, List<Problem> placementWarnings,
         String trustDomain, Supplier<MeshCompiler.Result> compile) {
        this.inputs = inputs;
        this.pools = pools;
        this.placements = List.copyOf(placements);
        this.placementWarnings = List.copyOf(placementWarnings);
        this.trustDomain = trustDomain;
        this.compile = compile;
    }

    /** The inputs the plan was made from. */
    public Inputs inputs() {
        return inputs;
    }

    /** The pools' accounting, with the clusters they refuse. */
    public PoolAccounting.Ledger pools() {
        return pools;
    }

    /**
     * Whether services were placed on clusters: the inputs have both. Without clusters every service is
     * Unschedulable, and the compiled objects are for no cluster in particular.
     */
    public boolean placed() {
        return !inputs.clusters().isEmpty() && !placements.isEmpty();
    }

    /** The decision for every service, in input order. */
    public List<Placement> placements() {
        return placements;
    }

    /** The service graph compiled into each cluster's objects. */
    public synchronized MeshCompiler.Result compiled() {
        if (compiled == null) {
            compiled = compile.get();
        }
        return compiled;
    }

    /** The warnings of reading the inputs and of placing the services, by location. */
    public List<Problem> placementWarnings() {
        return placementWarnings;
    }

    /** Every warning, the compiler's too, by location. */
    public List<Problem> warnings() {
        List<Problem> all = new ArrayList<>(placementWarnings);
        all.addAll(compiled().warnings());
        all.sort(Problem.BY_LOCATION);
        return List.copyOf(all);
    }

    /** Whether every cluster fits its pool and every service has a cluster. */
    public boolean complete() {
        return pools.refusals().isEmpty() && unplaced() == 0;
    }

    /** The services that could not be placed. */
    public long unplaced() {
        return placements.stream().filter(p -> !p.scheduled()).count();
    }

    /**
     * The compiled objects of each cluster, by name; every cluster of the inputs is there, one that holds no
     * service with none (so whoever applies them removes what it held before).
     */
    public SortedMap<String, List<HasMetadata>> objectsByCluster() {
        SortedMap<String, List<HasMetadata>> out = new TreeMap<>();
        for (LatticeCluster c : inputs.clusters()) {
            out.put(c.name(), List.of());
        }
        for (MeshCompiler.ClusterManifests m : compiled().manifests()) {
            if (m.cluster() != null) {
                out.put(m.cluster(), m.objects());
            }
        }
        return out;
    }

    /**
     * {@code sha256:HEX} naming the plan's decisions: pools, refusals, placements with their scores, and the warnings
     * of reading and placing. Where the inputs were written (a file or a live object) is left out, so files and the
     * same objects in a cluster give the same digest. Cheap: nothing is compiled for it.
     */
    public synchronized String digest() {
        if (digest == null) {
            TreeHash hash = new TreeHash();
            hash.add(decisions());
            digest = hash.finish();
        }
        return digest;
    }

    /**
     * {@code sha256:HEX} naming the compiled objects: every cluster's (as {@link #objectsByCluster()}), those for no
     * cluster in particular, and the compiler's warnings.
     */
    public synchronized String objectsDigest() {
        if (objectsDigest == null) {
            TreeHash hash = new TreeHash();
            hash.add(trustDomain);
            hash.add(objectsByCluster());
            hash.add(compiled().manifests().stream().filter(m -> m.cluster() == null).map(MeshCompiler.ClusterManifests::objects).toList());
            hash.add(compiled().warnings().stream().map(Problem::message).toList());
            objectsDigest = hash.finish();
        }
        return objectsDigest;
    }

    /** The decisions as a tree to hash: pools (with their accounting), refusals, placements, warnings. */
    private List<Object> decisions() {
        List<Object> pools = new ArrayList<>();
        for (PoolAccounting.PoolLedger p : this.pools.pools()) {
            pools.add(Arrays.asList(p.pool().kind().kindName(), p.pool().name(), CanonicalForm.tree(PoolStatus.of(p))));
        }
        List<Object> refusals = this.pools.refusals().stream().map(r -> (Object) List.of(r.cluster(), r.pool(), r.message())).toList();
        List<Object> placed = new ArrayList<>();
        for (Placement p : placements) {
            List<Object> m = new ArrayList<>();
            m.add(p.namespace() + "/" + p.service());
            m.add(p.phase().name());
            m.add(p.cluster());
            m.add(p.score());
            m.add(p.scores() == null ? null : List.of(p.scores().capacity(), p.scores().locality(), p.scores().cost()));
            m.add(p.reason());
            m.add(p.message());
            m.add(p.move() == null ? null : List.of(p.move().from(), p.move().reason(), p.move().message()));
            placed.add(m);
        }
        List<String> warnings = placementWarnings.stream().map(w -> w.hint() == null ? w.message() : w.message() + " (" + w.hint() + ")").toList();
        return Arrays.asList(pools, refusals, placed, warnings);
    }

    /** SHA-256 over a tree of maps, lists and scalars, each tagged with its type and length so no two trees collide. */
    private static final class TreeHash {
        private final MessageDigest sha;

        TreeHash() {
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is in every Java runtime", e);
            }
        }

        void add(Object node) {
            if (node instanceof HasMetadata object) {
                add(Manifests.tree(object));
            } else if (node instanceof Map<?, ?> m) {
                tag('M', m.size());
                m.forEach((k, v) -> {
                    add(k);
                    add(v);
                });
            } else if (node instanceof List<?> l) {
                tag('L', l.size());
                l.forEach(this::add);
            } else if (node == null) {
                tag('0', 0);
            } else {
                byte[] text = node.toString().getBytes(StandardCharsets.UTF_8);
                tag(node instanceof String ? 'S' : node instanceof Boolean ? 'B' : 'N', text.length);
                sha.update(text);
            }
        }

        private void tag(char type, int length) {
            sha.update((byte) type);
            sha.update((byte) (length >>> 24));
            sha.update((byte) (length >>> 16));
            sha.update((byte) (length >>> 8));
            sha.update((byte) length);
        }

        String finish() {
            return "sha256:" + HexFormat.of().formatHex(sha.digest());
        }
    }
}
