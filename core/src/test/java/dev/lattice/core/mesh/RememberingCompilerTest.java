package dev.lattice.core.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Parser;
import dev.lattice.core.placement.Solver;
import dev.lattice.core.placement.Weights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A compiler that remembers its last compile (the daemon's) gives back the very pieces of every service a change did
 * not touch, and new ones for what it did; what it compiles is always what a fresh compiler makes of the same inputs.
 */
class RememberingCompilerTest {
    private static final String CLUSTERS = """
            apiVersion: lattice.dev/v1alpha1
            kind: StaticPool
            metadata: {name: dc}
            spec:
              provider: openstack
              capacity: {cores: 1000, memory: 1000Gi}
              machineTypes:
                - {name: large, cores: 16, memory: 64Gi}
            ---
            apiVersion: lattice.dev/v1alpha1
            kind: LatticeCluster
            metadata: {name: home}
            spec:
              pool: dc
              nodes:
                controlPlane: {replicas: 1, instanceType: large}
                workerPools: {default: {replicas: 3, instanceType: large}}
            """;

    /** web calls api, api calls db: each an object read on its own, as the daemon reads them. */
    private final Map<String, Parser.Read> reads = new LinkedHashMap<>();

    private static String service(String name, String image, String resources) {
        return """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeService
                metadata: {name: %s, namespace: shop}
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

    @Test
    void givesBackTheLastPiecesOfWhatAChangeDidNotTouchAndCompilesAsAFreshCompilerDoes() {
        put("clusters", CLUSTERS);
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
        // are made together), web's workload equal to the last; db's (api calls it from the same cluster, as before)
        // are the last ones.
        put("api", service("api", "api:2", "web: {type: service, direction: inbound}, db: {type: service, direction: outbound}"));
        Inputs changed = inputs();
        MeshCompiler.Result result = compile(remembering, changed);
        Map<String, Piece> after = pieces(result);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        for (String name : List.of("api Workload", "api Ingress", "api Egress", "web Egress")) {
            assertThat(after.get(name)).as(name).isNotSameAs(before.get(name)).isNotEqualTo(before.get(name));
        }
        assertThat(after.get("web Workload")).isEqualTo(before.get("web Workload"));
        for (String name : List.of("db Workload", "db Ingress")) {
            assertThat(after.get(name)).as(name).isSameAs(before.get(name));
        }
        assertThat(MeshCompilerTest.golden(result)).isEqualTo(MeshCompilerTest.golden(compile(new MeshCompiler(MeshCompiler.DEFAULT_TRUST_DOMAIN), changed)));
        assertThat(MeshCompilerTest.golden(result)).contains("image: api:2");

        // db goes: api's egress loses it (and says so), db's pieces go; a fresh compiler agrees to the byte.
        reads.remove("db");
        Inputs without = inputs();
        MeshCompiler.Result gone = compile(remembering, without);
        assertThat(pieces(gone)).doesNotContainKeys("db Workload", "db Ingress", "api Egress");
        assertThat(pieces(gone).get("web Workload")).isSameAs(after.get("web Workload"));
        assertThat(MeshCompilerTest.golden(gone)).isEqualTo(MeshCompilerTest.golden(compile(new MeshCompiler(MeshCompiler.DEFAULT_TRUST_DOMAIN), without)));

        // db comes back as it was: a new instance read afresh, so new pieces, equal to the first ones.
        put("db", service("db", "db:1", "api: {type: service, direction: inbound}"));
        Map<String, Piece> back = pieces(compile(remembering, inputs()));
        assertThat(back.get("db Workload")).isNotSameAs(before.get("db Workload")).isEqualTo(before.get("db Workload"));
        assertThat(back.get("api Egress")).isEqualTo(after.get("api Egress"));
    }
}
