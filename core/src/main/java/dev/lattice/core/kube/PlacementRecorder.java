package dev.lattice.core.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lattice.core.model.Kind;
import dev.lattice.core.placement.Placement;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Records placement decisions in each LatticeService's status: {@code status.cluster}, {@code status.phase} and the
 * {@code Scheduled} condition (metav1.Condition shape, its transition time kept while its status does not change).
 */
public final class PlacementRecorder {
    public static final String CONDITION = "Scheduled";

    private final KubernetesClient client;
    private final Clock clock;

    public PlacementRecorder(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** Writes every decision; returns how many services' status changed. */
    public int record(List<Placement> placements) {
        return record(placements, p -> client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_SERVICE))
                .inNamespace(p.namespace()).withName(p.service()).get());
    }

    /**
     * Writes every decision whose status differs from the service as {@code live} gives it (a daemon's informer cache,
     * so unchanged services cost no request); returns how many services' status changed.
     */
    public int record(List<Placement> placements, Function<Placement, GenericKubernetesResource> live) {
        int changed = 0;
        for (Placement p : placements) {
            try {
                GenericKubernetesResource current = live.apply(p);
                if (current == null) {
                    continue; // deleted since it was read
                }
                Map<String, Object> before = status(current);
                Map<String, Object> after = statusFor(p, before, current.getMetadata().getGeneration());
                if (!sameJson(after, before)) {
                    GenericKubernetesResource updated = client.getKubernetesSerialization().clone(current);
                    updated.setAdditionalProperty("status", after);
                    client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_SERVICE))
                            .inNamespace(p.namespace()).resource(updated).updateStatus();
                    changed++;
                }
            } catch (KubernetesClientException e) {
                throw LiveInputs.unreachable(client, "record the placement of " + p.namespace() + "/" + p.service(), e);
            }
        }
        return changed;
    }

    private static final ObjectMapper CANONICAL = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    /** Equal as JSON: numbers read back from the server are Integers where Longs were written. */
    private static boolean sameJson(Object a, Object b) {
        try {
            return CANONICAL.writeValueAsString(a).equals(CANONICAL.writeValueAsString(b));
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> status(GenericKubernetesResource live) {
        Object status = live.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Object>) m) : new LinkedHashMap<>();
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> statusFor(Placement p, Map<String, Object> before, Long generation) {
        Map<String, Object> status = new LinkedHashMap<>(before);
        status.put("phase", p.phase().name());
        if (p.scheduled()) {
            status.put("cluster", p.cluster());
            status.remove("message");
        } else {
            status.remove("cluster");
            status.put("message", p.message());
        }
        if (generation != null) {
            status.put("observedGeneration", generation);
        }
        String conditionStatus = p.scheduled() ? "True" : "False";
        List<Map<String, Object>> conditions = new ArrayList<>();
        Map<String, Object> previous = null;
        Object existing = before.get("conditions");
        if (existing instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> c && CONDITION.equals(c.get("type"))) {
                    previous = (Map<String, Object>) c;
                } else if (o instanceof Map<?, ?> c) {
                    conditions.add((Map<String, Object>) c);
                }
            }
        }
        Map<String, Object> scheduled = new LinkedHashMap<>();
        scheduled.put("type", CONDITION);
        scheduled.put("status", conditionStatus);
        scheduled.put("reason", p.scheduled() ? "Placed" : p.reason());
        scheduled.put("message", p.scheduled() ? "Placed on " + p.cluster() + " (score " + p.score() + ")" : p.message());
        boolean unchanged = previous != null && conditionStatus.equals(previous.get("status"));
        scheduled.put("lastTransitionTime", unchanged && previous.get("lastTransitionTime") != null
                ? previous.get("lastTransitionTime") : Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString());
        if (generation != null) {
            scheduled.put("observedGeneration", generation);
        }
        conditions.add(scheduled);
        status.put("conditions", conditions);
        return status;
    }
}
