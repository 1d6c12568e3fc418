package dev.lattice.engine.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lattice.core.model.Kind;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a Lattice object's status when, and only when, it differs from what the object holds; conditions are in
 * metav1.Condition shape and keep their {@code lastTransitionTime} while their status does not change.
 */
public final class StatusWriter {
    private static final ObjectMapper CANONICAL = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private final KubernetesClient client;
    private final Clock clock;

    public StatusWriter(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** A copy of the object's status, or an empty map. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> of(GenericKubernetesResource live) {
        Object status = live.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Object>) m) : new LinkedHashMap<>();
    }

    /** Sets condition {@code type} in {@code status}, keeping its transition time when its status is unchanged. */
    @SuppressWarnings("unchecked")
    public void condition(Map<String, Object> status, String type, boolean value, String reason, String message, Long generation) {
        List<Map<String, Object>> conditions = new ArrayList<>();
        Map<String, Object> previous = null;
        if (status.get("conditions") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> c && type.equals(c.get("type"))) {
                    previous = (Map<String, Object>) c;
                } else if (o instanceof Map<?, ?> c) {
                    conditions.add((Map<String, Object>) c);
                }
            }
        }
        String s = value ? "True" : "False";
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", type);
        c.put("status", s);
        c.put("reason", reason);
        c.put("message", message);
        c.put("lastTransitionTime", previous != null && s.equals(previous.get("status")) && previous.get("lastTransitionTime") != null
                ? previous.get("lastTransitionTime") : Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString());
        if (generation != null) {
            c.put("observedGeneration", generation);
        }
        conditions.add(c);
        conditions.sort((a, b) -> String.valueOf(a.get("type")).compareTo(String.valueOf(b.get("type"))));
        status.put("conditions", conditions);
    }

    /** Writes {@code status} to {@code live} unless it already holds it; true when it wrote. */
    public boolean write(Kind kind, GenericKubernetesResource live, Map<String, Object> status) {
        if (sameJson(status, of(live))) {
            return false;
        }
        GenericKubernetesResource updated = client.getKubernetesSerialization().clone(live);
        updated.setAdditionalProperty("status", status);
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
