package dev.lattice.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.core.mesh.MeshCompiler;
import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Parser;
import dev.lattice.core.placement.Placement;
import dev.lattice.core.placement.Solver;
import dev.lattice.core.placement.Weights;
import dev.lattice.core.render.Manifests;
import dev.lattice.testfixtures.Examples;
import dev.lattice.testfixtures.SharedCrds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every object the service-graph compiler renders is one a real cluster accepts: Cilium and Istio objects
 * against the real CRD schemas and their CEL rules (../shared/crds), built-in and Istio objects through
 * fabric8's typed models without losing a field.
 */
@DisplayName("rendered manifests")
class RenderedManifestsTest {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Set<String> CRD_GROUPS = Set.of("cilium.io", "security.istio.io", "networking.istio.io");

    /** Inputs that reach every branch of the renderers: the examples, plus endpoints and names they lack. */
    private static final String EDGES = """
            apiVersion: lattice.dev/v1alpha1
            kind: LatticeService
            metadata: {name: a-service-whose-name-is-as-long-as-a-dns-label-may-be-012345678, namespace: edge}
            spec:
              replicas: 2
              containers:
                main:
                  image: example/app:1
                  ports: {http-api: {port: 9000}, dns: {port: 53, protocol: UDP}}
              service: {ports: {api: {port: 80, targetPort: 9000}}}
              resources:
                store: {type: volume, id: store, params: {size: 5Gi, storageClass: fast, mountPath: /var/lib/store}}
                "9lives": {type: service, direction: both}
                vault: {type: external-service, direction: outbound}
                web: {type: external-service, direction: outbound}
            ---
            apiVersion: lattice.dev/v1alpha1
            kind: LatticeService
            metadata: {name: 9lives, namespace: edge}
            spec:
              containers: {main: {image: example/app:1}}
              resources:
                a-service-whose-name-is-as-long-as-a-dns-label-may-be-012345678: {type: service, direction: both}
                store: {type: volume, id: store}
            ---
            apiVersion: lattice.dev/v1alpha1
            kind: LatticeExternalService
            metadata: {name: vault, namespace: edge}
            spec:
              endpoints: {api: "tcp://10.0.0.7:8200", v6: "tls://[2001:db8::7]:8201"}
              allowed_requesters: [a-service-whose-name-is-as-long-as-a-dns-label-may-be-012345678]
            ---
            apiVersion: lattice.dev/v1alpha1
            kind: LatticeExternalService
            metadata: {name: web, namespace: edge}
            spec:
              endpoints: {plain: "http://example.com", rpc: "grpc://rpc.example.com:8443"}
              allowed_requesters: [a-service-whose-name-is-as-long-as-a-dns-label-may-be-012345678]
            """;

    static Stream<Arguments> objects() {
        List<Arguments> out = new ArrayList<>();
        for (java.nio.file.Path set : Examples.sets()) {
            Inputs inputs = Parser.read(List.of(set.toString()), new ByteArrayInputStream(new byte[0]));
            addAll(out, set.getFileName().toString(), inputs);
        }
        addAll(out, "edge cases", Parser.parse(List.of(new InputReader.Input("edges.yaml", EDGES))));
        return out.stream();
    }

    private static void addAll(List<Arguments> out, String source, Inputs inputs) {
        if (inputs.services().isEmpty()) {
            return;
        }
        List<Placement> placements = inputs.clusters().isEmpty() ? List.of()
                : new Solver(Weights.DEFAULT, false).solve(inputs).placements();
        for (MeshCompiler.ClusterManifests m : new MeshCompiler("cluster.local").compile(inputs, placements).manifests()) {
            for (Map<String, Object> o : Manifests.trees(m.objects())) {
                @SuppressWarnings("unchecked")
                Map<String, Object> metadata = (Map<String, Object>) o.get("metadata");
                out.add(Arguments.of(source + " " + o.get("kind") + " " + metadata.get("name"), o));
            }
        }
    }

    private static String group(Map<String, Object> o) {
        String apiVersion = (String) o.get("apiVersion");
        return apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("objects")
    void crdObjectsConformToTheRealSchemaAndItsRules(String name, Map<String, Object> object) {
        if (!CRD_GROUPS.contains(group(object))) {
            return; // a built-in kind; the round trip below covers it
        }
        assumeTrue(SharedCrds.dir().isPresent(), SharedCrds::absence);
        assertThat(SharedCrds.violations(object)).as(name).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("objects")
    void typedObjectsRoundTripThroughFabric8WithoutLoss(String name, Map<String, Object> object) {
        if (CRD_GROUPS.contains(group(object))) {
            // fabric8 has no Cilium model, and Istio's has no release for fabric8 8: the test above checks them against
            // their real CRDs' structural schemas (an unknown or mistyped field fails there) and CEL rules.
            return;
        }
        String json = SERIALIZATION.asJson(object);
        KubernetesResource typed = SERIALIZATION.unmarshal(json);
        assertThat(typed).as(name + " reads into a typed class").isNotInstanceOf(GenericKubernetesResource.class);
        Object back = SERIALIZATION.unmarshal(SERIALIZATION.asJson(typed), Map.class);
        assertThat(back).as(name).isEqualTo(SERIALIZATION.unmarshal(json, Map.class));
    }

    @Test
    void theRulesAreReallyChecked() {
        assumeTrue(SharedCrds.dir().isPresent(), SharedCrds::absence);
        // An AuthorizationPolicy may not have both a selector and targetRefs: only a CEL rule says so.
        Map<String, Object> both = Map.of("apiVersion", "security.istio.io/v1", "kind", "AuthorizationPolicy",
                "metadata", Map.of("name", "x"),
                "spec", Map.of("selector", Map.of("matchLabels", Map.of("a", "b")),
                        "targetRefs", List.of(Map.of("kind", "Service", "group", "", "name", "s"))));
        assertThat(SharedCrds.violations(both)).anySatisfy(v -> assertThat(v).contains("x-kubernetes-validations"));
        Map<String, Object> unknown = Map.of("apiVersion", "cilium.io/v2", "kind", "CiliumNetworkPolicy",
                "metadata", Map.of("name", "x"), "spec", Map.of("endpointSelectr", Map.of()));
        assertThat(SharedCrds.violations(unknown)).anySatisfy(v -> assertThat(v).contains("spec.endpointSelectr: unknown field"));
    }
}
