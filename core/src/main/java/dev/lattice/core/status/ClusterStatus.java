package dev.lattice.core.status;

import dev.lattice.core.model.LatticeCluster.ChildClusterHealth;
import dev.lattice.core.model.LatticeCluster.Phase;
import dev.lattice.core.model.LatticeCluster.WorkerPoolStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A LatticeCluster's status, as its own daemon and its parent's edit it; see {@link dev.lattice.core.model.LatticeCluster.Status}. */
public final class ClusterStatus extends ObjectStatus {
    /** The status field with the hex SHA-256 of the child's valid one-time token. */
    public static final String TOKEN_HASH = "bootstrapTokenHash";
    /** The status field with the RFC 3339 time the valid token expires. */
    public static final String TOKEN_EXPIRES = "bootstrapTokenExpires";
    /** Where earlier releases kept the token itself; removed wherever it is found. */
    public static final String LEGACY_TOKEN = "bootstrapToken";

    public ClusterStatus(Map<String, ?> read) {
        super(read);
    }

    /** The phase; null when none is written or it is not one this release knows. */
    public Phase phase() {
        String text = phaseText();
        for (Phase p : Phase.values()) {
            if (p.wire().equals(text)) {
                return p;
            }
        }
        return null;
    }

    /** The phase, {@link Phase#PENDING} when none is written. */
    public Phase phaseOrPending() {
        Phase phase = phase();
        return phase == null ? Phase.PENDING : phase;
    }

    public ClusterStatus phase(Phase phase) {
        phase(phase == null ? null : phase.wire());
        return this;
    }

    @Override
    public ClusterStatus observedGeneration(Long generation) {
        super.observedGeneration(generation);
        return this;
    }

    @Override
    public ClusterStatus message(String message) {
        super.message(message);
        return this;
    }

    public ClusterStatus readyControlPlane(int ready) {
        put("readyControlPlane", ready);
        return this;
    }

    public ClusterStatus readyWorkers(int ready) {
        put("readyWorkers", ready);
        return this;
    }

    /** The worker pools as written: name, desired and ready replicas; empty when there are none. */
    public Map<String, WorkerPoolStatus> workerPools() {
        Map<String, WorkerPoolStatus> out = new java.util.TreeMap<>();
        if (get("workerPools") instanceof Map<?, ?> pools) {
            pools.forEach((name, p) -> {
                if (p instanceof Map<?, ?> m) {
                    out.put(String.valueOf(name), new WorkerPoolStatus(integer(m.get("desiredReplicas")), integer(m.get("currentReplicas")),
                            integer(m.get("readyReplicas")), m.get("autoscalingEnabled") instanceof Boolean b ? b : null,
                            m.get("message") instanceof String s ? s : null));
                }
            });
        }
        return out;
    }

    public ClusterStatus workerPools(Map<String, WorkerPoolStatus> pools) {
        put("workerPools", new java.util.TreeMap<>(pools));
        return this;
    }

    public ClusterStatus endpoint(String endpoint) {
        put("endpoint", endpoint);
        return this;
    }

    public boolean pivotComplete() {
        return Boolean.TRUE.equals(get("pivotComplete"));
    }

    public ClusterStatus pivotComplete(boolean complete) {
        put("pivotComplete", complete);
        return this;
    }

    public boolean bootstrapComplete() {
        return Boolean.TRUE.equals(get("bootstrapComplete"));
    }

    public ClusterStatus bootstrapComplete(boolean complete) {
        put("bootstrapComplete", complete);
        return this;
    }

    public ClusterStatus unpivotImportComplete(boolean complete) {
        put("unpivotImportComplete", complete);
        return this;
    }

    /** The hash of the valid one-time token, and when it expires (as written); null when none is kept. */
    public String tokenHash() {
        return get(TOKEN_HASH) instanceof String s ? s : null;
    }

    public String tokenExpires() {
        return get(TOKEN_EXPIRES) instanceof String s ? s : null;
    }

    /** Keeps the hash and expiry of a new token in place of any other (and of a token kept by an earlier release). */
    public ClusterStatus token(String hash, Instant expires) {
        put(LEGACY_TOKEN, null);
        put(TOKEN_HASH, hash);
        put(TOKEN_EXPIRES, expires.toString());
        return this;
    }

    /** Removes every trace of a token: it was spent, or is no longer wanted. */
    public ClusterStatus forgetToken() {
        put(TOKEN_HASH, null);
        put(TOKEN_EXPIRES, null);
        put(LEGACY_TOKEN, null);
        return this;
    }

    /** Removes a token an earlier release kept in the status itself. */
    public ClusterStatus forgetLegacyToken() {
        put(LEGACY_TOKEN, null);
        return this;
    }

    /** The health of this cluster's children; none written when there are none. */
    public ClusterStatus childrenHealth(List<ChildClusterHealth> health) {
        if (!health.isEmpty()) {
            put("childrenHealth", health);
        }
        return this;
    }

    /** The newest backup, or none (the field removed) where backups are off. */
    public ClusterStatus lastBackup(dev.lattice.core.model.LatticeCluster.LastBackup backup) {
        put("lastBackup", backup);
        return this;
    }

    public ClusterStatus lastHeartbeat(Instant at) {
        put("lastHeartbeat", at == null ? null : at.toString());
        return this;
    }

    private static Integer integer(Object value) {
        return value instanceof Number n ? n.intValue() : null;
    }
}
