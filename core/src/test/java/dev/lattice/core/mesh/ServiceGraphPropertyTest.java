package dev.lattice.core.mesh;

import dev.lattice.core.render.Manifests;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.graph.ServiceGraph;
import dev.lattice.core.graph.ServiceGraph.Side;
import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Parser;
import dev.lattice.core.placement.Placement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random service graphs, written as YAML and compiled: what the Istio policies allow, and separately what the
 * Cilium policies allow, is exactly the set of agreed edges computed here from the declarations alone, and
 * every one-sided declaration is warned about. The seed is in each case's name, so a failure reproduces.
 */
@DisplayName("compiled policy allows exactly the agreed edges")
class ServiceGraphPropertyTest {
    private static final String TRUST_DOMAIN = "example.org";
    private static final String[] NAMESPACES = {"shop", "billing"};

    static LongStream seeds() {
        return LongStream.range(0, 300);
    }

    /** One generated case: the declarations, as the oracle sees them, and the YAML they were written as. */
    static final class Case {
        final List<String> services = new ArrayList<>();
        final Map<String, String> namespaceOf = new HashMap<>();
        /** "a>b" → what a declares about b: "outbound", "inbound" or "both". */
        final Map<String, String> declares = new HashMap<>();
        /** caller → external services it declares. */
        final Map<String, List<String>> callsExternal = new HashMap<>();
        /** external → its allowed requesters (names in its namespace). */
        final Map<String, List<String>> allows = new HashMap<>();
        final Map<String, String> host = new HashMap<>();
        final List<String> clusters = new ArrayList<>();
        final Map<String, String> placedOn = new HashMap<>();
        final StringBuilder yaml = new StringBuilder();

        String id(String name) {
            return namespaceOf.get(name) + "/" + name;
        }
    }

    static Case generate(long seed) {
        Random random = new Random(seed);
        Case c = new Case();
        int n = 2 + random.nextInt(9);
        for (int i = 0; i < n; i++) {
            // Now and then a name as long as a DNS label allows, so derived names must be shortened.
            String name = random.nextInt(8) == 0 ? ("s" + i + "-" + "x".repeat(60)).substring(0, 63) : "svc-" + i;
            c.services.add(name);
            c.namespaceOf.put(name, NAMESPACES[random.nextInt(random.nextInt(3) == 0 ? 2 : 1)]);
        }
        // Peers that are not among the inputs (declared, never defined).
        List<String> ghosts = List.of("ghost-a", "ghost-b");
        for (String ghost : ghosts) {
            c.namespaceOf.put(ghost, "shop");
        }
        int externals = random.nextInt(3);
        for (int e = 0; e < externals; e++) {
            String name = "ext-" + e;
            c.namespaceOf.put(name, "shop");
            c.host.put(name, "api" + e + ".example.com");
            List<String> allowed = new ArrayList<>();
            for (String s : c.services) {
                if (random.nextInt(3) == 0) {
                    allowed.add(s);
                }
            }
            if (random.nextBoolean()) {
                allowed.add("ghost-a");
            }
            c.allows.put(name, allowed);
        }
        String[] directions = {"outbound", "inbound", "both"};
        List<String> peers = new ArrayList<>(c.services);
        peers.addAll(ghosts);
        for (String a : c.services) {
            for (String b : peers) {
                if (!a.equals(b) && random.nextInt(3) == 0) {
                    c.declares.put(a + ">" + b, directions[random.nextInt(3)]);
                }
            }
            for (int e = 0; e < 3; e++) {
                if (random.nextInt(3) == 0) {
                    c.callsExternal.computeIfAbsent(a, k -> new ArrayList<>()).add("ext-" + e);
                }
            }
        }
        int clusters = random.nextInt(4);
        for (int i = 0; i < clusters; i++) {
            c.clusters.add("cluster-" + i);
        }
        for (String s : c.services) {
            // Some services stay unplaced even when there are clusters.
            if (!c.clusters.isEmpty() && random.nextInt(5) != 0) {
                c.placedOn.put(s, c.clusters.get(random.nextInt(clusters)));
            }
        }
        write(c, random);
        return c;
    }

    private static void write(Case c, Random random) {
        for (String s : c.services) {
            c.yaml.append("---\napiVersion: lattice.dev/v1alpha1\nkind: LatticeService\nmetadata: {name: ").append(s)
                    .append(", namespace: ").append(c.namespaceOf.get(s)).append("}\nspec:\n  containers:\n    main:\n")
                    .append("      image: example/app:1\n");
            int ports = random.nextInt(3);
            if (ports > 0) {
                c.yaml.append("      ports:\n");
                for (int p = 0; p < ports; p++) {
                    c.yaml.append("        p").append(p).append(": {port: ").append(8000 + random.nextInt(100)).append("}\n");
                }
            }
            c.yaml.append("  resources:\n    unused-volume-marker: {type: volume, id: v-").append(s.hashCode() & 0xffff)
                    .append(", params: {size: 1Gi}}\n");
            c.declares.forEach((key, direction) -> {
                String[] ab = key.split(">");
                if (ab[0].equals(s)) {
                    String namespace = c.namespaceOf.get(ab[1]);
                    c.yaml.append("    ").append(ab[1]).append(": {type: service, direction: ").append(direction)
                            .append(namespace.equals(c.namespaceOf.get(s)) ? "" : ", namespace: " + namespace).append("}\n");
                }
            });
            for (String e : c.callsExternal.getOrDefault(s, List.of())) {
                c.yaml.append("    ").append(e).append(": {type: external-service, direction: outbound, namespace: shop}\n");
            }
        }
        c.allows.forEach((e, allowed) -> {
            c.yaml.append("---\napiVersion: lattice.dev/v1alpha1\nkind: LatticeExternalService\nmetadata: {name: ").append(e)
                    .append(", namespace: shop}\nspec:\n  endpoints: {api: \"https://").append(c.host.get(e)).append(":443\"}\n")
                    .append("  allowed_requesters: [").append(String.join(", ", allowed)).append("]\n");
        });
    }

    /** What the oracle expects, from the declarations alone. */
    static Set<String> agreed(Case c) {
        Set<String> out = new TreeSet<>();
        c.declares.forEach((key, direction) -> {
            String[] ab = key.split(">");
            String back = c.declares.get(ab[1] + ">" + ab[0]);
            if (!direction.equals("inbound") && c.services.contains(ab[1]) && back != null && !back.equals("outbound")) {
                out.add(c.id(ab[0]) + " -> " + c.id(ab[1]));
            }
        });
        return out;
    }

    static Set<String> oneSided(Case c) {
        Set<String> out = new TreeSet<>();
        c.declares.forEach((key, direction) -> {
            String[] ab = key.split(">");
            String back = c.services.contains(ab[1]) ? c.declares.get(ab[1] + ">" + ab[0]) : null;
            if (!direction.equals("inbound") && (back == null || back.equals("outbound"))) {
                out.add(c.id(ab[0]) + " " + Side.CALLS + " " + c.id(ab[1]));
            }
            if (!direction.equals("outbound") && (back == null || back.equals("inbound"))) {
                out.add(c.id(ab[0]) + " " + Side.ACCEPTS + " " + c.id(ab[1]));
            }
        });
        c.callsExternal.forEach((s, externals) -> externals.forEach(e -> {
            if (!c.allows.containsKey(e) || !c.allows.get(e).contains(s) || !c.namespaceOf.get(s).equals("shop")) {
                out.add(c.id(s) + " " + Side.CALLS_EXTERNAL + " shop/" + e);
            }
        }));
        c.allows.forEach((e, allowed) -> allowed.forEach(r -> {
            boolean declared = c.services.contains(r) && c.namespaceOf.get(r).equals("shop")
                    && c.callsExternal.getOrDefault(r, List.of()).contains(e);
            if (!declared) {
                out.add("shop/" + e + " " + Side.ALLOWS_REQUESTER + " shop/" + r);
            }
        }));
        return out;
    }

    static MeshCompiler.Result compile(Case c) {
        Inputs inputs = Parser.parse(List.of(new InputReader.Input("graph.yaml", c.yaml.toString())));
        List<Placement> placements = new ArrayList<>();
        c.placedOn.forEach((s, cluster) -> placements.add(new Placement(s, c.namespaceOf.get(s), Placement.Phase.Scheduled,
                cluster, 1, new Placement.Scores(1, 0, 0), null, null, List.of(), List.of())));
        return new MeshCompiler(TRUST_DOMAIN).compile(inputs, placements);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void istioAllowsExactlyTheAgreedEdges(long seed) {
        Case c = generate(seed);
        Set<String> allowed = new TreeSet<>();
        for (Map<String, Object> o : objects(compile(c), "AuthorizationPolicy")) {
            Map<String, Object> spec = map(o, "spec");
            if (spec.isEmpty()) {
                continue; // the namespace's allow-nothing baseline
            }
            assertThat(spec.get("action")).isEqualTo("ALLOW");
            String callee = namespace(o) + "/" + matchLabel(map(spec, "selector"));
            for (Map<String, Object> rule : list(spec, "rules")) {
                for (Map<String, Object> from : list(rule, "from")) {
                    for (Object principal : (List<?>) map(from, "source").get("principals")) {
                        String[] parts = principal.toString().split("/");
                        assertThat(parts[0]).isEqualTo(TRUST_DOMAIN);
                        allowed.add(parts[2] + "/" + parts[4] + " -> " + callee);
                    }
                }
            }
        }
        assertThat(allowed).as(c.yaml.toString()).isEqualTo(agreed(c));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void ciliumAllowsExactlyTheAgreedEdgesBothWays(long seed) {
        Case c = generate(seed);
        Set<String> ingress = new TreeSet<>();
        Set<String> egress = new TreeSet<>();
        Set<String> fqdns = new TreeSet<>();
        for (Map<String, Object> o : objects(compile(c), "CiliumNetworkPolicy")) {
            Map<String, Object> spec = map(o, "spec");
            if (map(spec, "endpointSelector").isEmpty()) {
                // The baseline: default deny, DNS to kube-dns only, and in only the kubelet's probes (from the node, or
                // SNAT-ed by Istio ambient from 169.254.7.127) and no pod.
                assertThat(map(spec, "enableDefaultDeny")).containsEntry("ingress", true).containsEntry("egress", true);
                assertThat(list(spec, "ingress")).singleElement().satisfies(r -> assertThat(r)
                        .containsOnlyKeys("fromEntities", "fromCIDR")
                        .containsEntry("fromEntities", List.of("host")).containsEntry("fromCIDR", List.of("169.254.7.127/32")));
                assertThat(list(list(spec, "egress").get(0), "toEndpoints")).singleElement()
                        .satisfies(e -> assertThat(map(e, "matchLabels")).containsEntry("k8s:k8s-app", "kube-dns"));
                continue;
            }
            String self = namespace(o) + "/" + matchLabel(map(spec, "endpointSelector"));
            for (Map<String, Object> rule : list(spec, "ingress")) {
                for (Map<String, Object> from : list(rule, "fromEndpoints")) {
                    ingress.add(peer(from) + " -> " + self);
                }
            }
            for (Map<String, Object> rule : list(spec, "egress")) {
                for (Map<String, Object> to : list(rule, "toEndpoints")) {
                    egress.add(self + " -> " + peer(to));
                }
                for (Map<String, Object> to : list(rule, "toFQDNs")) {
                    fqdns.add(self + " -> " + to.get("matchName"));
                }
            }
        }
        assertThat(ingress).as("ingress\n" + c.yaml).isEqualTo(agreed(c));
        assertThat(egress).as("egress\n" + c.yaml).isEqualTo(agreed(c));
        Set<String> expectedFqdns = new TreeSet<>();
        c.callsExternal.forEach((s, externals) -> externals.forEach(e -> {
            if (c.allows.containsKey(e) && c.allows.get(e).contains(s) && c.namespaceOf.get(s).equals("shop")) {
                expectedFqdns.add(c.id(s) + " -> " + c.host.get(e));
            }
        }));
        assertThat(fqdns).as("external egress\n" + c.yaml).isEqualTo(expectedFqdns);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyOneSidedDeclarationIsWarnedAboutOnce(long seed) {
        Case c = generate(seed);
        Inputs inputs = Parser.parse(List.of(new InputReader.Input("graph.yaml", c.yaml.toString())));
        List<ServiceGraph.OneSided> warned = ServiceGraph.analyse(inputs.objects()).oneSided();
        List<String> seen = warned.stream().map(w -> w.declarer() + " " + w.side() + " " + w.peer()).toList();
        assertThat(seen).doesNotHaveDuplicates();
        assertThat(new TreeSet<>(seen)).as(c.yaml.toString()).isEqualTo(oneSided(c));
        assertThat(warned).allSatisfy(w -> {
            assertThat(w.warning().location().file()).isEqualTo("graph.yaml");
            assertThat(w.warning().location().line()).isPositive();
            assertThat(w.warning().message()).contains(w.declarer().name(), w.peer().name());
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void objectsGoToTheirServicesClusterWithValidNames(long seed) {
        Case c = generate(seed);
        MeshCompiler.Result result = compile(c);
        Set<String> namesSeen = new HashSet<>();
        for (MeshCompiler.ClusterManifests m : result.manifests()) {
            for (Map<String, Object> o : Manifests.trees(m.objects())) {
                Map<String, Object> metadata = map(o, "metadata");
                String name = (String) metadata.get("name");
                assertThat(KubeNames.isDns1035(name) || o.get("kind").equals("ServiceAccount") || o.get("kind").equals("Deployment"))
                        .as(name).isTrue();
                assertThat(name.length()).isLessThanOrEqualTo(63);
                assertThat(namesSeen.add(m.cluster() + "/" + metadata.get("namespace") + "/" + o.get("kind") + "/" + name))
                        .as("unique " + name).isTrue();
                map(metadata, "labels").values().forEach(v -> assertThat(v.toString().length()).isLessThanOrEqualTo(63));
                if (o.get("kind").equals("Deployment")) {
                    assertThat(c.placedOn.get(name)).isEqualTo(m.cluster());
                }
            }
        }
        assertThat(result.manifests().stream().flatMap(m -> m.services().stream()).map(Object::toString))
                .containsExactlyInAnyOrderElementsOf(c.services.stream().map(c::id).toList());
    }

    // -- reading the rendered trees

    static List<Map<String, Object>> objects(MeshCompiler.Result result, String kind) {
        return result.manifests().stream().flatMap(m -> m.objects().stream().map(Manifests::tree)).filter(o -> kind.equals(o.get("kind"))).toList();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? Map.of() : (Map<String, Object>) v;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? List.of() : (List<Map<String, Object>>) v;
    }

    private static String namespace(Map<String, Object> o) {
        return (String) map(o, "metadata").get("namespace");
    }

    private static String matchLabel(Map<String, Object> selector) {
        return (String) map(selector, "matchLabels").get("app.kubernetes.io/name");
    }

    private static String peer(Map<String, Object> endpoint) {
        Map<String, Object> labels = map(endpoint, "matchLabels");
        return labels.get("k8s:io.kubernetes.pod.namespace") + "/" + labels.get("app.kubernetes.io/name");
    }
}
