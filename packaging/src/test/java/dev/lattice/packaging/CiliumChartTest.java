package dev.lattice.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.core.addons.Chart;
import dev.lattice.core.addons.CiliumValues;
import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.io.Documents;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Parser;
import dev.lattice.core.render.Manifests;
import dev.lattice.engine.charts.ChartRenderer;
import dev.lattice.engine.charts.ChartStore;
import dev.lattice.testfixtures.SharedCharts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Cilium, rendered from its released chart with the values Lattice derives from a cluster's spec. */
@DisplayName("Cilium from its chart, for a cluster")
class CiliumChartTest {
    private static Path chart;

    @BeforeAll
    static void chart() {
        assumeTrue(SharedCharts.dir().isPresent(), SharedCharts.absence());
        // As an air-gapped install takes it: the released chart, unpacked, checked against the digest pinned in code.
        chart = new ChartStore(SharedCharts.dir().get(), Path.of("target", "chart-cache"), c -> {
            throw new AssertionError("a charts directory is never downloaded to");
        }).chart(Chart.CILIUM);
    }

    private static Inputs inputs(String networking, String services) {
        return Parser.parse(List.of(new InputReader.Input("cluster.yaml", """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: edge}
                spec:
                  provider: {config: {docker: {}}}
                  services: %s
                  nodes: {controlPlane: {replicas: 1}}
                %s
                """.formatted(services, networking))));
    }

    private static String render(LatticeCluster cluster) {
        return ChartRenderer.render(chart, "cilium", "kube-system", "v1.28.7", CiliumValues.of(cluster));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> find(List<Map<String, Object>> objects, String kind, String name) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))
                && name.equals(((Map<String, Object>) o.get("metadata")).get("name"))).findFirst().orElseThrow();
    }

    @Test
    @SuppressWarnings("unchecked")
    void ciliumsIpamTakesThePodCidrsTheNodesAreGiven() {
        Inputs inputs = inputs("  networking: {pods: [10.100.0.0/16], services: [10.200.0.0/16]}", "true");
        LatticeCluster cluster = inputs.clusters().get(0);
        List<Map<String, Object>> capi = Manifests.trees(ClusterRenderer.render(cluster, null, null).objects());
        Map<String, Object> network = (Map<String, Object>) ((Map<String, Object>) find(capi, "Cluster", "edge").get("spec")).get("clusterNetwork");
        List<String> nodes = (List<String>) ((Map<String, Object>) network.get("pods")).get("cidrBlocks");

        Map<String, Object> config = (Map<String, Object>) find(Documents.readStream(render(cluster)), "ConfigMap", "cilium-config").get("data");
        assertThat(nodes).containsExactly("10.100.0.0/16");
        assertThat(config.get("cluster-pool-ipv4-cidr")).as("Cilium's IPAM and the Cluster API agree").isEqualTo(String.join(" ", nodes));
        assertThat(config).containsEntry("ipam", "cluster-pool").containsEntry("kube-proxy-replacement", "false")
                .as("istio-cni chains after Cilium under ambient").containsEntry("cni-exclusive", "false");
    }

    @Test
    @SuppressWarnings("unchecked")
    void withoutTheMeshCiliumOwnsTheCniConfigAndTheDefaultPodsAreKubeadms() {
        Inputs inputs = inputs("", "false");
        Map<String, Object> config = (Map<String, Object>) find(Documents.readStream(render(inputs.clusters().get(0))),
                "ConfigMap", "cilium-config").get("data");
        assertThat(config).containsEntry("cni-exclusive", "true").containsEntry("cluster-pool-ipv4-cidr", "10.244.0.0/16");
    }

    @Test
    void rendersOfflineAndTheSameEveryTimeEvenWithSomethingOnPort8080() throws IOException {
        LatticeCluster cluster = inputs("", "true").clusters().get(0);
        ServerSocket squatter = null;
        try {
            // Helm's lookup would ask an API server on localhost:8080; whatever answers there must change nothing.
            squatter = new ServerSocket(8080, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            // something listens there already, which is the case to test anyway
        }
        try {
            String first = render(cluster);
            assertThat(render(cluster)).isEqualTo(first);
            assertThat(first).contains("kind: CronJob").doesNotContain("hubble-server-certs\n  namespace: kube-system\ndata:");
        } finally {
            if (squatter != null) {
                squatter.close();
            }
        }
    }
}
