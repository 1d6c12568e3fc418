package dev.lattice.engine.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lattice.core.model.Condition;
import dev.lattice.core.model.Kind;
import dev.lattice.core.status.ClusterStatus;
import dev.lattice.core.status.ObjectStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads a Lattice object's status for editing ({@link ObjectStatus}, which sets conditions), and writes it when, and only
 * when, it differs from what the object holds. Each condition that a write changes in status or reason is told to
 * {@link Events} as well: a warning when it went bad, else a normal event.
 */
public final class StatusWriter {
    private static final ObjectMapper CANONICAL = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    /** Conditions that are bad when True; every other condition is good when True. */
    private static final Set<String> BAD_WHEN_TRUE = Set.of("CapacityPressure", "BudgetWarning", "Exhausted");
    /** Reasons of a condition not True that say it is on its way (or done with), not that something is wrong. */
    private static final Set<String> ON_THE_WAY = Set.of("Pending", "Provisioning", "Pivoting", "Pivoted", "Deleting", "Unpivoting",
            "NotReported", "NeverConnected", "Progressing", "Filling", "Waiting", "Released", "Expired");

    private final KubernetesClient client;
    private final Clock clock;
    private final Events events;

    public StatusWriter(KubernetesClient client, Clock clock) {
        this(client, clock, Events.NONE);
    }

    public StatusWriter(KubernetesClient client, Clock clock, Events events) {
        this.client = client;
        this.clock = clock;
        this.events = events;
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
        ObjectStatus before = of(live);
        if (sameJson(status.tree(), before.tree())) {
            return false;
        }
        GenericKubernetesResource updated = client.getKubernetesSerialization().clone(live);
        put(updated, status);
        var resources = client.genericKubernetesResources(LiveInputs.context(kind));
        (kind.namespaced() ? resources.inNamespace(live.getMetadata().getNamespace()) : resources).resource(updated).updateStatus();
        changes(before, status).forEach(c -> events.emit(live, bad(c), c.reason() == null ? c.type() : c.reason(),
                c.type() + ": " + (c.message() == null ? c.status() : c.message())));
        return true;
    }

    /** The conditions of {@code after} that are new, or differ from {@code before}'s in status or reason. */
    static List<Condition> changes(ObjectStatus before, ObjectStatus after) {
        Map<String, Condition> was = new HashMap<>();
        before.conditions().forEach(c -> was.put(c.type(), c));
        return after.conditions().stream().filter(c -> {
            Condition b = was.get(c.type());
            return b == null || !Objects.equals(b.status(), c.status()) || !Objects.equals(b.reason(), c.reason());
        }).toList();
    }

    /** Whether {@code c} says something is wrong. */
    static boolean bad(Condition c) {
        boolean isTrue = "True".equals(c.status());
        return BAD_WHEN_TRUE.contains(c.type()) ? isTrue : !isTrue && !ON_THE_WAY.contains(c.reason());
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
