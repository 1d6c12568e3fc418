package dev.lattice.daemon.reconciler;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the agents report, for the LatticeCluster reconciler to write: on a parent, each child's last heartbeat; on a
 * child, when it last reached its parent. The agents only record here; one writer keeps statuses consistent.
 */
public final class Fleet {
    /** A child's last heartbeat as its parent received it, and the TLS its stream runs on ({@code PROTOCOL SUITE}). */
    public record ChildReport(String name, String state, int readyNodes, int totalNodes, int readyControlPlane,
                              int totalControlPlane, List<PoolReport> pools, Instant at, boolean connected, String tls) {
    }

    public record PoolReport(String name, int desiredReplicas, int readyReplicas) {
    }

    private final Map<String, ChildReport> children = new ConcurrentHashMap<>();
    private volatile Instant lastHeartbeatToParent;
    private volatile Runnable onChange = () -> { };

    public void onChange(Runnable listener) {
        this.onChange = listener;
    }

    public void child(ChildReport report) {
        children.put(report.name(), report);
        onChange.run();
    }

    public void disconnected(String child) {
        children.computeIfPresent(child, (k, r) -> new ChildReport(r.name(), r.state(), r.readyNodes(), r.totalNodes(),
                r.readyControlPlane(), r.totalControlPlane(), r.pools(), r.at(), false, r.tls()));
        onChange.run();
    }

    public Map<String, ChildReport> children() {
        return Map.copyOf(children);
    }

    public void heartbeatSent(Instant at) {
        lastHeartbeatToParent = at;
        onChange.run();
    }

    public Instant lastHeartbeatToParent() {
        return lastHeartbeatToParent;
    }
}
