package dev.lattice.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.core.LatticeException;
import dev.lattice.core.capi.CapiVersions;
import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Parser;
import dev.lattice.core.render.Manifests;
import dev.lattice.engine.pivot.Mover;
import dev.lattice.testfixtures.Envtest;
import dev.lattice.testfixtures.FakeCapi;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;


/**
 * The pivot between two real kube-apiservers, with a realistic Cluster API object graph that the fake provider
 * builds from rendered objects: every object arrives once, owners by their new UIDs, statuses kept, nothing left
 * behind, and a move killed half-way completes when run again.
 */
@DisplayName("pivot (Mover) between two API servers")
class MoverIT {
    private static Envtest sourceServer;
    private static Envtest targetServer;
    private static KubernetesClient source;
    private static KubernetesClient target;
    private static final List<String> KINDS = List.of("cluster.x-k8s.io/v1beta1:Cluster", "cluster.x-k8s.io/v1beta1:Machine",
            "cluster.x-k8s.io/v1beta1:MachineSet", "cluster.x-k8s.io/v1beta1:MachineDeployment",
            "bootstrap.cluster.x-k8s.io/v1beta1:KubeadmConfig", "bootstrap.cluster.x-k8s.io/v1beta1:KubeadmConfigTemplate",
            "controlplane.cluster.x-k8s.io/v1beta1:KubeadmControlPlane", "infrastructure.cluster.x-k8s.io/v1beta1:DockerCluster",
            "infrastructure.cluster.x-k8s.io/v1beta1:DockerMachine", "infrastructure.cluster.x-k8s.io/v1beta1:DockerMachineTemplate",
            "v1:Secret", "v1:ConfigMap");

    @BeforeAll
    static void startServers() {
        if (Envtest.assets().isEmpty()) {
            return;
        }
        sourceServer = Envtest.start();
        targetServer = Envtest.start();
        source = sourceServer.client();
        target = targetServer.client();
        new FakeCapi(source).installCrds();
        new FakeCapi(target).installCrds();
    }

    @BeforeEach
    void needsServers() {
        assumeTrue(sourceServer != null, Envtest::absence);
    }

    @AfterAll
    static void stopServers() {
        if (sourceServer != null) {
            sourceServer.close();
        }
        if (targetServer != null) {
            targetServer.close();
        }
    }

    private static String provision(String name) {
        String yaml = """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: NAME}
                spec:
                  provider: {config: {docker: {}}}
                  nodes:
                    controlPlane: {replicas: 3}
                    workerPools: {general: {replicas: 2}, batch: {replicas: 1}}
                """.replace("NAME", name);
        ClusterRenderer.Rendered r = ClusterRenderer.render(
                Parser.parse(List.of(new InputReader.Input("c.yaml", yaml))).clusters().get(0), null, null);
        List<Map<String, Object>> objects = new ArrayList<>();
        objects.add(Map.of("apiVersion", "v1", "kind", "Namespace", "metadata", Map.of("name", r.namespace())));
        objects.addAll(Manifests.trees(r.objects()));
        new FakeCapi(source).provision(objects);
        return r.namespace();
    }

    private static List<GenericKubernetesResource> all(KubernetesClient client, String namespace) {
        List<GenericKubernetesResource> out = new ArrayList<>();
        for (String k : KINDS) {
            String[] p = k.split(":");
            out.addAll(client.genericKubernetesResources(p[0], p[1]).inNamespace(namespace).list().getItems().stream()
                    .filter(o -> !"kube-root-ca.crt".equals(o.getMetadata().getName()))
                    .filter(o -> !o.getMetadata().getName().startsWith("default-token-")).toList());
        }
        return out;
    }

    private static TreeSet<String> names(List<GenericKubernetesResource> objects) {
        TreeSet<String> out = new TreeSet<>();
        objects.forEach(o -> out.add(o.getKind() + "/" + o.getMetadata().getName()));
        return out;
    }

    /** Every owner reference names an object that is there, by its UID, kind and name. */
    private static void ownersResolve(List<GenericKubernetesResource> objects) {
        Map<String, GenericKubernetesResource> byUid = new HashMap<>();
        objects.forEach(o -> byUid.put(o.getMetadata().getUid(), o));
        int references = 0;
        for (GenericKubernetesResource o : objects) {
            for (OwnerReference r : o.getMetadata().getOwnerReferences()) {
                GenericKubernetesResource owner = byUid.get(r.getUid());
                assertThat(owner).as("owner %s/%s of %s/%s", r.getKind(), r.getName(), o.getKind(), o.getMetadata().getName()).isNotNull();
                assertThat(owner.getKind() + "/" + owner.getMetadata().getName()).isEqualTo(r.getKind() + "/" + r.getName());
                references++;
            }
        }
        assertThat(references).isGreaterThan(20);
    }

    @SuppressWarnings("unchecked")
    private static Object at(GenericKubernetesResource o, String field, String key) {
        return ((Map<String, Object>) o.getAdditionalProperties().get(field)).get(key);
    }

    @Test
    void movesEveryObjectOnceWithOwnersRewiredAndStatusKeptAndLeavesNothingBehind() {
        String ns = provision("alpha");
        // Not alpha's: another cluster's Machine and an unrelated Secret in the same namespace stay where they are.
        source.genericKubernetesResources("cluster.x-k8s.io/v1beta1", "Machine").inNamespace(ns).resource(
                new GenericKubernetesResourceBuilder().withApiVersion("cluster.x-k8s.io/v1beta1").withKind("Machine")
                        .withNewMetadata().withName("beta-0").withNamespace(ns).addToLabels(CapiVersions.CLUSTER_NAME_LABEL, "beta")
                        .endMetadata().build()).create();
        source.genericKubernetesResources("v1", "Secret").inNamespace(ns).resource(new GenericKubernetesResourceBuilder()
                .withApiVersion("v1").withKind("Secret").withNewMetadata().withName("unrelated").withNamespace(ns).endMetadata().build()).create();
        List<GenericKubernetesResource> before = all(source, ns);
        TreeSet<String> expected = names(before);
        expected.removeAll(List.of("Machine/beta-0", "Secret/unrelated"));

        List<String> steps = new ArrayList<>();
        List<Object> pausedWhenCreated = new ArrayList<>();
        Mover.Result result = new Mover(source, target, new Mover.Listener() {
            @Override
            public void step(String message) {
                steps.add(message);
            }

            @Override
            public void created(GenericKubernetesResource object) {
                if ("Cluster".equals(object.getKind())) {
                    pausedWhenCreated.add(at(object, "spec", "paused"));
                }
            }
        }).move(ns, "alpha");

        List<GenericKubernetesResource> moved = all(target, ns);
        assertThat(names(moved)).isEqualTo(expected);
        assertThat(moved).hasSize(expected.size());
        assertThat(result.created()).isEqualTo(expected.size());
        assertThat(result.deleted()).isEqualTo(expected.size());
        ownersResolve(moved);
        assertThat(names(all(source, ns))).containsExactly("Machine/beta-0", "Secret/unrelated");
        GenericKubernetesResource cluster = moved.stream().filter(o -> o.getKind().equals("Cluster")).findFirst().orElseThrow();
        assertThat(pausedWhenCreated).as("the target's Cluster is paused until every object is there").containsExactly(true);
        assertThat(at(cluster, "spec", "paused")).isEqualTo(false);
        assertThat(moved).allSatisfy(o -> assertThat(o.getMetadata().getAnnotations()).containsKey(Mover.SOURCE_UID));
        GenericKubernetesResource machine = moved.stream().filter(o -> o.getKind().equals("Machine")).findFirst().orElseThrow();
        assertThat(at(machine, "status", "phase")).isEqualTo("Running");
        assertThat(machine.getMetadata().getFinalizers()).containsExactly("machine.cluster.x-k8s.io");
        assertThat(steps).first().asString().startsWith("found " + expected.size() + " objects");
    }

    @Test
    void aMoveKilledHalfwayLeavesTheSourceWholeAndUnpausedAndCompletesWhenRunAgain() {
        String ns = provision("gamma");
        TreeSet<String> expected = names(all(source, ns));
        int[] creates = {0};
        Mover.Listener dies = new Mover.Listener() {
            @Override
            public void created(GenericKubernetesResource object) {
                if (++creates[0] == 12) {
                    throw new IllegalStateException("killed");
                }
            }
        };
        assertThatThrownBy(() -> new Mover(source, target, dies).move(ns, "gamma")).hasMessage("killed");
        assertThat(names(all(source, ns))).isEqualTo(expected);
        GenericKubernetesResource sourceCluster = source.genericKubernetesResources("cluster.x-k8s.io/v1beta1", "Cluster")
                .inNamespace(ns).withName("gamma").get();
        assertThat(at(sourceCluster, "spec", "paused")).isEqualTo(false);
        assertThat(all(target, ns)).hasSize(12);

        Mover.Result again = new Mover(source, target, new Mover.Listener() { }).move(ns, "gamma");

        assertThat(again.resumed()).isEqualTo(12);
        assertThat(again.created()).isEqualTo(expected.size() - 12);
        List<GenericKubernetesResource> moved = all(target, ns);
        assertThat(names(moved)).isEqualTo(expected);
        assertThat(moved).hasSize(expected.size());
        ownersResolve(moved);
        assertThat(all(source, ns)).isEmpty();
    }

    @Test
    void refusesToOverwriteAnObjectTheTargetHadAlreadyAndUnpausesTheSource() {
        String ns = provision("delta");
        target.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(ns)
                .endMetadata().build()).serverSideApply();
        target.genericKubernetesResources("infrastructure.cluster.x-k8s.io/v1beta1", "DockerCluster").inNamespace(ns).resource(
                new GenericKubernetesResourceBuilder().withApiVersion("infrastructure.cluster.x-k8s.io/v1beta1").withKind("DockerCluster")
                        .withNewMetadata().withName("delta").withNamespace(ns).endMetadata().build()).create();
        TreeSet<String> before = names(all(source, ns));

        assertThatThrownBy(() -> new Mover(source, target, new Mover.Listener() { }).move(ns, "delta"))
                .isInstanceOf(LatticeException.class).hasMessageContaining("already has DockerCluster " + ns + "/delta");

        assertThat(names(all(source, ns))).isEqualTo(before);
        assertThat(at(source.genericKubernetesResources("cluster.x-k8s.io/v1beta1", "Cluster").inNamespace(ns).withName("delta").get(),
                "spec", "paused")).isEqualTo(false);
    }

    @Test
    void aFailedMoveKeepsAPauseItDidNotMake() {
        String ns = provision("epsilon");
        var cluster = source.genericKubernetesResources("cluster.x-k8s.io/v1beta1", "Cluster").inNamespace(ns).withName("epsilon");
        cluster.patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                "{\"spec\":{\"paused\":true}}");
        target.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(ns)
                .endMetadata().build()).serverSideApply();
        target.genericKubernetesResources("infrastructure.cluster.x-k8s.io/v1beta1", "DockerCluster").inNamespace(ns).resource(
                new GenericKubernetesResourceBuilder().withApiVersion("infrastructure.cluster.x-k8s.io/v1beta1").withKind("DockerCluster")
                        .withNewMetadata().withName("epsilon").withNamespace(ns).endMetadata().build()).create();

        assertThatThrownBy(() -> new Mover(source, target, new Mover.Listener() { }).move(ns, "epsilon"))
                .isInstanceOf(LatticeException.class);

        GenericKubernetesResource after = cluster.get();
        assertThat(at(after, "spec", "paused")).as("the user's pause is kept").isEqualTo(true);
        assertThat(after.getMetadata().getAnnotations()).doesNotContainKey(Mover.PAUSED_BY_MOVE);
    }
}
