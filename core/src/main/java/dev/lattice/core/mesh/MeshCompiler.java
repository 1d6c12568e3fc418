package dev.lattice.core.mesh;

import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.graph.ServiceGraph;
import dev.lattice.core.graph.ServiceGraph.Edge;
import dev.lattice.core.graph.ServiceGraph.ServiceId;
import dev.lattice.core.mesh.PolicyRenderer.Peer;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.LatticeExternalService;
import dev.lattice.core.model.LatticeService;
import dev.lattice.core.model.LatticeService.Resource;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Problem;
import dev.lattice.core.placement.Placement;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compiles services, external services and the solver's placements into the Kubernetes objects each cluster
 * should hold: workloads, a default-deny baseline per namespace, and allow rules for agreed edges only.
 * Pure: no client, the same inputs give the same objects in the same order.
 */
public final class MeshCompiler {
    /** Istio's default trust domain. */
    public static final String DEFAULT_TRUST_DOMAIN = "cluster.local";
    /** Every compiled object carries {@code app.kubernetes.io/managed-by: lattice}. */
    public static final String MANAGED_BY_LABEL = WorkloadRenderer.MANAGED_BY_LABEL;
    public static final String MANAGER = WorkloadRenderer.MANAGER;
    /** A service's compiled objects carry its name in {@code app.kubernetes.io/name}; the namespace's baseline does not. */
    public static final String NAME_LABEL = WorkloadRenderer.NAME_LABEL;

    /** A kind the compiler writes, with its resource name. */
    public record CompiledKind(String apiVersion, String kind, String plural) {
    }

    /**
     * The kinds the compiler writes besides Namespaces: what to list to find compiled objects that no longer belong.
     * Namespaces are left out on purpose: deleting one deletes whatever else people put there.
     */
    public static final List<CompiledKind> KINDS = List.of(
            new CompiledKind("v1", "ServiceAccount", "serviceaccounts"),
            new CompiledKind("v1", "Service", "services"),
            new CompiledKind("v1", "PersistentVolumeClaim", "persistentvolumeclaims"),
            new CompiledKind("apps/v1", "Deployment", "deployments"),
            new CompiledKind(Cilium.API, Cilium.NETWORK_POLICY, "ciliumnetworkpolicies"),
            new CompiledKind(Istio.SECURITY, Istio.AUTHORIZATION_POLICY, "authorizationpolicies"),
            new CompiledKind(Istio.NETWORKING, Istio.SERVICE_ENTRY, "serviceentries"),
            new CompiledKind(Keda.API_VERSION, Keda.SCALED_OBJECT, "scaledobjects"),
            new CompiledKind(VictoriaMetrics.API_VERSION, VictoriaMetrics.POD_SCRAPE, "vmpodscrapes"));

    /**
     * What the daemon of {@code own} applies to its own namespace besides the services' objects: the network policy of
     * its pods (see {@link PolicyRenderer#daemon}). It waits, like every policy, until Cilium serves its CRD.
     */
    public static List<HasMetadata> daemonPolicy(LatticeCluster own) {
        return daemonPiece(own).render();
    }

    /** {@link #daemonPolicy} as a piece. */
    public static Piece daemonPiece(LatticeCluster own) {
        return new Piece.Daemon(ClusterRenderer.DAEMON_NAMESPACE, own.spec().parentConfig());
    }

    /**
     * The objects for one cluster; {@code cluster} is null for services the solver could not place. They are kept as
     * {@link Piece}s and rendered on the first call to {@link #objects()}: a daemon compares pieces and renders only
     * those that changed.
     */
    public static final class ClusterManifests {
        private final String cluster;
        private final List<ServiceId> services;
        private final List<Piece> pieces;
        private List<HasMetadata> objects;

        public ClusterManifests(String cluster, List<ServiceId> services, List<Piece> pieces) {
            this.cluster = cluster;
            this.services = List.copyOf(services);
            this.pieces = List.copyOf(pieces);
        }

        public String cluster() {
            return cluster;
        }

        public List<ServiceId> services() {
            return services;
        }

        public List<Piece> pieces() {
            return pieces;
        }

        /** Every piece's objects, in order: the Namespaces, each followed by what is in it. */
        public synchronized List<HasMetadata> objects() {
            if (objects == null) {
                List<HasMetadata> all = new ArrayList<>();
                pieces.forEach(p -> all.addAll(p.render()));
                objects = List.copyOf(all);
            }
            return objects;
        }
    }

    /** An agreed edge with the clusters its two ends were placed on (null where not placed). */
    public record PlacedEdge(Edge edge, String callerCluster, String calleeCluster) {
        public boolean crossCluster() {
            return callerCluster != null && calleeCluster != null && !callerCluster.equals(calleeCluster);
        }
    }

    /**
     * @param manifests by cluster name, then the unplaced services' objects under no cluster
     * @param edges     every agreed service edge with where its ends run
     * @param external  every agreed call to an external service
     * @param warnings  one per one-sided declaration, in file order
     */
    public record Result(List<ClusterManifests> manifests, List<PlacedEdge> edges, List<Edge> external, List<Problem> warnings) {
        public List<PlacedEdge> crossCluster() {
            return edges.stream().filter(PlacedEdge::crossCluster).toList();
        }
    }

    private final String trustDomain;
    /** What the last compile made of each service, for a compiler that remembers ({@link #remembering}); null otherwise. */
    private Memory last;

    /**
     * A service's pieces as a compile made them, with what they were made from besides the fleet-wide inputs of
     * {@link Memory}: the service as the inputs held it ({@code source}, by identity: the daemon's model keeps one
     * instance until the object changes), its bare copy, its cluster and that cluster's mesh and monitoring, its agreed
     * callers and callees. The external services it calls follow from itself and from the external services, which
     * are the same instances too while it keeps its pieces.
     */
    private record Made(LatticeService source, LatticeService bare, String cluster, boolean mesh, boolean monitoring,
                        List<ServiceId> in, List<ServiceId> out, List<Piece> pieces) {
    }

    /** A compile's {@link Made} services, and the fleet-wide inputs every service's pieces may read. */
    private record Memory(Map<ServiceId, Made> made, Map<String, String> volumeOwners, Map<ServiceId, LatticeExternalService> externals) {
    }

    public MeshCompiler(String trustDomain) {
        this.trustDomain = Objects.requireNonNull(trustDomain);
    }

    /**
     * A compiler for a caller that compiles the same fleet again and again (the daemon, on every change): a service
     * whose pieces would be made from the same things as in the last compile gets that compile's pieces back, the very
     * instances, and only what a change touches is made anew. Whether they would is told by identity and a few
     * comparisons, nothing made: the service itself (the same instance), its cluster and that cluster's mesh and
     * monitoring, its callers (the same, each on the same cluster as in the last compile), its callees (the same, each
     * also the same instance), the external services and shared volumes of the fleet. Whoever compares the pieces with
     * those it applied finds the unchanged ones by identity, without hashing or comparing them.
     */
    public static MeshCompiler remembering(String trustDomain) {
        MeshCompiler compiler = new MeshCompiler(trustDomain);
        compiler.last = new Memory(Map.of(), Map.of(), Map.of());
        return compiler;
    }

    /** Compiles every service of {@code inputs}, each for the cluster its placement names. */
    public Result compile(Inputs inputs, List<Placement> placements) {
        return compile(inputs, placements, ServiceGraph.analyse(inputs.objects()));
    }

    /** {@link #compile(Inputs, List)} with the inputs' graph already analysed ({@link ServiceGraph#analyse}). */
    public Result compile(Inputs inputs, List<Placement> placements, ServiceGraph graph) {
        if (last == null) {
            return compile(inputs, placements, graph, null);
        }
        synchronized (this) {
            Memory next = new Memory(new HashMap<>(inputs.services().size() * 4 / 3 + 1), new HashMap<>(), new HashMap<>());
            Result result = compile(inputs, placements, graph, next);
            last = next;
            return result;
        }
    }

    /** The compile, taking back what {@link #last} made where it may, and recording in {@code next} (unless null) what it made. */
    private Result compile(Inputs inputs, List<Placement> placements, ServiceGraph graph, Memory next) {
        Memory before = next == null ? new Memory(Map.of(), Map.of(), Map.of()) : last;
        // Each service as its pieces hold it, made once: a service's workload, its callers' egress rules and its own
        // share one copy (at 10,000 services, each copy per piece was 80,000 objects held as long as the pieces are);
        // the last compile's where the service is the same instance. In the inputs' order (see byCluster below), and
        // sized for the fleet up front: growing maps of 10,000 entries rehash them over and over.
        int size = inputs.services().size() * 4 / 3 + 1;
        Map<ServiceId, String> placedOn = new HashMap<>(size);
        for (Placement p : placements) {
            if (p.scheduled()) {
                placedOn.put(new ServiceId(p.namespace(), p.service()), p.cluster());
            }
        }
        Map<ServiceId, LatticeService> sources = new HashMap<>(size);
        Map<ServiceId, LatticeService> services = new LinkedHashMap<>(size);
        // What differs from the last compile (a change's few services): those new or on another cluster, and those
        // also changed themselves.
        Set<ServiceId> moved = new HashSet<>();
        Set<ServiceId> changed = new HashSet<>();
        for (LatticeService s : inputs.services()) {
            ServiceId id = ServiceId.of(s);
            Made made = before.made().get(id);
            sources.put(id, s);
            services.put(id, made != null && made.source() == s ? made.bare() : Piece.bare(s));
            if (made == null || !Objects.equals(made.cluster(), placedOn.get(id))) {
                moved.add(id);
                changed.add(id);
            } else if (made.source() != s) {
                changed.add(id);
            }
        }
        Map<ServiceId, LatticeExternalService> externals = next == null ? new HashMap<>() : next.externals();
        inputs.externalServices().forEach(e -> externals.put(ServiceId.of(e), e));

        Map<ServiceId, List<ServiceId>> callers = new HashMap<>(size);
        Map<ServiceId, List<ServiceId>> callees = new HashMap<>(size);
        List<PlacedEdge> edges = new ArrayList<>();
        for (Edge e : graph.agreed()) {
            callers.computeIfAbsent(e.callee(), k -> new ArrayList<>()).add(e.caller());
            callees.computeIfAbsent(e.caller(), k -> new ArrayList<>()).add(e.callee());
            edges.add(new PlacedEdge(e, placedOn.get(e.caller()), placedOn.get(e.callee())));
        }
        Map<ServiceId, List<ServiceId>> externalCalls = new HashMap<>();
        graph.agreedExternal().forEach(e -> externalCalls.computeIfAbsent(e.caller(), k -> new ArrayList<>()).add(e.callee()));

        // Owners by volume key; the parser has made sure each shared volume has exactly one.
        Map<String, String> volumeOwners = next == null ? new HashMap<>() : next.volumeOwners();
        for (LatticeService s : inputs.services()) {
            s.spec().resources().values().stream().filter(Resource::ownsVolume).forEach(r -> volumeOwners.put(s.volumeKey(r), s.name()));
        }
        // What every service's pieces may read: while it is as it was, a service may keep what it made.
        boolean fleetAsBefore = volumeOwners.equals(before.volumeOwners()) && sameInstances(externals, before.externals());

        // Services by cluster (null last: not placed), then by namespace and name. The inputs mostly come in that order
        // (the daemon's always do), which sorting a list finds in one pass, where a sorted set compared its way in for
        // each service: a fleet's worth of string comparisons on every compile.
        Comparator<String> clusterOrder = Comparator.nullsLast(Comparator.naturalOrder());
        Map<String, List<ServiceId>> byCluster = new TreeMap<>(clusterOrder);
        services.keySet().forEach(id -> byCluster.computeIfAbsent(placedOn.get(id), k -> new ArrayList<>()).add(id));
        byCluster.values().forEach(ids -> ids.sort(null));
        // External services are made known on each cluster where one of their agreed callers runs.
        Map<String, TreeSet<ServiceId>> externalsByCluster = new TreeMap<>(clusterOrder);
        externalCalls.forEach((caller, called) -> called.forEach(e ->
                externalsByCluster.computeIfAbsent(placedOn.get(caller), k -> new TreeSet<>()).add(e)));

        TreeSet<String> clusters = new TreeSet<>(clusterOrder);
        clusters.addAll(byCluster.keySet());
        clusters.addAll(externalsByCluster.keySet());
        List<ClusterManifests> manifests = new ArrayList<>();
        for (String cluster : clusters) {
            List<ServiceId> here = byCluster.getOrDefault(cluster, List.of());
            TreeSet<ServiceId> externalsHere = externalsByCluster.getOrDefault(cluster, new TreeSet<>());
            // The services of each namespace, in order (here is sorted by namespace, then name).
            Map<String, List<ServiceId>> namespaces = new TreeMap<>();
            here.forEach(id -> namespaces.computeIfAbsent(id.namespace(), k -> new ArrayList<>()).add(id));
            externalsHere.forEach(id -> namespaces.computeIfAbsent(id.namespace(), k -> new ArrayList<>()));
            // Istio's objects only where Istio runs: a cluster with services: false has no mesh to enforce them, and
            // its daemon would wait for their CRDs for ever. Services not placed, or on a cluster not in the inputs,
            // get them (the default is on).
            boolean mesh = inputs.cluster(cluster).map(c -> c.spec().services()).orElse(true);
            // Likewise the monitoring add-on's scrape objects, where its agent runs (on by default).
            boolean monitoring = inputs.cluster(cluster).map(c -> c.spec().monitoring()).orElse(true);
            List<Piece> pieces = new ArrayList<>();
            for (Map.Entry<String, List<ServiceId>> inNamespace : namespaces.entrySet()) {
                String namespace = inNamespace.getKey();
                pieces.add(new Piece.Namespace(namespace, mesh));
                for (ServiceId id : inNamespace.getValue()) {
                    LatticeService s = services.get(id);
                    List<ServiceId> in = callers.getOrDefault(id, List.of());
                    List<ServiceId> out = callees.getOrDefault(id, List.of());
                    List<ServiceId> external = externalCalls.getOrDefault(id, List.of());
                    Made made = before.made().get(id);
                    // A callee's rules name its callers and their clusters; a caller's hold the services it calls.
                    if (!fleetAsBefore || changed.contains(id) || made.mesh() != mesh || made.monitoring() != monitoring
                            || !made.in().equals(in) || !made.out().equals(out) || containsAny(moved, in) || containsAny(changed, out)) {
                        // Kept as long as the service stays as it is: its lists sized to fit.
                        made = new Made(sources.get(id), s, cluster, mesh, monitoring, List.copyOf(in), List.copyOf(out),
                                pieces(s, cluster, mesh, monitoring, in, out, external, services, externals, volumeOwners, placedOn));
                    }
                    if (next != null) {
                        next.made().put(id, made);
                    }
                    pieces.addAll(made.pieces());
                }
                for (ServiceId e : externalsHere) {
                    if (mesh && e.namespace().equals(namespace)) {
                        pieces.add(new Piece.ServiceEntries(e, endpoints(externals.get(e))));
                    }
                }
            }
            manifests.add(new ClusterManifests(cluster, here, pieces));
        }
        return new Result(manifests, edges, graph.agreedExternal(), graph.warnings());
    }

    /** The pieces of service {@code s} (its bare copy) on {@code cluster}, called by {@code in}, calling {@code out} and {@code external}. */
    private List<Piece> pieces(LatticeService s, String cluster, boolean mesh, boolean monitoring, List<ServiceId> in, List<ServiceId> out,
                               List<ServiceId> external, Map<ServiceId, LatticeService> services,
                               Map<ServiceId, LatticeExternalService> externals, Map<String, String> volumeOwners,
                               Map<ServiceId, String> placedOn) {
        List<Piece> pieces = new ArrayList<>(4);
        pieces.add(new Piece.Workload(s, ownersOf(s, volumeOwners)));
        PolicyRenderer.Port metrics = WorkloadRenderer.metricsPort(s);
        if (monitoring && metrics != null) {
            pieces.add(new Piece.Metrics(s, metrics, mesh));
        }
        if (!in.isEmpty()) {
            pieces.add(new Piece.Ingress(s, peers(in, cluster, placedOn), mesh ? in : null, trustDomain));
        }
        List<ExternalEndpoint> endpoints = new ArrayList<>();
        external.forEach(e -> endpoints.addAll(endpoints(externals.get(e))));
        if (!out.isEmpty() || !endpoints.isEmpty()) {
            Map<ServiceId, LatticeService> called = new HashMap<>();
            out.forEach(c -> called.put(c, services.get(c)));
            pieces.add(new Piece.Egress(s, peers(out, cluster, placedOn), called, endpoints));
        }
        return List.copyOf(pieces);
    }

    /** Whether {@code set} holds any of {@code ids}; by index, as it runs for every service of a fleet on each compile. */
    private static boolean containsAny(Set<ServiceId> set, List<ServiceId> ids) {
        if (!set.isEmpty()) {
            for (int i = 0; i < ids.size(); i++) {
                if (set.contains(ids.get(i))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether both maps hold the very same instances under the same keys. */
    private static <K, V> boolean sameInstances(Map<K, V> a, Map<K, V> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (Map.Entry<K, V> e : a.entrySet()) {
            if (b.get(e.getKey()) != e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** The owners of the shared volumes {@code s} uses, by volume key: all of the owners its Deployment reads. */
    private static Map<String, String> ownersOf(LatticeService s, Map<String, String> volumeOwners) {
        Map<String, String> owners = new HashMap<>();
        for (Resource r : s.spec().resources().values()) {
            String owner = r.isSharedVolume() ? volumeOwners.get(s.volumeKey(r)) : null;
            if (owner != null) {
                owners.put(s.volumeKey(r), owner);
            }
        }
        return owners;
    }

    /** The peers as a policy on {@code cluster} sees them: those placed on another cluster are named with it. */
    private static List<Peer> peers(List<ServiceId> ids, String cluster, Map<ServiceId, String> placedOn) {
        return ids.stream().map(id -> {
            String there = placedOn.get(id);
            return new Peer(id, there != null && cluster != null && !there.equals(cluster) ? there : null);
        }).toList();
    }

    private static List<ExternalEndpoint> endpoints(LatticeExternalService e) {
        List<ExternalEndpoint> out = new ArrayList<>();
        e.spec().endpoints().forEach((name, url) -> out.add(ExternalEndpoint.of(name, url)));
        return out;
    }
}
