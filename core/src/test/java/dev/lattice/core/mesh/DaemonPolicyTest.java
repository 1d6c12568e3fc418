package dev.lattice.core.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.install.DaemonManifests;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.render.Manifests;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The network policy of the daemon's own pods, which its daemon applies to lattice-system. */
class DaemonPolicyTest {
    private static final LatticeCluster.EndpointsSpec PARENT = new LatticeCluster.EndpointsSpec("10.0.0.5", 50052, 8444, null, null);

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(LatticeCluster.EndpointsSpec parent) {
        return (Map<String, Object>) Manifests.tree(PolicyRenderer.daemon("lattice-system", parent)).get("spec");
    }

    @Test
    void selectsThePodsTheDaemonsDeploymentRuns() {
        Deployment deployment = DaemonManifests.render("home", "image").stream().filter(Deployment.class::isInstance)
                .map(Deployment.class::cast).findFirst().orElseThrow();
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(PolicyRenderer.DAEMON_PODS);
        assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts())
                .anyMatch(p -> p.getContainerPort() == PolicyRenderer.DAEMON_HTTP_PORT);
    }

    @Test
    void letsInProbesAndScrapersOnlyAndChildrenOnlyOnAParent() {
        Map<String, Object> plain = spec(null);
        assertThat(plain).containsEntry("enableDefaultDeny", Map.of("ingress", true, "egress", false)).doesNotContainKey("egress");
        assertThat((List<?>) plain.get("ingress")).hasSize(1);
        assertThat(plain.get("ingress").toString()).contains("host", "cluster", "8080").doesNotContain("all");

        List<?> parent = (List<?>) spec(PARENT).get("ingress");
        assertThat(parent).hasSize(2);
        assertThat(parent.get(1).toString()).contains("[all]", "50052", "8444");
    }

    @Test
    void theDaemonOfAClusterAppliesItToItsOwnNamespace() {
        LatticeCluster home = dev.lattice.core.parse.Parser.parse(List.of(new dev.lattice.core.parse.InputReader.Input("c.yaml", """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: home}
                spec:
                  provider: {config: {docker: {}}}
                  nodes: {controlPlane: {replicas: 1}}
                """))).clusters().get(0);
        assertThat(MeshCompiler.daemonPolicy(home)).singleElement().satisfies(p -> {
            assertThat(p.getMetadata().getNamespace()).isEqualTo(DaemonManifests.NAMESPACE);
            assertThat(p.getMetadata().getLabels()).containsEntry(MeshCompiler.MANAGED_BY_LABEL, MeshCompiler.MANAGER);
        });
    }
}
