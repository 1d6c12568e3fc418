package dev.lattice.daemon.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.mesh.MeshCompiler;
import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Parser;
import dev.lattice.core.placement.Placement;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A child's objects are rendered again only when its pieces change: with the daemon's remembering compiler, a change
 * to a service on one child gives the other child the very list it had (which its agent then finds equal and is not
 * sent), and the changed child a new one.
 */
class RenderedObjectsTest {
    private final Map<String, Parser.Read> reads = new LinkedHashMap<>();
    private final MeshCompiler compiler = MeshCompiler.remembering(MeshCompiler.DEFAULT_TRUST_DOMAIN);

    private void service(String name, String image) {
        reads.put(name, Parser.read(new InputReader.Input(name, """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeService
                metadata: {name: %s, namespace: shop}
                spec:
                  containers:
                    main: {image: "%s", resources: {requests: {cpu: 10m, memory: 16Mi}}}
                  service: {ports: {http: {port: 8080}}}
                """.formatted(name, image))).withoutFieldLocations());
    }

    /** Each service on the cluster named after its first letter's position: a* on child-a, b* on child-b. */
    private Map<String, MeshCompiler.ClusterManifests> compile() {
        Inputs inputs = Parser.assemble(new ArrayList<>(reads.values()));
        List<Placement> placements = inputs.services().stream().map(s -> new Placement(s.name(), "shop", Placement.Phase.Scheduled,
                "child-" + s.name().charAt(0), 1, null, null, null, List.of(), List.of())).toList();
        Map<String, MeshCompiler.ClusterManifests> byCluster = new LinkedHashMap<>();
        compiler.compile(inputs, placements).manifests().forEach(m -> byCluster.put(m.cluster(), m));
        return byCluster;
    }

    @Test
    void rendersAChildsObjectsAgainOnlyWhenItsPiecesChange() {
        service("a1", "a1:1");
        service("a2", "a2:1");
        service("b1", "b1:1");
        RenderedObjects rendered = new RenderedObjects();
        Map<String, MeshCompiler.ClusterManifests> first = compile();
        List<HasMetadata> a = rendered.of(first.get("child-a"));
        List<HasMetadata> b = rendered.of(first.get("child-b"));
        assertThat(a).extracting(o -> o.getMetadata().getName()).contains("a1", "a2");

        service("b1", "b1:2");
        Map<String, MeshCompiler.ClusterManifests> second = compile();
        assertThat(rendered.of(second.get("child-a"))).isSameAs(a);
        List<HasMetadata> changed = rendered.of(second.get("child-b"));
        assertThat(changed).isNotSameAs(b).isNotEqualTo(b).isEqualTo(second.get("child-b").objects());

        // A cluster no longer served is forgotten: its objects are rendered afresh if it comes back.
        rendered.retain(Set.of("child-b"));
        assertThat(rendered.of(compile().get("child-a"))).isNotSameAs(a).isEqualTo(a);
    }
}
