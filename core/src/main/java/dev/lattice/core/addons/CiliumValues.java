package dev.lattice.core.addons;

import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.model.LatticeCluster;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cilium's Helm values for one cluster, from its spec. The pod CIDRs are the ones its Cluster API objects give
 * kubeadm or RKE2 ({@link ClusterRenderer#podCidrs}), so the nodes' pod ranges and Cilium's IPAM cannot disagree.
 */
public final class CiliumValues {
    private CiliumValues() {
    }

    /** The values, as {@code --set} pairs in a fixed order. */
    public static Map<String, String> of(LatticeCluster cluster) {
        List<String> pods = ClusterRenderer.podCidrs(cluster);
        List<String> v4 = pods.stream().filter(c -> !c.contains(":")).toList();
        List<String> v6 = pods.stream().filter(c -> c.contains(":")).toList();
        Map<String, String> values = new LinkedHashMap<>();
        // Cilium hands out pod addresses from the cluster's own pod CIDRs (cluster-pool IPAM).
        values.put("ipam.mode", "cluster-pool");
        list(values, "ipam.operator.clusterPoolIPv4PodCIDRList", v4);
        values.put("ipv4.enabled", String.valueOf(!v4.isEmpty()));
        if (!v6.isEmpty()) {
            values.put("ipv6.enabled", "true");
            list(values, "ipam.operator.clusterPoolIPv6PodCIDRList", v6);
        }
        // kubeadm and RKE2 both run kube-proxy; Cilium leaves services to it rather than replacing it half-way.
        values.put("kubeProxyReplacement", "false");
        // Under Istio ambient, istio-cni chains its plugin after Cilium's: Cilium must not own the CNI config alone.
        values.put("cni.exclusive", String.valueOf(!cluster.spec().services()));
        // The default ("helm") makes the render look up Secrets in a live cluster; the CronJob makes them in the cluster.
        values.put("hubble.tls.auto.method", "cronJob");
        return values;
    }

    /** A list as indexed {@code --set} keys ({@code key[0]=a}): the binding passes {@code {a,b}} through as one string. */
    private static void list(Map<String, String> values, String key, List<String> items) {
        for (int i = 0; i < items.size(); i++) {
            values.put(key + "[" + i + "]", items.get(i));
        }
    }
}
