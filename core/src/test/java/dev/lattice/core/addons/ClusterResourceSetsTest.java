package dev.lattice.core.addons;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.core.LatticeException;
import dev.lattice.core.capi.CapiVersions;
import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Parser;
import dev.lattice.core.render.Manifests;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterResourceSetsTest {
    private static final LatticeCluster CLUSTER = Parser.parse(List.of(new InputReader.Input("in.yaml", """
            apiVersion: lattice.dev/v1alpha1
            kind: LatticeCluster
            metadata: {name: edge}
            spec:
              provider: {kubernetes: {version: "1.31"}, config: {docker: {}}}
              nodes: {controlPlane: {replicas: 1}}
              networking: {pods: [10.7.0.0/16]}
            """))).clusters().get(0);

    private static String document(String name, int bytes) {
        return "---\n# Source: chart/templates/" + name + ".yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\n"
                + "data: {x: \"" + "a".repeat(bytes) + "\"}\n";
    }

    @Test
    void theNetworkIsCiliumRenderedForTheClustersVersionAndPodsBesideASetSelectingTheCluster() {
        List<Object[]> asked = new ArrayList<>();
        List<HasMetadata> objects = ClusterResourceSets.network(CLUSTER, new HelmTemplate() {
            @Override
            public String render(Chart chart, String release, String namespace, String kubeVersion, Map<String, Object> values) {
                asked.add(new Object[] {chart, release, namespace, kubeVersion, values});
                return document("cilium-config", 10);
            }

            @Override
            public String crds(Chart chart, String folder) {
                throw new AssertionError("the network's chart has no CRDs to install");
            }
        });
        assertThat(asked).hasSize(1);
        assertThat(asked.get(0)).containsExactly(Chart.CILIUM, "cilium", "kube-system", "v1.31.0", CiliumValues.of(CLUSTER));
        assertThat(objects).extracting(HasMetadata::getKind).containsExactly("ConfigMap", "ClusterResourceSet");
        assertThat(objects).allSatisfy(o -> {
            assertThat(o.getMetadata().getNamespace()).isEqualTo(ClusterRenderer.namespaceOf(CLUSTER));
            assertThat(o.getMetadata().getLabels()).as("the pivot moves what carries the cluster's name")
                    .containsEntry(CapiVersions.CLUSTER_NAME_LABEL, "edge");
        });
        ConfigMap configMap = (ConfigMap) objects.get(0);
        assertThat(configMap.getData()).containsOnlyKeys("cilium.yaml");
        assertThat(configMap.getData().get("cilium.yaml")).contains("name: cilium-config");
        Map<String, Object> set = Manifests.tree(objects.get(1));
        assertThat(set).containsEntry("apiVersion", "addons.cluster.x-k8s.io/v1beta1")
                .containsEntry("spec", Map.of("clusterSelector", Map.of("matchLabels", Map.of(ClusterRenderer.CLUSTER_LABEL, "edge")),
                        "resources", List.of(Map.of("kind", "ConfigMap", "name", "edge-cilium")), "strategy", "Reconcile"));
        assertThat(objects.get(1).getMetadata().getName()).isEqualTo(ClusterResourceSets.networkName(CLUSTER));
    }

    @Test
    void manifestsTooLargeForOneConfigMapAreCutBetweenDocumentsInOrder() {
        int third = ClusterResourceSets.MAX_BYTES / 3;
        String stream = document("one", third) + document("two", third) + document("three", third) + document("four", 10);
        List<HasMetadata> objects = ClusterResourceSets.of(CLUSTER, "network", Chart.CILIUM, stream);
        assertThat(objects).extracting(o -> o.getMetadata().getName()).containsExactly("edge-cilium", "edge-cilium-2", "edge-network");
        String first = ((ConfigMap) objects.get(0)).getData().get("cilium.yaml");
        String second = ((ConfigMap) objects.get(1)).getData().get("cilium.yaml");
        assertThat(first).contains("name: one", "name: two").doesNotContain("name: three");
        assertThat(second).contains("name: three", "name: four");
        assertThat(first.length()).isLessThanOrEqualTo(ClusterResourceSets.MAX_BYTES);
        assertThat(Manifests.tree(objects.get(2)).get("spec").toString()).contains("edge-cilium", "edge-cilium-2");
    }

    @Test
    void aTemplateThatRenderedNothingLeavesNoEmptyDocument() {
        String stream = "---\n# Source: chart/templates/empty.yaml\n" + document("one", 1);
        assertThat(ClusterResourceSets.chunks(stream, Chart.CILIUM)).singleElement()
                .satisfies(c -> assertThat(c).startsWith("---\n# Source: chart/templates/one.yaml").doesNotContain("empty.yaml"));
    }

    @Test
    void anObjectLargerThanAConfigMapHoldsIsRefused() {
        assertThatThrownBy(() -> ClusterResourceSets.chunks(document("huge", ClusterResourceSets.MAX_BYTES), Chart.CILIUM))
                .isInstanceOf(LatticeException.class).hasMessageContaining("more than a ConfigMap holds");
    }
}
