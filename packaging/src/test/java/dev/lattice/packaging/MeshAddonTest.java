package dev.lattice.packaging;

import static dev.lattice.core.render.Tree.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.core.addons.ClusterAddons;
import dev.lattice.core.render.Manifests;
import dev.lattice.core.render.Tree;
import dev.lattice.testfixtures.SharedCharts;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Istio in ambient mode, the add-on {@code services: true} turns on, rendered from its four released charts. */
@DisplayName("the mesh add-on: Istio ambient from its charts")
class MeshAddonTest {
    @BeforeAll
    static void charts() {
        assumeTrue(SharedCharts.dir().isPresent(), SharedCharts.absence());
    }

    @Test
    void servicesOnByDefaultMeansIstioAmbientAndOffMeansNone() {
        assertThat(ClusterAddons.wanted(AddonChartsTest.cluster(""))).contains(ClusterAddons.MESH);
        assertThat(ClusterAddons.wanted(AddonChartsTest.cluster("  services: false\n"))).doesNotContain(ClusterAddons.MESH);
    }

    @Test
    void rendersTheFourReleasesWithTheAmbientProfileIntoIstioSystem() {
        List<HasMetadata> objects = ClusterAddons.objects(ClusterAddons.MESH, AddonChartsTest.cluster(""), SharedCharts.helm());
        assertThat(objects.get(0).getKind()).isEqualTo("Namespace");
        assertThat(objects.get(0).getMetadata().getName()).isEqualTo("istio-system");
        Map<String, Long> kinds = new TreeMap<>(objects.stream().collect(Collectors.groupingBy(HasMetadata::getKind, Collectors.counting())));
        // base 17, istiod 17, cni 9, ztunnel 2 (../shared/charts/README.md), and the namespace.
        assertThat(objects).hasSize(46);
        assertThat(kinds).containsEntry("CustomResourceDefinition", 15L).containsEntry("DaemonSet", 2L).containsEntry("Deployment", 1L);
        assertThat(objects).allSatisfy(o -> assertThat(o.getMetadata().getLabels()).containsEntry(ClusterAddons.ADDON_LABEL, "mesh"));
        assertThat(objects.stream().filter(o -> o.getMetadata().getNamespace() != null))
                .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isEqualTo("istio-system"));

        Map<String, Object> istiod = Manifests.tree(objects.stream().filter(o -> o.getKind().equals("Deployment")).findFirst().orElseThrow());
        List<Map<String, Object>> env = at(istiod, "spec", "template", "spec", "containers", "0", "env");
        assertThat(env).anySatisfy(e -> assertThat(e).containsEntry("name", "PILOT_ENABLE_AMBIENT").containsEntry("value", "true"));
        Map<String, Object> cniConfig = Manifests.tree(objects.stream()
                .filter(o -> o.getKind().equals("ConfigMap") && o.getMetadata().getName().equals("istio-cni-config")).findFirst().orElseThrow());
        assertThat(Tree.<Map<String, Object>>at(cniConfig, "data")).containsEntry("AMBIENT_ENABLED", "true");
        // The daemon may write and bind exactly the roles the charts create (DaemonManifests grants them by name).
        assertThat(objects.stream().filter(o -> o.getKind().equals("ClusterRole") || o.getKind().equals("Role"))
                .map(o -> o.getMetadata().getName())).containsExactlyInAnyOrderElementsOf(ClusterAddons.MESH.roles());
        // Images from the release's hub and tag, as stamped for 1.30.3.
        assertThat(Tree.<String>at(istiod, "spec", "template", "spec", "containers", "0", "image")).contains("1.30.3");
    }
}
