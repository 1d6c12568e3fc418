package dev.lattice.testfixtures;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/**
 * What a real cluster's own processes do that a bare API server (envtest) does not, for tests of what Lattice does
 * with a workload cluster: a kubelet registers its node and reports it Ready; the namespace controller finishes a
 * namespace being deleted once it is empty.
 */
public final class FakeKubelet {
    private FakeKubelet() {
    }

    /** Registers node {@code name}, Ready. */
    public static void readyNode(KubernetesClient cluster, String name) {
        Node node = cluster.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
        node.setStatus(new NodeStatusBuilder().addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady").endCondition().build());
        cluster.nodes().resource(node).updateStatus();
    }

    /** Sets node {@code name}'s Ready condition, as its kubelet reports it. */
    public static void nodeReady(KubernetesClient cluster, String name, boolean ready) {
        Node node = cluster.nodes().withName(name).get();
        node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
                .forEach(c -> c.setStatus(ready ? "True" : "False"));
        cluster.nodes().resource(node).updateStatus();
    }

    /** What the namespace controller does once a namespace is empty: lifts its finalizer, and it is gone. */
    public static void finishTerminatingNamespaces(KubernetesClient cluster) {
        for (Namespace ns : cluster.namespaces().list().getItems()) {
            if (ns.getMetadata().getDeletionTimestamp() != null) {
                ns.getSpec().setFinalizers(List.of());
                cluster.raw(cluster.getMasterUrl() + "api/v1/namespaces/" + ns.getMetadata().getName() + "/finalize", "PUT",
                        cluster.getKubernetesSerialization().asJson(ns));
            }
        }
    }
}
