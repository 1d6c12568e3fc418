package dev.lattice.core.addons;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Parser;
import java.util.List;
import org.junit.jupiter.api.Test;

class CiliumValuesTest {
    private static LatticeCluster cluster(String spec) {
        return Parser.parse(List.of(new InputReader.Input("in.yaml", """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: edge}
                spec:
                  provider: {config: {docker: {}}}
                  nodes: {controlPlane: {replicas: 1}}
                """ + spec))).clusters().get(0);
    }

    @Test
    void aDualStackClusterGetsBothPoolsInTheOrderWritten() {
        var values = CiliumValues.of(cluster("  networking: {pods: [10.1.0.0/16, 10.2.0.0/16, 'fd00:10::/56']}\n"));
        assertThat(values).containsEntry("ipam.operator.clusterPoolIPv4PodCIDRList[0]", "10.1.0.0/16")
                .containsEntry("ipam.operator.clusterPoolIPv4PodCIDRList[1]", "10.2.0.0/16")
                .containsEntry("ipv6.enabled", "true").containsEntry("ipam.operator.clusterPoolIPv6PodCIDRList[0]", "fd00:10::/56")
                .containsEntry("ipv4.enabled", "true");
    }

    @Test
    void theMeshDecidesWhetherCiliumOwnsTheCniConfigAndHubbleNeverLooksUpALiveCluster() {
        assertThat(CiliumValues.of(cluster(""))).containsEntry("cni.exclusive", "false")
                .containsEntry("ipam.operator.clusterPoolIPv4PodCIDRList[0]", "10.244.0.0/16")
                .containsEntry("hubble.tls.auto.method", "cronJob").containsEntry("kubeProxyReplacement", "false")
                .doesNotContainKey("ipv6.enabled");
        assertThat(CiliumValues.of(cluster("  services: false\n"))).containsEntry("cni.exclusive", "true");
    }
}
