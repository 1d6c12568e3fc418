package dev.lattice.core.addons;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Parser;
import java.util.List;
import java.util.Map;
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
        assertThat(values.get("ipam")).isEqualTo(Map.of("mode", "cluster-pool", "operator", Map.of(
                "clusterPoolIPv4PodCIDRList", List.of("10.1.0.0/16", "10.2.0.0/16"), "clusterPoolIPv6PodCIDRList", List.of("fd00:10::/56"))));
        assertThat(values).containsEntry("ipv6", Map.of("enabled", true)).containsEntry("ipv4", Map.of("enabled", true));
    }

    @Test
    void theMeshDecidesWhetherCiliumOwnsTheCniConfigAndHubbleNeverLooksUpALiveCluster() {
        Map<String, Object> values = CiliumValues.of(cluster(""));
        assertThat(values).containsEntry("cni", Map.of("exclusive", false))
                .containsEntry("hubble", Map.of("tls", Map.of("auto", Map.of("method", "cronJob"))))
                .containsEntry("kubeProxyReplacement", "false").doesNotContainKey("ipv6");
        assertThat(values.get("ipam")).isEqualTo(Map.of("mode", "cluster-pool", "operator", Map.of(
                "clusterPoolIPv4PodCIDRList", List.of("10.244.0.0/16"))));
        assertThat(CiliumValues.of(cluster("  services: false\n"))).containsEntry("cni", Map.of("exclusive", true));
    }
}
