package dev.lattice.core.status;

import dev.lattice.core.model.CanonicalForm;
import dev.lattice.core.model.Condition;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Lattice object's status as the API server holds it, edited through typed fields and written back whole. Fields
 * this release does not know are kept as they were read. Conditions are set one way, here: in metav1.Condition shape,
 * sorted by type, each keeping its {@code lastTransitionTime} while its status does not change.
 */
public class ObjectStatus {
    private final Map<String, Object> tree;

    /** The status read from an object (a copy is edited; null or absent: an empty status). */
    public ObjectStatus(Map<String, ?> read) {
        this.tree = read == null ? new LinkedHashMap<>() : new LinkedHashMap<>(read);
    }

    /** What to write: the status as a plain tree. */
    public final Map<String, Object> tree() {
        return Collections.unmodifiableMap(tree);
    }

    public ObjectStatus observedGeneration(Long generation) {
        put("observedGeneration", generation);
        return this;
    }

    /** The phase as written ({@code Ready}, ...); null when there is none. */
    public final String phaseText() {
        return get("phase") instanceof String s ? s : null;
    }

    public ObjectStatus phase(String phase) {
        put("phase", phase);
        return this;
    }

    public final String message() {
        return get("message") instanceof String s ? s : null;
    }

    /** Sets the message; null removes it. */
    public ObjectStatus message(String message) {
        put("message", Condition.bounded(message));
        return this;
    }

    /** The conditions as read (an entry that is not a condition is left out). */
    public final List<Condition> conditions() {
        List<Condition> out = new ArrayList<>();
        if (get("conditions") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> c && c.get("type") instanceof String type) {
                    out.add(new Condition(type, text(c.get("status")), text(c.get("reason")), text(c.get("message")),
                            text(c.get("lastTransitionTime")), c.get("observedGeneration") instanceof Number n ? n.longValue() : null));
                }
            }
        }
        return out;
    }

    /** Replaces every condition with {@code conditions}, as they are. */
    public ObjectStatus conditions(List<Condition> conditions) {
        put("conditions", conditions.stream().map(CanonicalForm::tree).toList());
        return this;
    }

    /**
     * Sets condition {@code type} to {@code value}; its transition time is {@code now} unless its status is what it was,
     * in which case the time it last changed stays.
     */
    public ObjectStatus condition(String type, boolean value, String reason, String message, Long generation, Instant now) {
        return condition(type, value ? "True" : "False", reason, message, generation, now);
    }

    /** Sets condition {@code type} to Unknown: this writer cannot tell (as {@link #condition} otherwise). */
    public ObjectStatus unknown(String type, String reason, String message, Long generation, Instant now) {
        return condition(type, "Unknown", reason, message, generation, now);
    }

    private ObjectStatus condition(String type, String status, String reason, String message, Long generation, Instant now) {
        List<Condition> conditions = new ArrayList<>();
        String since = now.truncatedTo(ChronoUnit.SECONDS).toString();
        for (Condition c : conditions()) {
            if (!c.type().equals(type)) {
                conditions.add(c);
            } else if (status.equals(c.status()) && c.lastTransitionTime() != null) {
                since = c.lastTransitionTime();
            }
        }
        conditions.add(new Condition(type, status, reason, message, since, generation));
        conditions.sort(Comparator.comparing(Condition::type));
        return conditions(conditions);
    }

    /** Sets {@code field} to the plain form of {@code value}; null removes it. */
    protected final void put(String field, Object value) {
        Object plain = CanonicalForm.tree(value);
        if (plain == null) {
            tree.remove(field);
        } else {
            tree.put(field, plain);
        }
    }

    protected final Object get(String field) {
        return tree.get(field);
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
