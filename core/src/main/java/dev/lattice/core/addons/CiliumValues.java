package dev.lattice.core.addons;

import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.model.LatticeCluster;
import java.util.List;
import java.util.Map;

/**
 * Cilium's Helm values for one cluster, from its spec. The pod CIDRs are the ones its Cluster API objects give
 * kubeadm or RKE2 ({@link ClusterRenderer#podCidrs}), so the nodes' pod ranges and Cilium's IPAM cannot disagree.
 */
public final class CiliumValues {
    private CiliumValues() {
    }

    /** The values, as a tree in a fixed order. */
    public static Map<String, Object> of(LatticeCluster cluster) {
        List<String> pods = ClusterRenderer.podCidrs(cluster);
        List<String> v4 = pods.stream().filter(c -> !c.contains(":")).toList();
        List<String> v6 = pods.stream().filter(c -> c.contains(":")).toList();
        HelmValues values = new HelmValues();
        // Cilium hands out pod addresses from the cluster's own pod CIDRs (cluster-pool IPAM).
        values.set("ipam.mode", "cluster-pool");
        if (!v4.isEmpty()) {
            values.set("ipam.operator.clusterPoolIPv4PodCIDRList", v4);
        }
        values.set("ipv4.enabled", !v4.isEmpty());
        if (!v6.isEmpty()) {
            values.set("ipv6.enabled", true);
            values.set("ipam.operator.clusterPoolIPv6PodCIDRList", v6);
        }
        // kubeadm and RKE2 both run kube-proxy; Cilium leaves services to it rather than replacing it half-way.
        values.set("kubeProxyReplacement", "false");
        // Under Istio ambient, istio-cni chains its plugin after Cilium's: Cilium must not own the CNI config alone.
        values.set("cni.exclusive", !cluster.spec().services());
        // The default ("helm") makes the render look up Secrets in a live cluster; the CronJob makes them in the cluster.
        values.set("hubble.tls.auto.method", "cronJob");
        return values.tree();
    }
}
