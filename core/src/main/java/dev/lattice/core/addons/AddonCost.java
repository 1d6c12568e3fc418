package dev.lattice.core.addons;

import dev.lattice.core.model.Quantity;
import dev.lattice.core.render.Manifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Map;

/**
 * What an add-on asks of a cluster, as the scheduler counts it (requests, not use): its Deployments' and StatefulSets'
 * pods once per replica, its DaemonSets' pods on every node, the pods its operator makes from the custom resources it
 * renders (VictoriaMetrics' VMSingle and VMAgent), and the volumes they claim. A pod asks for the larger of its init
 * containers' requests and the sum of its containers'.
 */
public record AddonCost(long cpuMillis, long memoryBytes, long cpuMillisPerNode, long memoryBytesPerNode, long storageBytes) {
    /** Nothing asked. */
    public static final AddonCost NONE = new AddonCost(0, 0, 0, 0, 0);

    /** Both together. */
    public AddonCost plus(AddonCost other) {
        return new AddonCost(cpuMillis + other.cpuMillis, memoryBytes + other.memoryBytes, cpuMillisPerNode + other.cpuMillisPerNode,
                memoryBytesPerNode + other.memoryBytesPerNode, storageBytes + other.storageBytes);
    }

    /** The CPU it asks of a cluster of {@code nodes} nodes, in thousandths of a core. */
    public long cpuMillis(int nodes) {
        return cpuMillis + cpuMillisPerNode * nodes;
    }

    /** The memory it asks of a cluster of {@code nodes} nodes. */
    public long memoryBytes(int nodes) {
        return memoryBytes + memoryBytesPerNode * nodes;
    }

    /** What {@code objects}, an add-on's rendered objects, ask for. */
    public static AddonCost of(List<HasMetadata> objects) {
        AddonCost total = NONE;
        for (HasMetadata object : objects) {
            Map<String, Object> tree = Manifests.tree(object);
            Map<String, Object> spec = map(tree.get("spec"));
            switch (object.getKind()) {
                case "Deployment", "StatefulSet" -> {
                    long replicas = spec.get("replicas") instanceof Number n ? n.longValue() : 1;
                    long[] pod = pod(map(map(spec.get("template")).get("spec")));
                    total = total.plus(new AddonCost(pod[0] * replicas, pod[1] * replicas, 0, 0, claims(spec) * replicas));
                }
                case "DaemonSet" -> {
                    long[] pod = pod(map(map(spec.get("template")).get("spec")));
                    total = total.plus(new AddonCost(0, 0, pod[0], pod[1], 0));
                }
                case "VMSingle", "VMAgent" -> {
                    long replicas = spec.get("replicaCount") instanceof Number n ? n.longValue() : 1;
                    long[] container = requests(map(spec.get("resources")));
                    long storage = bytes(map(map(map(spec.get("storage")).get("resources")).get("requests")).get("storage"));
                    total = total.plus(new AddonCost(container[0] * replicas, container[1] * replicas, 0, 0, storage * replicas));
                }
                default -> {
                }
            }
        }
        return total;
    }

    /** CPU millis and memory bytes a pod asks for. */
    private static long[] pod(Map<String, Object> spec) {
        long[] sum = new long[2];
        for (Object c : list(spec.get("containers"))) {
            long[] r = requests(map(map(c).get("resources")));
            sum[0] += r[0];
            sum[1] += r[1];
        }
        for (Object c : list(spec.get("initContainers"))) {
            long[] r = requests(map(map(c).get("resources")));
            sum[0] = Math.max(sum[0], r[0]);
            sum[1] = Math.max(sum[1], r[1]);
        }
        return sum;
    }

    private static long[] requests(Map<String, Object> resources) {
        Map<String, Object> requests = map(resources.get("requests"));
        return new long[] {millis(requests.get("cpu")), bytes(requests.get("memory"))};
    }

    private static long claims(Map<String, Object> spec) {
        long bytes = 0;
        for (Object claim : list(spec.get("volumeClaimTemplates"))) {
            bytes += bytes(map(map(map(map(claim).get("spec")).get("resources")).get("requests")).get("storage"));
        }
        return bytes;
    }

    /** CPU in thousandths of a core, zero when none is asked for. */
    private static long millis(Object value) {
        return value == null ? 0 : Quantity.parse(value.toString()).millis();
    }

    /** Bytes, zero when none are asked for. */
    private static long bytes(Object value) {
        return value == null ? 0 : Quantity.parse(value.toString()).ceilUnits().longValueExact();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static List<?> list(Object value) {
        return value instanceof List<?> l ? l : List.of();
    }
}
