package dev.lattice.daemon.reconciler;

import dev.lattice.core.model.Kind;
import dev.lattice.core.model.Pool;
import dev.lattice.core.model.WarmPool;
import dev.lattice.core.model.WarmPool.State;
import dev.lattice.engine.kube.Applier;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.engine.warm.WarmCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resets of warm clusters whose claim ended, in the background, in rounds (a Clean reset asks for deletions, and is
 * looked at again while namespaces empty), one round per cluster at a time. Every reset first revokes the claim's
 * credentials. Clean removes what the session added and verifies the cluster against its baseline, then offers it
 * again (Available); Snapshot rolls the cluster's VMs back to the snapshots taken with the baseline, waits until it is
 * healthy again, then finishes as Clean does (so it also brings back a cluster the session broke); Recreate deletes the
 * cluster, and the pool provisions a new one. A reset that fails or cannot verify sends the cluster to Error. The
 * outcome is written only over a cluster still Resetting, so one the pool timed out meanwhile stays in Error. A daemon
 * that restarts mid-reset starts it again: every step is idempotent (a rollback done twice lands in the same place).
 */
public final class WarmResets implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WarmResets.class);
    /** Between rounds of a Clean reset, while namespaces and volumes finish going; the pool times out a reset that never ends. */
    private static final Duration ROUND = Duration.ofSeconds(2);

    private final KubernetesClient client;
    private final Members members;
    private final WarmMetrics metrics;
    private final Clock clock;
    private final Map<String, Future<?>> running = new ConcurrentHashMap<>();
    /** The clusters rolled back to their snapshots by this daemon, with the reset (its start) each rollback was for. */
    private final Map<String, Instant> rolledBack = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "warm-reset");
        t.setDaemon(true);
        return t;
    });

    public WarmResets(KubernetesClient client, Members members, WarmMetrics metrics, Clock clock) {
        this.client = client;
        this.members = members;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Runs one round of {@code member}'s reset (it is Resetting) unless one runs already; {@code again} is told when to
     * look again: at once when the reset ended, after a short wait while what it deletes is still going (not at all when
     * it had ended before this round). {@code capacity} is the pool's capacity pool (its credentials reach the VMs of a
     * Snapshot reset).
     */
    void start(WarmPool pool, Pool capacity, GenericKubernetesResource member, Consumer<Duration> again) {
        String name = member.getMetadata().getName();
        Duration[] next = {null};
        FutureTask<Void> task = new FutureTask<>(() -> next[0] = round(pool, capacity, member), null);
        if (running.putIfAbsent(name, task) == null) {
            executor.execute(() -> {
                try {
                    task.run();
                } finally {
                    running.remove(name, task);
                    if (next[0] != null) {
                        again.accept(next[0]);
                    }
                }
            });
        }
    }

    /** One round; returns when to look again, or null when there is nothing to look at (the reset had ended). */
    private Duration round(WarmPool pool, Pool capacity, GenericKubernetesResource cached) {
        String name = cached.getMetadata().getName();
        // The cache may be a step behind this reset's own last write: one that has ended is not done again.
        GenericKubernetesResource member;
        try {
            member = members.fresh(name);
        } catch (KubernetesClientException e) {
            LOG.debug("{}: cannot read it to reset it: {}", name, e.getMessage());
            return ROUND;
        }
        if (!resetting(member)) {
            return null;
        }
        Instant started = Objects.requireNonNullElse(Members.since(member), clock.instant());
        try {
            Outcome outcome = reset(pool, capacity, member);
            if (outcome.doing() != null) {
                members.note(member, outcome.doing());
                return ROUND;
            }
            boolean ended;
            if (outcome.failure() != null) {
                LOG.warn("{}: reset failed: {}", name, outcome.failure());
                ended = finish(name, State.ERROR, "its reset failed: " + outcome.failure());
            } else if (pool.spec().reset().strategy() != WarmPool.ResetStrategy.RECREATE) {
                LOG.info("{}: reset and verified against its baseline in {} ms", name, Duration.between(started, clock.instant()).toMillis());
                ended = finish(name, State.AVAILABLE, null);
            } else {
                ended = true; // deleted, to be provisioned anew
            }
            if (ended) {
                metrics.resetFinished(Duration.between(started, clock.instant()), outcome.failure() == null);
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: reset failed: {}", name, e.getMessage());
            LOG.debug("{}: reset failed", name, e);
            if (finish(name, State.ERROR, "its reset failed: " + e.getMessage())) {
                metrics.resetFinished(Duration.between(started, clock.instant()), false);
            }
        }
        return Duration.ZERO;
    }

    private static boolean resetting(GenericKubernetesResource member) {
        return member != null && Members.state(member) == State.RESETTING && member.getMetadata().getDeletionTimestamp() == null;
    }

    /** How a round ended: what is still going (another round follows), or why it failed, or neither: done. */
    private record Outcome(String doing, String failure) {
        static final Outcome DONE = new Outcome(null, null);

        static Outcome failed(String why) {
            return why == null ? DONE : new Outcome(null, why);
        }

        static Outcome doing(String what) {
            return new Outcome(what, null);
        }
    }

    private Outcome reset(WarmPool pool, Pool capacity, GenericKubernetesResource member) {
        String name = member.getMetadata().getName();
        WarmPool.ResetStrategy strategy = pool.spec().reset().strategy();
        WarmCluster cluster = members.connect(name);
        String claim = Members.claim(member);
        if (strategy == WarmPool.ResetStrategy.SNAPSHOT) {
            Outcome rollingBack = rollBack(capacity, member, cluster, claim);
            if (rollingBack != null) {
                return rollingBack;
            }
        } else if (claim != null) {
            cluster.revoke(claim);
        }
        if (strategy == WarmPool.ResetStrategy.RECREATE) {
            client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName(name).delete();
            members.forget(name);
            LOG.info("{}: deleted to be provisioned anew", name);
            return Outcome.DONE;
        }
        WarmCluster.Inventory baseline = members.baseline(name);
        if (baseline == null) {
            return Outcome.failed("its baseline is gone (ConfigMap " + Members.baselineName(name) + ")");
        }
        List<String> left = cluster.clean(baseline);
        if (!left.isEmpty()) {
            return Outcome.doing("removing what the session added: " + String.join(", ", left));
        }
        List<String> differences = cluster.differences(baseline);
        if (!differences.isEmpty()) {
            return Outcome.failed("it differs from its baseline: " + String.join(", ", differences));
        }
        return Outcome.failed(cluster.unhealthy(baseline));
    }

    /**
     * The first round of a Snapshot reset rolls the cluster's VMs back (after revoking the claim's credentials where
     * the cluster still answers: the rollback takes them away in any case); later ones wait until it is healthy again.
     * Null once it is: the reset goes on as a Clean one, which verifies it.
     */
    private Outcome rollBack(Pool capacity, GenericKubernetesResource member, WarmCluster cluster, String claim) {
        String name = member.getMetadata().getName();
        Instant reset = Members.since(member);
        if (reset == null || !reset.equals(rolledBack.get(name))) {
            if (claim != null) {
                try {
                    cluster.revoke(claim);
                } catch (KubernetesClientException e) {
                    LOG.info("{}: cannot revoke the credentials of {} before rolling it back ({}); the rollback takes them away",
                            name, claim, Applier.reason(e));
                }
            }
            long start = System.nanoTime();
            members.snapshots(capacity).rollBack(name);
            LOG.info("{}: rolled back to its baseline snapshots in {} ms", name, (System.nanoTime() - start) / 1_000_000);
            rolledBack.put(name, Objects.requireNonNullElse(reset, Instant.EPOCH));
            return Outcome.doing("rolled back to its baseline snapshots; starting");
        }
        String why = members.unhealthy(member);
        return why == null ? null : Outcome.doing("rolled back to its baseline snapshots; waiting until it is healthy: " + why);
    }

    /** Writes the reset's outcome if the cluster is still Resetting (read afresh); whether it did. */
    private boolean finish(String name, State state, String message) {
        for (int attempt = 0; attempt < 3; attempt++) {
            GenericKubernetesResource now = members.fresh(name);
            if (!resetting(now)) {
                return false;
            }
            try {
                members.mark(now, state, null, null, message, clock.instant());
                rolledBack.remove(name);
                return true;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
            }
        }
        return false;
    }

    /** Stops the cluster's reset, if one runs (its pool timed it out). */
    void cancel(String name) {
        Future<?> f = running.remove(name);
        if (f != null) {
            f.cancel(true);
        }
    }

    /** Stops the cluster's reset and lets go of its client: it is deleted. */
    void forget(String name) {
        cancel(name);
        rolledBack.remove(name);
        members.forget(name);
    }

    @Override
    public void close() {
        executor.shutdownNow();
        members.close();
    }
}
