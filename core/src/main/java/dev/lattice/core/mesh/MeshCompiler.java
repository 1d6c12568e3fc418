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
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
    /** What the last compile made of each service; null when this compiler does not remember (see {@link #remembering}). */
    private Map<ServiceId, Made> made;

    /**
     * A service's pieces as the last compile made them: from {@code source} (the instance the inputs held), as
     * {@code bare}, in {@code context}.
     */
    private record Made(LatticeService source, LatticeService bare, Context context, List<Piece> pieces) {
    }

    /**
     * Everything a service's pieces are made from besides the service itself. The same service (the same instance: the
     * daemon's model keeps one until it changes) in an equal context makes equal pieces.
     */
    private record Context(boolean mesh, boolean monitoring, Map<String, String> owners, List<Peer> callers,
                           List<ServiceId> callerIds, List<Peer> callees, List<LatticeService> called, List<ExternalEndpoint> endpoints) {
    }

    public MeshCompiler(String trustDomain) {
        this.trustDomain = Objects.requireNonNull(trustDomain);
    }

    /**
     * A compiler for a caller that compiles the same fleet again and again (the daemon, on every change): a service
     * that is the same instance in an equal context as in the last compile gets that compile's pieces back, the very
     * instances. A change then makes new pieces for what it touches only: the fleet's copies, made afresh and held for a
     * whole pass, outlived the young generation and filled the old one (at 10,000 services, a full collection every
     * other pass), and whoever compares pieces with those it applied finds an unchanged one by identity.
     */
    public static MeshCompiler remembering(String trustDomain) {
        MeshCompiler compiler = new MeshCompiler(trustDomain);
        compiler.made = new HashMap<>();
        return compiler;
    }

    /** Compiles every service of {@code inputs}, each for the cluster its placement names. */
    public Result compile(Inputs inputs, List<Placement> placements) {
        return compile(inputs, placements, ServiceGraph.analyse(inputs.objects()));
    }

    /** {@link #compile(Inputs, List)} with the inputs' graph already analysed ({@link ServiceGraph#analyse}). */
    public Result compile(Inputs inputs, List<Placement> placements, ServiceGraph graph) {
        if (made == null) {
            return compile(inputs, placements, graph, Map.of(), null);
        }
        synchronized (this) {
            return compile(inputs, placements, graph, made, made);
        }
    }

    /**
     * The compile, reusing what {@code before} made where it can and recording in {@code next} (unless null; it may be
     * {@code before} itself) what it made, and nothing of services no longer there.
     */
    private Result compile(Inputs inputs, List<Placement> placements, ServiceGraph graph, Map<ServiceId, Made> before,
                           Map<ServiceId, Made> next) {
        // Each service as its pieces hold it, made once: a service's workload, its callers' egress rules and its own
        // share one copy (at 10,000 services, each copy per piece was 80,000 objects held as long as the pieces are).
        // Sized for the fleet up front: growing maps of 10,000 entries rehash them over and over.
        int size = inputs.services().size() * 4 / 3 + 1;
        Map<ServiceId, LatticeService> services = new LinkedHashMap<>(size);
        // The services whose bare copy is made afresh (the last compile's serves the others), by that copy.
        Map<LatticeService, LatticeService> fresh = new IdentityHashMap<>();
        for (LatticeService s : inputs.services()) {
            ServiceId id = ServiceId.of(s);
            Made last = before.get(id);
            if (last != null && last.source() == s) {
                services.put(id, last.bare());
            } else {
                LatticeService bare = Piece.bare(s);
                services.put(id, bare);
                if (next != null) {
                    fresh.put(bare, s);
                }
            }
        }
        Map<ServiceId, LatticeExternalService> externals = new HashMap<>();
        inputs.externalServices().forEach(e -> externals.put(ServiceId.of(e), e));
        Map<ServiceId, String> placedOn = new HashMap<>(size);
        for (Placement p : placements) {
            if (p.scheduled()) {
                placedOn.put(new ServiceId(p.namespace(), p.service()), p.cluster());
            }
        }

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
        Map<String, String> volumeOwners = new HashMap<>();
        for (LatticeService s : inputs.services()) {
            s.spec().resources().values().stream().filter(Resource::ownsVolume).forEach(r -> volumeOwners.put(s.volumeKey(r), s.name()));
        }

        // Services by cluster (null last: not placed), then by namespace and name. The inputs mostly come in that order
        // (the daemon's always do), which sorting a list finds in one pass, where a sorted set compares its way in for
        // each service: at 10,000 services, half of the compile.
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
                    List<ExternalEndpoint> endpoints = new ArrayList<>();
                    externalCalls.getOrDefault(id, List.of()).forEach(e -> endpoints.addAll(endpoints(externals.get(e))));
                    List<LatticeService> called = new ArrayList<>(out.size());
                    out.forEach(c -> called.add(services.get(c)));
                    // Held as long as the pieces are (a remembering compiler keeps it): immutable lists, sized to fit.
                    Context context = new Context(mesh, monitoring, ownersOf(s, volumeOwners), peers(in, cluster, placedOn),
                            mesh ? List.copyOf(in) : null, peers(out, cluster, placedOn), List.copyOf(called), List.copyOf(endpoints));
                    Made last = before.get(id);
                    if (last == null || last.bare() != s || !last.context().equals(context)) {
                        LatticeService source = last != null && last.bare() == s ? last.source() : fresh.get(s);
                        last = new Made(source, s, context, pieces(s, out, context));
                    }
                    if (next != null) {
                        next.put(id, last);
                    }
                    pieces.addAll(last.pieces());
                }
                for (ServiceId e : externalsHere) {
                    if (mesh && e.namespace().equals(namespace)) {
                        pieces.add(new Piece.ServiceEntries(e, endpoints(externals.get(e))));
                    }
                }
            }
            manifests.add(new ClusterManifests(cluster, here, pieces));
        }
        if (next != null) {
            next.keySet().retainAll(services.keySet());
        }
        return new Result(manifests, edges, graph.agreedExternal(), graph.warnings());
    }

    /** The pieces of service {@code s} (its bare copy), which calls {@code out}, in {@code context}. */
    private List<Piece> pieces(LatticeService s, List<ServiceId> out, Context context) {
        List<Piece> pieces = new ArrayList<>(4);
        pieces.add(new Piece.Workload(s, context.owners()));
        PolicyRenderer.Port metrics = WorkloadRenderer.metricsPort(s);
        if (context.monitoring() && metrics != null) {
            pieces.add(new Piece.Metrics(s, metrics, context.mesh()));
        }
        if (!context.callers().isEmpty()) {
            pieces.add(new Piece.Ingress(s, context.callers(), context.callerIds(), trustDomain));
        }
        if (!out.isEmpty() || !context.endpoints().isEmpty()) {
            Map<ServiceId, LatticeService> called = new HashMap<>();
            for (int i = 0; i < out.size(); i++) {
                called.put(out.get(i), context.called().get(i));
            }
            pieces.add(new Piece.Egress(s, context.callees(), called, context.endpoints()));
        }
        return List.copyOf(pieces);
    }

    /** The owners of the shared volumes {@code s} uses, by volume key: all of the owners its Deployment reads. */
    private static Map<String, String> ownersOf(LatticeService s, Map<String, String> volumeOwners) {
        if (volumeOwners.isEmpty()) {
            return Map.of();
        }
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
