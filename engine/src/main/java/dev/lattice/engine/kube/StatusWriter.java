package dev.lattice.engine.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lattice.core.model.Kind;
import dev.lattice.core.status.ClusterStatus;
import dev.lattice.core.status.ObjectStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/**
 * Reads a Lattice object's status for editing ({@link ObjectStatus}, which sets conditions), and writes it when, and only
 * when, it differs from what the object holds.
 */
public final class StatusWriter {
    private static final ObjectMapper CANONICAL = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private final KubernetesClient client;
    private final Clock clock;

    public StatusWriter(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** The object's status, to edit. */
    public static ObjectStatus of(GenericKubernetesResource live) {
        return new ObjectStatus(read(live));
    }

    /** A LatticeCluster's status, to edit. */
    public static ClusterStatus ofCluster(GenericKubernetesResource live) {
        return new ClusterStatus(read(live));
    }

    /** Puts {@code status} into {@code live} (a copy the caller will write). */
    public static void put(GenericKubernetesResource live, ObjectStatus status) {
        live.setAdditionalProperty("status", status.tree());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> read(GenericKubernetesResource live) {
        return live.getAdditionalProperties().get("status") instanceof Map<?, ?> m ? (Map<String, ?>) m : null;
    }

    /** The time a condition that changes now is stamped with. */
    public Instant now() {
        return clock.instant();
    }

    /** Writes {@code status} to {@code live} unless it already holds it; true when it wrote. */
    public boolean write(Kind kind, GenericKubernetesResource live, ObjectStatus status) {
        if (sameJson(status.tree(), of(live).tree())) {
            return false;
        }
        GenericKubernetesResource updated = client.getKubernetesSerialization().clone(live);
        put(updated, status);
        var resources = client.genericKubernetesResources(LiveInputs.context(kind));
        (kind.namespaced() ? resources.inNamespace(live.getMetadata().getNamespace()) : resources).resource(updated).updateStatus();
        return true;
    }

    /** Equal as JSON: numbers read back from the server are Integers where Longs were written. */
    public static boolean sameJson(Object a, Object b) {
        try {
            return CANONICAL.writeValueAsString(a).equals(CANONICAL.writeValueAsString(b));
        } catch (JsonProcessingException e) {
            return false;
        }
    }

}
