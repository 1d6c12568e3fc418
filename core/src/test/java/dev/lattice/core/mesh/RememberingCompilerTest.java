package dev.lattice.core.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Parser;
import dev.lattice.core.placement.Placement;
import dev.lattice.core.placement.Solver;
import dev.lattice.core.placement.Weights;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A compiler that remembers its last compile (the daemon's) gives back the very pieces of every service a change did
 * not touch, and new ones for what it did; what it compiles is always what a fresh compiler makes of the same inputs.
 */
class RememberingCompilerTest {
    private static final String POOL = """
            apiVersion: lattice.dev/v1alpha1
            kind: StaticPool
            metadata: {name: dc}
            spec:
              provider: openstack
              capacity: {cores: 1000, memory: 1000Gi}
              machineTypes:
                - {name: large, cores: 16, memory: 64Gi}
            """;

    /** Each object read on its own, as the daemon reads them: an object not written again keeps its instance. */
    private final Map<String, Parser.Read> reads = new LinkedHashMap<>();

    private static String cluster(String name, boolean mesh, boolean monitoring) {
        return """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: %s}
                spec:
                  pool: dc
                  services: %s
                  monitoring: %s
                  nodes:
                    controlPlane: {replicas: 1, instanceType: large}
                    workerPools: {default: {replicas: 3, instanceType: large}}
                """.formatted(name, mesh, monitoring);
    }

    private static String service(String name, String image, String resources) {
        return """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeService
                metadata: {name: %s, namespace: shop, labels: {team: shop}}
                spec:
                  containers:
                    main: {image: "%s", resources: {requests: {cpu: 10m, memory: 16Mi}}}
                  service: {ports: {http: {port: 8080}}}
                  resources: {%s}
                """.formatted(name, image, resources);
    }

    private void put(String name, String yaml) {
        reads.put(name, Parser.read(new InputReader.Input(name, yaml)).withoutFieldLocations());
    }

    private Inputs inputs() {
        return Parser.assemble(new ArrayList<>(reads.values()));
    }

    private static MeshCompiler.Result compile(MeshCompiler compiler, Inputs inputs) {
        return compiler.compile(inputs, new Solver(Weights.DEFAULT, false).solve(inputs).placements());
    }

    /** Each service's pieces, by the service's name and the piece's kind. */
    private static Map<String, Piece> pieces(MeshCompiler.Result result) {
        Map<String, Piece> out = new LinkedHashMap<>();
        for (MeshCompiler.ClusterManifests m : result.manifests()) {
            for (Piece p : m.pieces()) {
                String owner = p instanceof Piece.Workload w ? w.service().name() : p instanceof Piece.Ingress i ? i.callee().name()
                        : p instanceof Piece.Egress e ? e.caller().name() : null;
                if (owner != null) {
                    out.put(owner + " " + p.getClass().getSimpleName(), p);
                }
            }
        }
        return out;
    }

    private static MeshCompiler fresh() {
        return new MeshCompiler(MeshCompiler.DEFAULT_TRUST_DOMAIN);
    }

    @Test
    void givesBackTheLastPiecesOfWhatAChangeDidNotTouchAndCompilesAsAFreshCompilerDoes() {
        put("pool", POOL);
        put("home", cluster("home", true, true));
        put("web", service("web", "web:1", "api: {type: service, direction: outbound}"));
        put("api", service("api", "api:1", "web: {type: service, direction: inbound}, db: {type: service, direction: outbound}"));
        put("db", service("db", "db:1", "api: {type: service, direction: inbound}"));
        MeshCompiler remembering = MeshCompiler.remembering(MeshCompiler.DEFAULT_TRUST_DOMAIN);

        Inputs first = inputs();
        Map<String, Piece> before = pieces(compile(remembering, first));
        assertThat(before).containsOnlyKeys("web Workload", "web Egress", "api Workload", "api Ingress", "api Egress",
                "db Workload", "db Ingress");
        Map<String, Piece> again = pieces(compile(remembering, first));
        before.forEach((name, piece) -> assertThat(again.get(name)).as(name).isSameAs(piece));

        // api's image changes: its pieces are new, and web's (its egress holds the service it calls: a service's pieces
        // are made together), web's workload equal to the last; db's (its ingress names api, on the same cluster as
        // before) are the last ones.
        put("api", service("api", "api:2", "web: {type: service, direction: inbound}, db: {type: service, direction: outbound}"));
        Inputs changed = inputs();
        MeshCompiler.Result result = compile(remembering, changed);
        Map<String, Piece> after = pieces(result);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        for (String name : List.of("api Workload", "api Ingress", "api Egress", "web Egress")) {
            assertThat(after.get(name)).as(name).isNotSameAs(before.get(name)).isNotEqualTo(before.get(name));
        }
        assertThat(after.get("web Workload")).isEqualTo(before.get("web Workload"));
        // ... holding the same bare copy of web (labelled, so not bare as read): one copy per service, whatever is made
        // anew around it.
        assertThat(((Piece.Workload) after.get("web Workload")).service()).isSameAs(((Piece.Workload) before.get("web Workload")).service());
        for (String name : List.of("db Workload", "db Ingress")) {
            assertThat(after.get(name)).as(name).isSameAs(before.get(name));
        }
        assertThat(MeshCompilerTest.golden(result)).isEqualTo(MeshCompilerTest.golden(compile(fresh(), changed)));
        assertThat(MeshCompilerTest.golden(result)).contains("image: api:2");

        // db goes: api's egress loses it, db's pieces go; a fresh compiler agrees to the byte.
        reads.remove("db");
        Inputs without = inputs();
        MeshCompiler.Result gone = compile(remembering, without);
        assertThat(pieces(gone)).doesNotContainKeys("db Workload", "db Ingress", "api Egress");
        assertThat(pieces(gone).get("web Workload")).isSameAs(after.get("web Workload"));
        assertThat(MeshCompilerTest.golden(gone)).isEqualTo(MeshCompilerTest.golden(compile(fresh(), without)));

        // db comes back as it was: a new instance read afresh, so new pieces, equal to the first ones.
        put("db", service("db", "db:1", "api: {type: service, direction: inbound}"));
        Map<String, Piece> back = pieces(compile(remembering, inputs()));
        assertThat(back.get("db Workload")).isNotSameAs(before.get("db Workload")).isEqualTo(before.get("db Workload"));
        assertThat(back.get("api Egress")).isEqualTo(after.get("api Egress"));

        // The cluster turns its mesh off: every piece is made again, without Istio's.
        put("home", cluster("home", false, true));
        MeshCompiler.Result meshless = compile(remembering, inputs());
        assertThat(MeshCompilerTest.golden(meshless)).isEqualTo(MeshCompilerTest.golden(compile(fresh(), inputs())))
                .doesNotContain("AuthorizationPolicy");
    }

    static LongStream seeds() {
        return LongStream.range(0, 60);
    }

    /** One service as the random walk writes it. */
    private static final class Spec {
        int image = 1;
        boolean metrics;
        boolean volume;
        boolean external;
        int label;
        /** Peer → direction. */
        final Map<String, String> peers = new TreeMap<>();
    }

    /**
     * A random walk of edits over a small fleet on three clusters (images, labels, declarations, metrics ports, owned
     * volumes, calls to an external service, the external service itself, services coming and going, moving between
     * clusters or off them, a cluster's mesh and monitoring): after every edit the remembering compiler's pieces are
     * a fresh compiler's, and an edit that touched one service leaves most of the others' pieces the very instances.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void compilesAsAFreshCompilerThroughRandomEdits(long seed) {
        Random random = new Random(seed);
        String[] names = {"a", "b", "c", "d", "e", "f", "g", "h"};
        String[] clusters = {"c0", "c1", "c2"};
        String[] directions = {"outbound", "inbound", "both"};
        Map<String, Spec> specs = new TreeMap<>();
        Map<String, String> placedOn = new TreeMap<>();
        Map<String, boolean[]> flags = new TreeMap<>();
        int[] endpoint = {0};
        put("pool", POOL);
        for (String c : clusters) {
            flags.put(c, new boolean[] {true, true});
            put(c, cluster(c, true, true));
        }
        for (String n : names) {
            specs.put(n, new Spec());
            placedOn.put(n, clusters[random.nextInt(clusters.length)]);
        }
        for (String n : names) {
            for (String m : names) {
                if (!n.equals(m) && random.nextInt(4) == 0) {
                    specs.get(n).peers.put(m, directions[random.nextInt(3)]);
                }
            }
            write(n, specs.get(n));
        }
        writeExternal(endpoint[0], names[0], names[1]);
        MeshCompiler remembering = MeshCompiler.remembering(MeshCompiler.DEFAULT_TRUST_DOMAIN);
        List<Piece> last = check(remembering, placedOn);
        int reused = 0;
        for (int step = 0; step < 40; step++) {
            String n = names[random.nextInt(names.length)];
            Spec spec = specs.get(n);
            boolean oneService = true;
            switch (random.nextInt(11)) {
                case 0 -> spec.image++;
                case 1 -> spec.label++;
                case 2 -> {
                    String m = names[random.nextInt(names.length)];
                    if (!m.equals(n)) {
                        if (spec.peers.containsKey(m) && random.nextBoolean()) {
                            spec.peers.remove(m);
                        } else {
                            spec.peers.put(m, directions[random.nextInt(3)]);
                        }
                    }
                }
                case 3 -> spec.metrics = !spec.metrics;
                case 4 -> {
                    spec.volume = !spec.volume;
                    oneService = false;
                }
                case 5 -> spec.external = !spec.external;
                case 6 -> {
                    writeExternal(++endpoint[0], names[random.nextInt(names.length)], names[random.nextInt(names.length)]);
                    oneService = false;
                }
                case 7 -> { // goes, or comes back
                    if (reads.remove(n) == null) {
                        write(n, spec);
                    }
                    continue;
                }
                case 8, 9 -> { // moves, or is left unplaced
                    placedOn.put(n, random.nextInt(4) == 0 ? null : clusters[random.nextInt(clusters.length)]);
                    spec = null;
                }
                default -> {
                    String c = clusters[random.nextInt(clusters.length)];
                    boolean[] f = flags.get(c);
                    f[random.nextInt(2)] ^= true;
                    put(c, cluster(c, f[0], f[1]));
                    oneService = false;
                    spec = null;
                }
            }
            if (spec != null && reads.containsKey(n)) {
                write(n, spec);
            }
            List<Piece> now = check(remembering, placedOn);
            if (oneService) {
                Set<Piece> before = Collections.newSetFromMap(new IdentityHashMap<>());
                before.addAll(last);
                long same = now.stream().filter(before::contains).count();
                reused += same;
            }
            last = now;
        }
        assertThat(reused).as("pieces given back as they were after edits to one service").isPositive();
    }

    /** Compiles with both compilers and checks they agree; returns the remembering compiler's pieces. */
    private List<Piece> check(MeshCompiler remembering, Map<String, String> placedOn) {
        Inputs inputs = inputs();
        List<Placement> placements = new ArrayList<>();
        inputs.services().forEach(s -> {
            String cluster = placedOn.get(s.name());
            placements.add(cluster == null
                    ? new Placement(s.name(), "shop", Placement.Phase.Unschedulable, null, 0, null, Placement.NO_MATCHING_CLUSTER, "none", List.of(), List.of())
                    : new Placement(s.name(), "shop", Placement.Phase.Scheduled, cluster, 1, null, null, null, List.of(), List.of()));
        });
        MeshCompiler.Result remembered = remembering.compile(inputs, placements);
        MeshCompiler.Result made = fresh().compile(inputs, placements);
        assertThat(remembered.manifests()).hasSameSizeAs(made.manifests());
        List<Piece> pieces = new ArrayList<>();
        for (int i = 0; i < made.manifests().size(); i++) {
            assertThat(remembered.manifests().get(i).cluster()).isEqualTo(made.manifests().get(i).cluster());
            assertThat(remembered.manifests().get(i).services()).isEqualTo(made.manifests().get(i).services());
            assertThat(remembered.manifests().get(i).pieces()).isEqualTo(made.manifests().get(i).pieces());
            pieces.addAll(remembered.manifests().get(i).pieces());
        }
        // Equal pieces render equal objects (a piece holds everything it is rendered from): the first test renders them.
        return pieces;
    }

    private void write(String name, Spec spec) {
        StringBuilder resources = new StringBuilder();
        spec.peers.forEach((peer, direction) -> resources.append(peer).append(": {type: service, direction: ").append(direction).append("}, "));
        if (spec.volume) {
            resources.append("data: {type: volume, id: data-").append(name).append(", params: {size: 1Gi}}, ");
        }
        if (spec.external) {
            resources.append("ext: {type: external-service, direction: outbound}, ");
        }
        String ports = spec.metrics ? "{http: {port: 8080}, metrics: {port: 9090}}" : "{http: {port: 8080}}";
        put(name, """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeService
                metadata: {name: %s, namespace: shop, labels: {edit: "%d"}}
                spec:
                  containers:
                    main: {image: "%s:%d", ports: %s, resources: {requests: {cpu: 10m, memory: 16Mi}}}
                  service: {ports: {http: {port: 8080}}}
                  resources: {%s}
                """.formatted(name, spec.label, name, spec.image, ports, resources));
    }

    private void writeExternal(int endpoint, String requester, String other) {
        put("ext", """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeExternalService
                metadata: {name: ext, namespace: shop}
                spec:
                  endpoints: {api: "https://api%d.example.com:443"}
                  allowed_requesters: [%s]
                """.formatted(endpoint % 3, requester.equals(other) ? requester : requester + ", " + other));
    }
}
