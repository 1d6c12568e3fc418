package dev.lattice.core.mesh;

import dev.lattice.core.render.Manifests;
import static dev.lattice.core.mesh.ServiceGraphPropertyTest.list;
import static dev.lattice.core.mesh.ServiceGraphPropertyTest.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.core.io.Documents;
import dev.lattice.core.model.LatticeService;
import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.InvalidInputException;
import dev.lattice.core.parse.Parser;
import dev.lattice.core.parse.Problem;
import dev.lattice.core.placement.Solver;
import dev.lattice.core.placement.Weights;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MeshCompilerTest {
    private static final Path EXAMPLES = Path.of("..", "examples");
    private static final Path GOLDEN = Path.of("src", "test", "resources", "dev", "lattice", "core", "mesh");

    static Inputs read(Path dir) {
        return Parser.read(List.of(dir.toString()), new ByteArrayInputStream(new byte[0]));
    }

    static MeshCompiler.Result compile(Inputs inputs) {
        List<dev.lattice.core.placement.Placement> placements = inputs.clusters().isEmpty() ? List.of()
                : new Solver(Weights.DEFAULT, false).solve(inputs).placements();
        return new MeshCompiler(MeshCompiler.DEFAULT_TRUST_DOMAIN).compile(inputs, placements);
    }

    static MeshCompiler.Result compile(String yaml) {
        return compile(Parser.parse(List.of(new InputReader.Input("in.yaml", yaml))));
    }

    static Map<String, Object> object(MeshCompiler.Result result, String cluster, String kind, String name) {
        return result.manifests().stream().filter(m -> java.util.Objects.equals(m.cluster(), cluster))
                .flatMap(m -> m.objects().stream().map(Manifests::tree))
                .filter(o -> o.get("kind").equals(kind) && map(o, "metadata").get("name").equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name + " on " + cluster));
    }

    /** What {@code lattice plan -o yaml} prints, minus the CLI's comments: every cluster's objects in order. */
    static String golden(MeshCompiler.Result result) {
        StringBuilder out = new StringBuilder();
        for (MeshCompiler.ClusterManifests m : result.manifests()) {
            out.append("# cluster: ").append(m.cluster() == null ? "<not placed>" : m.cluster()).append('\n');
            out.append(Documents.yamlStream(m.objects()));
        }
        return out.toString();
    }

    @DisplayName("golden files")
    @ParameterizedTest(name = "examples/{0}")
    @ValueSource(strings = {"service-graph", "dc-chicago"})
    void examplesCompileToTheirGoldenFile(String example) throws IOException {
        String actual = golden(compile(read(EXAMPLES.resolve(example))));
        Path file = GOLDEN.resolve(example + ".golden.yaml");
        if (Boolean.getBoolean("lattice.update-golden")) {
            Files.writeString(file, actual);
        }
        assertThat(Files.exists(file)).as(file + " is missing; run with -Dlattice.update-golden=true to write it").isTrue();
        assertThat(actual).as("regenerate with -Dlattice.update-golden=true after checking the difference")
                .isEqualTo(Files.readString(file));
    }

    @Test
    @DisplayName("KINDS lists every kind the compiler writes but Namespaces, so a daemon can find what no longer belongs")
    void theCompiledKindsListCoversEveryKindWritten() {
        java.util.Set<String> written = new java.util.TreeSet<>();
        for (String example : List.of("service-graph", "dc-chicago")) {
            compile(read(EXAMPLES.resolve(example))).manifests().forEach(m -> Manifests.trees(m.objects()).forEach(o ->
                    written.add(o.get("apiVersion") + " " + o.get("kind"))));
        }
        java.util.Set<String> listed = new java.util.TreeSet<>();
        MeshCompiler.KINDS.forEach(k -> listed.add(k.apiVersion() + " " + k.kind()));
        written.remove("v1 Namespace");
        assertThat(listed).containsAll(written).doesNotContain("v1 Namespace");
        assertThat(written).contains("cilium.io/v2 CiliumNetworkPolicy", "security.istio.io/v1 AuthorizationPolicy",
                "networking.istio.io/v1 ServiceEntry", "apps/v1 Deployment", "v1 PersistentVolumeClaim");
        compile(read(EXAMPLES.resolve("service-graph"))).manifests().forEach(m -> Manifests.trees(m.objects()).forEach(o ->
                assertThat(map(o, "metadata").get("labels")).as(o.get("kind") + " is labelled as compiled")
                        .isInstanceOfSatisfying(Map.class, l -> assertThat(l).containsEntry(MeshCompiler.MANAGED_BY_LABEL, MeshCompiler.MANAGER))));
    }

    @Test
    void sameInputsGiveTheSameObjectsInTheSameOrder() {
        Inputs inputs = read(EXAMPLES.resolve("service-graph"));
        assertThat(golden(compile(inputs))).isEqualTo(golden(compile(read(EXAMPLES.resolve("service-graph")))));
    }

    @Nested
    @DisplayName("the service-graph example")
    class ServiceGraphExample {
        final MeshCompiler.Result result = compile(read(EXAMPLES.resolve("service-graph")));

        @Test
        void oneSidedCallIsAWarningAtItsDeclaration() {
            assertThat(result.warnings()).singleElement().satisfies(w -> {
                assertThat(w.location().toString()).isEqualTo("../examples/service-graph/services.yaml:34:5");
                assertThat(w.message()).isEqualTo("api-gateway calls postgres, but postgres does not list api-gateway as inbound");
                assertThat(w.hint()).isEqualTo("add to postgres's spec.resources: api-gateway: {type: service, direction: inbound}");
                assertThat(w.severity()).isEqualTo(Problem.Severity.WARNING);
            });
        }

        @Test
        void aServiceNobodyAgreedToCallAcceptsNothing() {
            List<String> names = result.manifests().stream().flatMap(m -> m.objects().stream().map(Manifests::tree))
                    .map(o -> o.get("kind") + "/" + map(o, "metadata").get("name")).toList();
            assertThat(names).contains("Deployment/postgres", "Service/postgres")
                    .doesNotContain("CiliumNetworkPolicy/postgres-ingress", "AuthorizationPolicy/postgres-allow",
                            "CiliumNetworkPolicy/api-gateway-egress-postgres");
            // api-gateway's egress reaches auth-service only: the call to postgres is not agreed.
            Map<String, Object> egress = object(result, "shop-general", "CiliumNetworkPolicy", "api-gateway-egress");
            assertThat(list(map(egress, "spec"), "egress")).singleElement().satisfies(rule ->
                    assertThat(map(list(rule, "toEndpoints").get(0), "matchLabels")).containsEntry("app.kubernetes.io/name", "auth-service"));
        }

        @Test
        void callersOnAnotherClusterAreSelectedWithTheirCluster() {
            assertThat(result.crossCluster()).extracting(e -> e.edge().caller().name() + "->" + e.edge().callee().name())
                    .containsExactly("auth-service->payment-service", "payment-service->auth-service");
            Map<String, Object> ingress = object(result, "shop-pci", "CiliumNetworkPolicy", "payment-service-ingress");
            Map<String, Object> from = list(list(map(ingress, "spec"), "ingress").get(0), "fromEndpoints").get(0);
            assertThat(map(from, "matchLabels")).containsEntry("app.kubernetes.io/name", "auth-service")
                    .containsEntry("io.cilium.k8s.policy.cluster", "shop-general");
            Map<String, Object> allow = object(result, "shop-pci", "AuthorizationPolicy", "payment-service-allow");
            assertThat(list(map(allow, "spec"), "rules").get(0).toString())
                    .contains("principals=[cluster.local/ns/shop/sa/auth-service]", "ports=[8443]");
        }

        @Test
        void onlyTheAllowedRequesterGetsEgressToTheExternalService() {
            Map<String, Object> egress = object(result, "shop-pci", "CiliumNetworkPolicy", "payment-service-egress");
            assertThat(egress.toString()).contains("toFQDNs=[{matchName=api.stripe.com}]", "ports=[{port=443, protocol=TCP}]");
            Map<String, Object> entry = object(result, "shop-pci", "ServiceEntry", "stripe-api-api");
            assertThat(map(entry, "spec")).containsEntry("hosts", List.of("api.stripe.com"))
                    .containsEntry("resolution", "DNS").containsEntry("location", "MESH_EXTERNAL");
            assertThat(result.manifests().stream().filter(m -> "shop-general".equals(m.cluster()))
                    .flatMap(m -> m.objects().stream().map(Manifests::tree)).map(Object::toString)).noneMatch(s -> s.contains("stripe"));
        }

        @Test
        void theVolumeOwnerClaimsItAndItsConsumerRunsBesideIt() {
            Map<String, Object> claim = object(result, "shop-general", "PersistentVolumeClaim", "shared-media");
            assertThat(map(map(map(claim, "spec"), "resources"), "requests")).containsEntry("storage", "1Ti");
            Map<String, Object> consumer = object(result, "shop-general", "Deployment", "media-transcoder");
            String pod = map(map(consumer, "spec"), "template").toString();
            assertThat(pod).contains("claimName=shared-media", "mountPath=/data/shared-media",
                    "podAffinity={requiredDuringSchedulingIgnoredDuringExecution=[{labelSelector={matchLabels={app.kubernetes.io/name=media-ingest}}, topologyKey=kubernetes.io/hostname}]}");
            String owner = map(map(object(result, "shop-general", "Deployment", "media-ingest"), "spec"), "template").toString();
            assertThat(owner).contains("claimName=shared-media").doesNotContain("podAffinity");
        }

        @Test
        void everyNamespaceOfEveryClusterGetsTheBaseline() {
            for (MeshCompiler.ClusterManifests m : result.manifests()) {
                assertThat(Manifests.trees(m.objects()).subList(0, 3)).extracting(o -> o.get("kind") + "/" + map(o, "metadata").get("name"))
                        .containsExactly("Namespace/shop", "CiliumNetworkPolicy/lattice-default-deny", "AuthorizationPolicy/lattice-default-deny");
            }
        }
    }

    @Nested
    @DisplayName("shared volumes")
    class Volumes {
        static final String OWNER = """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeService
                metadata: {name: NAME}
                spec:
                  containers: {main: {image: a}}
                  resources:
                    data: {type: volume, id: media, params: {size: 10Gi}}
                """;
        static final String CONSUMER = """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeService
                metadata: {name: reader}
                spec:
                  containers: {main: {image: a}}
                  resources:
                    data: {type: volume, id: media}
                """;

        @Test
        void aVolumeWithTwoOwnersIsALocatedError() {
            String yaml = OWNER.replace("NAME", "one") + "---\n" + OWNER.replace("NAME", "two");
            assertThatThrownBy(() -> Parser.parse(List.of(new InputReader.Input("v.yaml", yaml))))
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems()).singleElement()
                            .satisfies(p -> {
                                assertThat(p.render()).startsWith("v.yaml:15:52: volume media has two owners: one and two both give it a size");
                                assertThat(p.hint()).contains("v.yaml:7:52");
                            }));
        }

        @Test
        void aVolumeNobodyOwnsIsALocatedError() {
            assertThatThrownBy(() -> Parser.parse(List.of(new InputReader.Input("v.yaml", CONSUMER))))
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems()).singleElement()
                            .satisfies(p -> assertThat(p.render()).startsWith(
                                    "v.yaml:7:30: volume media has no owner: no service in namespace default declares it with params.size")));
        }

        @Test
        void aServiceAskingForAGpuRunsOnGpuNodesThroughTheirTaintWithTheGpuAsALimit() {
            MeshCompiler.Result result = compile("""
                    apiVersion: lattice.dev/v1alpha1
                    kind: LatticeService
                    metadata: {name: trainer}
                    spec:
                      containers:
                        main: {image: trainer:1, resources: {requests: {cpu: "2", nvidia.com/gpu: 1}}}
                        sidecar: {image: logs:1}
                    """);
            Map<String, Object> pod = map(map(map(object(result, null, "Deployment", "trainer"), "spec"), "template"), "spec");
            assertThat(pod.get("nodeSelector")).isEqualTo(Map.of("feature.node.kubernetes.io/pci-10de.present", "true"));
            assertThat(pod.get("tolerations")).isEqualTo(List.of(Map.of("key", "nvidia.com/gpu", "operator", "Exists", "effect", "NoSchedule")));
            assertThat(pod.get("containers").toString())
                    .contains("limits={nvidia.com/gpu=1}, requests={cpu=2, nvidia.com/gpu=1}");
            // A service with no GPU is left to any node.
            Map<String, Object> plain = map(map(map(object(compile("apiVersion: lattice.dev/v1alpha1\nkind: LatticeService\n"
                    + "metadata: {name: x}\nspec: {containers: {main: {image: a}}}\n"), null, "Deployment", "x"), "spec"), "template"), "spec");
            assertThat(plain).doesNotContainKeys("nodeSelector", "tolerations");
        }

        @Test
        void aServiceAskingForAShareOfAGpuIsScheduledByHamiOnTheNodesItShares() {
            MeshCompiler.Result result = compile("""
                    apiVersion: lattice.dev/v1alpha1
                    kind: LatticeService
                    metadata: {name: notebook}
                    spec:
                      containers: {main: {image: jupyter:1, resources: {requests: {nvidia.com/gpu: 1, nvidia.com/gpumem: 4000}}}}
                    """);
            Map<String, Object> pod = map(map(map(object(result, null, "Deployment", "notebook"), "spec"), "template"), "spec");
            assertThat(pod).containsEntry("schedulerName", "hami-scheduler").containsEntry("nodeSelector", Map.of("gpu", "on"));
            assertThat(pod.get("tolerations")).isEqualTo(List.of(Map.of("key", "nvidia.com/gpu", "operator", "Exists", "effect", "NoSchedule")));
            assertThat(pod.get("containers").toString()).contains("limits={nvidia.com/gpu=1, nvidia.com/gpumem=4k}");
        }

        @Test
        void anAutoscaledServiceGetsAScaledObjectOnTheClustersMetricsAndLeavesItsReplicasToIt() {
            MeshCompiler.Result result = compile("""
                    apiVersion: lattice.dev/v1alpha1
                    kind: LatticeService
                    metadata: {name: api, namespace: shop}
                    spec:
                      containers: {main: {image: api:1, resources: {requests: {cpu: 500m}}}}
                      autoscaling:
                        min: 2
                        max: 10
                        cpu: 70
                        metric: {query: 'sum(rate(http_requests_total{service="api"}[1m]))', target: "100"}
                    """);
            Map<String, Object> scaler = object(result, null, "ScaledObject", "api");
            assertThat(scaler).containsEntry("apiVersion", "keda.sh/v1alpha1");
            assertThat(map(scaler, "metadata")).containsEntry("namespace", "shop");
            assertThat(map(scaler, "spec")).containsEntry("scaleTargetRef", Map.of("name", "api"))
                    .containsEntry("minReplicaCount", 2).containsEntry("maxReplicaCount", 10)
                    .containsEntry("triggers", List.of(
                            Map.of("type", "prometheus", "metadata", Map.of("serverAddress", "http://vmsingle-lattice-metrics.monitoring.svc:8428",
                                    "query", "sum(rate(http_requests_total{service=\"api\"}[1m]))", "threshold", "100")),
                            Map.of("type", "cpu", "metricType", "Utilization", "metadata", Map.of("value", "70"))));
            assertThat(map(object(result, null, "Deployment", "api"), "spec")).doesNotContainKey("replicas");
        }

        @Test
        void aServiceWithAMetricsPortIsScrapedByTheMonitoringAgentWhichAloneMayReachThatPort() {
            String yaml = """
                    apiVersion: lattice.dev/v1alpha1
                    kind: LatticeService
                    metadata: {name: api, namespace: shop}
                    spec:
                      containers: {main: {image: api:1, ports: {http: {port: 8080}, metrics: {port: 9090}}}}
                    """;
            MeshCompiler.Result result = compile(yaml);
            Map<String, Object> scrape = object(result, null, "VMPodScrape", "api");
            assertThat(scrape).containsEntry("apiVersion", "operator.victoriametrics.com/v1beta1");
            assertThat(map(scrape, "spec")).isEqualTo(Map.of("selector", Map.of("matchLabels", Map.of("app.kubernetes.io/name", "api")),
                    "podMetricsEndpoints", List.of(Map.of("port", "metrics", "path", "/metrics"))));
            Map<String, Object> cilium = map(object(result, null, "CiliumNetworkPolicy", "api-metrics"), "spec");
            assertThat(cilium.get("ingress")).isEqualTo(List.of(Map.of(
                    "fromEndpoints", List.of(Map.of("matchLabels", Map.of("app.kubernetes.io/name", "vmagent", "k8s:io.kubernetes.pod.namespace", "monitoring"))),
                    "toPorts", List.of(Map.of("ports", List.of(Map.of("port", "9090", "protocol", "TCP")))))));
            Map<String, Object> istio = map(object(result, null, "AuthorizationPolicy", "api-metrics"), "spec");
            assertThat(istio).containsEntry("action", "ALLOW")
                    .containsEntry("rules", List.of(Map.of("to", List.of(Map.of("operation", Map.of("ports", List.of("9090")))))));
            // A cluster without the monitoring add-on gets none of it; a service without a metrics port neither.
            String quiet = """
                    apiVersion: lattice.dev/v1alpha1
                    kind: LatticeCluster
                    metadata: {name: quiet}
                    spec: {provider: {config: {docker: {}}}, nodes: {controlPlane: 1, workerPools: {w: {replicas: 1, instanceType: {cores: 8, memoryGib: 32}}}}, monitoring: false}
                    """;
            MeshCompiler.Result unmonitored = compile(quiet + "---\n" + yaml);
            assertThat(unmonitored.manifests()).flatExtracting(MeshCompiler.ClusterManifests::objects)
                    .extracting(o -> o.getKind()).doesNotContain("VMPodScrape").contains("Deployment");
            assertThat(compile(yaml.replace(", metrics: {port: 9090}", "")).manifests()).flatExtracting(MeshCompiler.ClusterManifests::objects)
                    .extracting(o -> o.getKind()).doesNotContain("VMPodScrape");
        }

        @Test
        void anOwnerWithSeveralReplicasKeepsThemOnTheClaimsNode() {
            MeshCompiler.Result result = compile(OWNER.replace("NAME", "writer").replace("spec:\n", "spec:\n  replicas: 3\n")
                    + "---\n" + CONSUMER);
            String owner = object(result, null, "Deployment", "writer").toString();
            assertThat(owner).contains("labelSelector={matchLabels={app.kubernetes.io/name=writer}}, topologyKey=kubernetes.io/hostname");
        }
    }

    @Nested
    @DisplayName("external endpoints")
    class External {
        static String external(String url) {
            return """
                    apiVersion: lattice.dev/v1alpha1
                    kind: LatticeService
                    metadata: {name: app}
                    spec:
                      containers: {main: {image: a}}
                      resources:
                        vault: {type: external-service, direction: outbound}
                    ---
                    apiVersion: lattice.dev/v1alpha1
                    kind: LatticeExternalService
                    metadata: {name: vault}
                    spec:
                      endpoints: {api: "URL"}
                      allowed_requesters: [app]
                    """.replace("URL", url);
        }

        @Test
        void anIpAddressGetsACidrRuleAndAStaticEntry() {
            MeshCompiler.Result result = compile(external("tcp://10.1.2.3:8200"));
            assertThat(object(result, null, "CiliumNetworkPolicy", "app-egress").toString())
                    .contains("toCIDR=[10.1.2.3/32]", "port=8200").doesNotContain("toFQDNs");
            assertThat(map(object(result, null, "ServiceEntry", "vault-api"), "spec"))
                    .containsEntry("addresses", List.of("10.1.2.3/32")).containsEntry("resolution", "STATIC");
        }

        @Test
        void theSchemesDefaultPortIsUsed() {
            assertThat(object(compile(external("http://example.com")), null, "ServiceEntry", "vault-api").toString())
                    .contains("number=80", "name=http-80", "protocol=HTTP");
        }

        @Test
        void aTcpEndpointWithoutAPortIsAnError() {
            assertThatThrownBy(() -> compile(external("tcp://db.example.com")))
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems()).singleElement()
                            .satisfies(p -> assertThat(p.render()).contains("needs a port: tcp has no default one")));
        }
    }

    @Test
    void aServicesPiecesShareOneCopyOfIt() {
        // As the daemon reads them: labels, a resource version and a status, which the pieces leave out.
        String service = """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeService
                metadata: {name: NAME, labels: {team: shop}, resourceVersion: "7"}
                spec:
                  containers: {main: {image: a}}
                  resources:
                    PEER: {type: service, direction: DIRECTION}
                status: {cluster: home}
                """;
        MeshCompiler.Result result = compile(service.replace("NAME", "api").replace("PEER", "auth").replace("DIRECTION", "outbound")
                + "---\n" + service.replace("NAME", "auth").replace("PEER", "api").replace("DIRECTION", "inbound"));
        List<Piece> pieces = result.manifests().stream().flatMap(m -> m.pieces().stream()).toList();
        LatticeService workload = pieces.stream().filter(p -> p instanceof Piece.Workload w && w.service().name().equals("auth"))
                .map(p -> ((Piece.Workload) p).service()).findFirst().orElseThrow();
        LatticeService ingress = pieces.stream().filter(p -> p instanceof Piece.Ingress i && i.callee().name().equals("auth"))
                .map(p -> ((Piece.Ingress) p).callee()).findFirst().orElseThrow();
        LatticeService called = pieces.stream().filter(p -> p instanceof Piece.Egress e && e.caller().name().equals("api"))
                .map(p -> ((Piece.Egress) p).calleeServices().values().iterator().next()).findFirst().orElseThrow();
        assertThat(workload.metadata().labels()).isEmpty();
        assertThat(ingress).isSameAs(workload);
        assertThat(called).isSameAs(workload);
    }

    @Test
    void theTrustDomainNamesTheCallersIdentity() {
        Inputs inputs = read(EXAMPLES.resolve("service-graph"));
        MeshCompiler.Result result = new MeshCompiler("corp.example").compile(inputs, List.of());
        assertThat(object(result, null, "AuthorizationPolicy", "api-gateway-allow").toString())
                .contains("principals=[corp.example/ns/shop/sa/web-frontend]");
    }

    @Nested
    @DisplayName("names")
    class Names {
        @Test
        void shortNamesAreKept() {
            assertThat(KubeNames.derived("api", "ingress")).isEqualTo("api-ingress");
            assertThat(KubeNames.label("api")).isEqualTo("api");
        }

        @Test
        void longNamesAreShortenedStablyAndStayDistinct() {
            String a = "a".repeat(60) + "-one";
            String b = "a".repeat(60) + "-two";
            assertThat(Stream.of(KubeNames.derived(a, "ingress"), KubeNames.derived(b, "ingress"), KubeNames.label("9lives")))
                    .allSatisfy(n -> assertThat(KubeNames.isDns1035(n)).as(n).isTrue());
            assertThat(KubeNames.derived(a, "ingress")).isNotEqualTo(KubeNames.derived(b, "ingress"))
                    .isEqualTo(KubeNames.derived(a, "ingress")).hasSize(63);
            assertThat(KubeNames.label("9lives")).startsWith("x-9lives-");
        }
    }

    @Test
    @DisplayName("a cluster without the mesh (services: false) gets Cilium's policies and none of Istio's")
    void aClusterWithoutTheMeshGetsNoIstioObjects() {
        MeshCompiler.Result result = compile("""
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: plain}
                spec:
                  provider: {config: {docker: {}}}
                  services: false
                  nodes: {controlPlane: {replicas: 1}, workerPools: {general: {replicas: 2}}}
                ---
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeService
                metadata: {name: web, namespace: shop}
                spec:
                  containers: {main: {image: web}}
                  service: {ports: {http: {port: 80}}}
                  resources:
                    api: {type: service, direction: outbound}
                    stripe: {type: external-service, direction: outbound}
                ---
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeService
                metadata: {name: api, namespace: shop}
                spec:
                  containers: {main: {image: api}}
                  service: {ports: {http: {port: 8080}}}
                  resources:
                    web: {type: service, direction: inbound}
                ---
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeExternalService
                metadata: {name: stripe, namespace: shop}
                spec:
                  endpoints: {api: "https://api.stripe.com:443"}
                  allowed_requesters: [web]
                """);
        List<Map<String, Object>> objects = Manifests.trees(result.manifests().stream().filter(m -> "plain".equals(m.cluster()))
                .findFirst().orElseThrow().objects());
        assertThat(objects).extracting(o -> o.get("kind")).contains("Deployment", "CiliumNetworkPolicy")
                .doesNotContain("AuthorizationPolicy", "ServiceEntry");
        assertThat(map(objects.get(0), "metadata").get("labels")).asString().doesNotContain("istio.io/dataplane-mode");
        assertThat(object(result, "plain", "CiliumNetworkPolicy", "web-egress").toString()).contains("toFQDNs=[{matchName=api.stripe.com}]");
    }
}
