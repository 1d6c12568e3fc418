package dev.lattice.daemon.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.core.crd.CrdGenerator;
import dev.lattice.core.model.Kind;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.testfixtures.Envtest;
import dev.lattice.testfixtures.FakeCapi;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The daemon's informer caches against a real API server: what they hand out, and when they start watching. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CachesIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private Envtest api;
    private KubernetesClient client;

    @BeforeAll
    void start() {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        api = Envtest.start();
        client = api.client();
    }

    @AfterAll
    void stop() {
        if (api != null) {
            api.close();
        }
    }

    @Test
    @DisplayName("the Cluster API is watched once its CRDs are served, and each change names its cluster")
    void watchesTheClusterApiOnceItIsInstalled() {
        Set<String> changed = ConcurrentHashMap.newKeySet();
        try (CapiCache capi = new CapiCache(client)) {
            capi.onChange(changed::add);
            capi.start();
            assertThat(capi.served()).as("no Cluster API here yet").isFalse();
            assertThat(capi.cluster("ns", "x")).isNull();
            assertThat(capi.machineDeployments("ns", "x")).isEmpty();

            new FakeCapi(client).installCrds(); // as a pivot does, after the daemon started
            await().atMost(WAIT).until(capi::served);
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("capi-edge").endMetadata().build()).create();
            apply("""
                    apiVersion: cluster.x-k8s.io/v1beta1
                    kind: Cluster
                    metadata: {name: edge, namespace: capi-edge}
                    spec:
                      controlPlaneRef: {apiVersion: controlplane.cluster.x-k8s.io/v1beta1, kind: KubeadmControlPlane, name: edge-cp}
                    ---
                    apiVersion: controlplane.cluster.x-k8s.io/v1beta1
                    kind: KubeadmControlPlane
                    metadata: {name: edge-cp, namespace: capi-edge}
                    spec: {replicas: 1}
                    ---
                    apiVersion: cluster.x-k8s.io/v1beta1
                    kind: MachineDeployment
                    metadata:
                      name: edge-general
                      namespace: capi-edge
                      labels: {cluster.x-k8s.io/cluster-name: edge, lattice.dev/worker-pool: general}
                    spec: {clusterName: edge, replicas: 2}
                    """);
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(capi.cluster("capi-edge", "edge")).isNotNull();
                assertThat(capi.machineDeployments("capi-edge", "edge")).containsOnlyKeys("general");
                assertThat(capi.controlPlane(capi.cluster("capi-edge", "edge"))).isNotNull();
            });
            assertThat(changed).containsExactly("edge");
            assertThat(capi.cluster("capi-edge", "edge").getMetadata().getManagedFields()).as("not kept").isNull();

            changed.clear();
            client.genericKubernetesResources("controlplane.cluster.x-k8s.io/v1beta1", "KubeadmControlPlane").inNamespace("capi-edge")
                    .withName("edge-cp").edit(cp -> {
                        cp.getMetadata().setAnnotations(java.util.Map.of("touched", "yes"));
                        return cp;
                    });
            await().atMost(WAIT).untilAsserted(() -> assertThat(changed).as("the control plane's Cluster refers to it").contains("edge"));

            client.apiextensions().v1().customResourceDefinitions().withName("clusters.cluster.x-k8s.io").delete();
            await().atMost(WAIT).until(() -> !capi.served());
        }
    }

    @Test
    @DisplayName("the Lattice cache hands out metadata and status only, and a parse changes nothing it handed out")
    void theLatticeCacheNeverEditsWhatItHandsOut() {
        for (Kind kind : Kind.values()) {
            client.apiextensions().v1().customResourceDefinitions().resource(CrdGenerator.crd(kind)).serverSideApply();
        }
        await().atMost(WAIT).until(() -> client.apiextensions().v1().customResourceDefinitions().withName("latticeservices.lattice.dev")
                .get().getStatus().getConditions().stream().anyMatch(c -> "Established".equals(c.getType())));
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build()).serverSideApply();
        apply("""
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeService
                metadata: {name: api, namespace: shop}
                spec:
                  containers:
                    main: {image: "registry.example/api:1.0"}
                """);
        try (LatticeCache cache = new LatticeCache(client)) {
            cache.start();
            GenericKubernetesResource handed = cache.get(Kind.LATTICE_SERVICE, "shop", "api");
            assertThat(handed).isNotNull();
            assertThat(handed.getAdditionalProperties()).doesNotContainKey("spec");
            assertThat(handed.getMetadata().getManagedFields()).isNull();
            String before = Serialization.asJson(handed);
            assertThat(cache.snapshot().inputs().services()).as("the spec is in the model").hasSize(1);
            assertThat(cache.snapshot().inputs().services().get(0).spec().containers()).containsKey("main");
            assertThat(Serialization.asJson(cache.get(Kind.LATTICE_SERVICE, "shop", "api"))).isEqualTo(before);
            assertThat(Serialization.asJson(handed)).isEqualTo(before);

            // A placement the daemon writes into the status is no one's edit (a long pass does not stop for it); a
            // change to the spec is.
            long edits = cache.edits();
            client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_SERVICE)).inNamespace("shop").withName("api")
                    .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\": {\"cluster\": \"home\"}}");
            await().atMost(WAIT).until(() -> cache.snapshot().inputs().services().get(0).status().cluster() != null);
            assertThat(cache.edits()).isEqualTo(edits);
            apply("""
                    apiVersion: lattice.dev/v1alpha1
                    kind: LatticeService
                    metadata: {name: api, namespace: shop}
                    spec:
                      containers:
                        main: {image: "registry.example/api:2.0"}
                    """);
            await().atMost(WAIT).until(() -> cache.edits() > edits);
        }
    }

    private void apply(String yaml) {
        List<io.fabric8.kubernetes.api.model.HasMetadata> objects =
                client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
        for (io.fabric8.kubernetes.api.model.HasMetadata o : objects) {
            client.resource(o).serverSideApply();
        }
    }
}
