package dev.lattice.daemon.reconciler;

import dev.lattice.core.install.BootstrapTokens;
import dev.lattice.core.model.Kind;
import dev.lattice.core.model.LatticeCluster.Phase;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.Pool;
import dev.lattice.core.model.WarmPool;
import dev.lattice.core.status.ClusterStatus;
import dev.lattice.engine.Interrupted;
import dev.lattice.engine.install.ChildProvisioning;
import dev.lattice.engine.install.Progress;
import dev.lattice.engine.kube.Events;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.engine.kube.StatusWriter;
import dev.lattice.engine.pivot.Mover;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A parent provisioning its children, each in the background, since machines take minutes and the cluster
 * reconciler must not wait for them: Pending → Provisioning (its Cluster API objects applied here) → Pivoting (its
 * machines are ready; the providers and the daemon go into it, then its Cluster API objects) → Pivoted. The phase is
 * written as each step ends, and only over the phase the step started from, so a daemon that restarts resumes at the
 * step it was in and a cluster someone else moved on is left alone. Deleting a child it provisioned goes the other way
 * (see {@link #retire}). Every step is idempotent. A failed step is tried again after {@link Backoff#PROVISION} (from
 * 10 s, doubling, up to 5 min); meanwhile {@link #failure} says why.
 */
public final class Provisioning implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Provisioning.class);
    private static final Duration UNPIVOT_ANSWER = Duration.ofMinutes(2);
    /** On a child LatticeCluster this parent provisioned: its deletion waits for its machines'. */
    public static final String FINALIZER = "lattice.dev/child-cluster";

    private record Failure(String message, int attempts, Instant retryAt) {
    }

    private final KubernetesClient client;
    private final Function<Progress, ChildProvisioning> engines;
    private final ParentLink parent;
    private final BootstrapTokens tokens;
    private final Events events;
    private final Clock clock;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "provisioning");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Boolean> running = new ConcurrentHashMap<>();
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();
    private volatile Consumer<String> wake = name -> {
    };

    /**
     * {@code engines} makes the provisioning engine for one run, telling {@code progress} how its waits get on;
     * {@code events} hears of each phase a child enters.
     */
    public Provisioning(KubernetesClient client, Function<Progress, ChildProvisioning> engines, ParentLink parent,
                        BootstrapTokens tokens, Events events, Clock clock) {
        this.tokens = tokens;
        this.events = events;
        this.client = client;
        this.engines = engines;
        this.parent = parent;
        this.clock = clock;
    }

    /** Told the child's name whenever a run ends, so that its status is written again. */
    public void onRunEnd(Consumer<String> wake) {
        this.wake = wake;
    }

    /** Whether this parent can provision {@code child} now: it serves the endpoint the child comes home to. */
    public boolean possible(String child) {
        return parent.address(child) != null;
    }

    /** Why the last run for {@code child} failed, while it waits to be tried again; null when none did. */
    public String failure(String child) {
        Failure f = failures.get(child);
        return f == null ? null : f.message();
    }

    /**
     * Starts the steps of {@code child}'s provisioning from {@code phase} (Pending, Provisioning or Pivoting), unless a
     * run is under way or a failed one waits for its retry.
     */
    public void advance(LatticeCluster child, Pool pool, Phase phase) {
        start(child.name(), engine -> provision(engine, child, pool, phase));
    }

    /**
     * Deletes {@code child} (its LatticeCluster is being deleted and holds {@link #FINALIZER}): Deleting; if its Cluster
     * API objects are no longer here (it was pivoted, whatever the phase says), Unpivoting: its agent hands them back
     * and they are taken over here ({@code unpivotImportComplete}); then its Cluster is deleted here so that Cluster
     * API deletes its machines, and the finalizer goes.
     */
    public void retire(LatticeCluster child, Phase phase) {
        start(child.name(), engine -> retire(engine, child, phase));
    }

    private interface Run {
        void run(ChildProvisioning engine) throws Exception;
    }

    /** Runs {@code run} for {@code name} in the background unless one runs or a failed one waits for its retry. */
    private void start(String name, Run run) {
        Failure f = failures.get(name);
        if (f != null && clock.instant().isBefore(f.retryAt())) {
            return;
        }
        if (running.putIfAbsent(name, Boolean.TRUE) != null) {
            return;
        }
        executor.execute(() -> {
            try {
                run.run(engines.apply(new Messages(name)));
                failures.remove(name);
            } catch (Exception e) {
                RuntimeException failure = Interrupted.or(e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e));
                if (!(failure instanceof Interrupted)) {
                    int attempts = failures.containsKey(name) ? failures.get(name).attempts() + 1 : 1;
                    Duration wait = Backoff.PROVISION.delay(attempts);
                    failures.put(name, new Failure(failure.getMessage(), attempts, clock.instant().plus(wait)));
                    LOG.warn("{}: failed (attempt {}, next in {} s): {}", name, attempts, wait.toSeconds(), failure.getMessage());
                    LOG.debug("{} failed", name, failure);
                }
            } finally {
                running.remove(name);
                wake.accept(name);
            }
        });
    }

    private void provision(ChildProvisioning engine, LatticeCluster child, Pool pool, Phase from) {
        String name = child.name();
        // A warm pool's cluster stays managed from here: no daemon goes into it, and it is not pivoted (see WarmCluster).
        boolean warm = isWarm(child);
        Phase at = from;
        if (at == Phase.PENDING) {
            int applied = engine.apply(child, pool, warm ? null : parent.address(name));
            // From now on its deletion goes through this parent, so that its machines are deleted too.
            finalizer(name, true);
            at = step(name, at, Phase.PROVISIONING, "applied " + applied + " Cluster API objects; waiting for the machines");
        }
        if (at == Phase.PROVISIONING) {
            String ready = engine.waitReady(child);
            if (warm) {
                step(name, at, Phase.READY, ready + "; a warm cluster, kept by this parent");
                return;
            }
            at = step(name, at, Phase.PIVOTING, ready + "; installing the providers and the daemon into it, then moving its Cluster API objects");
        }
        if (at == Phase.PIVOTING) {
            if (!engine.moved(child)) {
                Mover.Result moved = engine.pivot(child, pool, parent.homing(name, daemonToken(name)));
                LOG.info("pivoted {}: {} objects created, {} found from an earlier run, {} deleted here", name,
                        moved.created(), moved.resumed(), moved.deleted());
            }
            step(name, at, Phase.PIVOTED, "its Cluster API objects are in it; waiting for its agent");
        }
    }

    /** Whether {@code cluster} belongs to a warm pool: provisioned and kept by its parent, never pivoted. */
    static boolean isWarm(LatticeCluster cluster) {
        return cluster.metadata().labels().containsKey(WarmPool.MEMBER_LABEL);
    }

    private void retire(ChildProvisioning engine, LatticeCluster child, Phase from) throws Exception {
        String name = child.name();
        GenericKubernetesResource live = client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName(name).get();
        if (live == null || !live.getMetadata().getFinalizers().contains(FINALIZER)) {
            return; // an earlier run finished: the cache had not caught up
        }
        Phase at = from;
        if (at != Phase.DELETING && at != Phase.UNPIVOTING) {
            at = step(name, at, Phase.DELETING, "deleting the cluster and its machines");
        }
        // The finalizer is added only once its objects were applied here: gone from here means moved into it, unless it
        // is a warm pool's cluster, which is never pivoted (then gone means deleted already).
        boolean pivoted = !isWarm(child) && engine.moved(child);
        if (pivoted) {
            at = step(name, at, Phase.UNPIVOTING, "asking its agent to hand its Cluster API objects back");
            List<GenericKubernetesResource> graph = new ArrayList<>();
            for (String json : parent.unpivot(name).get(UNPIVOT_ANSWER.toSeconds(), TimeUnit.SECONDS)) {
                graph.add(client.getKubernetesSerialization().unmarshal(json, GenericKubernetesResource.class));
            }
            Mover.Result adopted = engine.adopt(child, graph);
            String message = "took over " + (adopted.created() + adopted.resumed()) + " Cluster API objects; deleting its machines";
            update(name, at, null, status -> status.unpivotImportComplete(true).message(message));
        }
        if (!engine.moved(child)) {
            engine.delete(child);
        }
        finalizer(name, false);
        LOG.info("{}: deleted, its machines with it", name);
    }

    /**
     * A new one-time token for the daemon this parent installs into {@code name} in the pivot, replacing any valid one
     * in the status (the machines' token, or the one the manifests handed out); null once its bootstrap is complete.
     */
    private String daemonToken(String name) {
        String[] token = new String[1];
        boolean[] complete = new boolean[1];
        boolean minted = null != edit(name, true, live -> {
            ClusterStatus status = StatusWriter.ofCluster(live);
            complete[0] = status.bootstrapComplete();
            if (complete[0]) {
                return false;
            }
            token[0] = tokens.mint(status);
            StatusWriter.put(live, status);
            return true;
        });
        if (!minted && !complete[0]) {
            throw new IllegalStateException("the LatticeCluster " + name + " is gone");
        }
        return minted ? token[0] : null;
    }

    /** Adds or removes this parent's finalizer on the child's LatticeCluster. */
    private void finalizer(String name, boolean add) {
        edit(name, false, live -> {
            if (live.getMetadata().getFinalizers().contains(FINALIZER) == add) {
                return false;
            }
            List<String> finalizers = new ArrayList<>(live.getMetadata().getFinalizers());
            if (add) {
                finalizers.add(FINALIZER);
            } else {
                finalizers.remove(FINALIZER);
            }
            live.getMetadata().setFinalizers(finalizers);
            return true;
        });
    }

    /**
     * Reads the child's LatticeCluster, lets {@code change} edit it (false: leave it be) and writes it back, its status
     * or the object itself, conditional on the resourceVersion read; read and edited again on a conflict. The object
     * written; null when it is gone or {@code change} declined.
     */
    private GenericKubernetesResource edit(String name, boolean status, Predicate<GenericKubernetesResource> change) {
        var clusters = client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER));
        for (int attempt = 0; ; attempt++) {
            GenericKubernetesResource live = clusters.withName(name).get();
            if (live == null || !change.test(live)) {
                return null;
            }
            try {
                return status ? clusters.resource(live).updateStatus() : clusters.resource(live).update();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 4) {
                    throw e;
                }
            }
        }
    }

    /**
     * Moves {@code name} from phase {@code from} to {@code to} with {@code message}; throws when it is no longer in
     * {@code from}, since then someone else has moved it on (or it is being deleted).
     */
    private Phase step(String name, Phase from, Phase to, String message) {
        GenericKubernetesResource moved = update(name, from, to, status -> {
            status.phase(to).message(message);
            if (to == Phase.PIVOTED) {
                status.pivotComplete(true);
            }
        });
        if (moved == null) {
            GenericKubernetesResource now = client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName(name).get();
            if (now != null && to.wire().equals(StatusWriter.ofCluster(now).phaseText())) {
                // An earlier run took this step; this one started from a cache that had not seen it yet.
                LOG.debug("{}: already {}", name, to.wire());
                return to;
            }
            throw new IllegalStateException(name + " is no longer " + from.wire() + "; provisioning stopped");
        }
        LOG.info("{}: {} ({})", name, to.wire(), message);
        events.emit(moved, false, to.wire(), message);
        return to;
    }

    /**
     * Makes {@code change} to the status if its phase is still {@code from} (null: any); null when it is not, or when
     * the phase it moves {@code to} (null: none) does not fit: Deleting and Unpivoting only for a cluster being deleted,
     * the others only for one that is not.
     */
    private GenericKubernetesResource update(String name, Phase from, Phase to, Consumer<ClusterStatus> change) {
        return edit(name, true, live -> {
            boolean deleting = live.getMetadata().getDeletionTimestamp() != null;
            if (to != null && deleting != (to == Phase.DELETING || to == Phase.UNPIVOTING)) {
                return false;
            }
            ClusterStatus status = StatusWriter.ofCluster(live);
            if (from != null && !from.wire().equals(Objects.requireNonNullElse(status.phaseText(), Phase.PENDING.wire()))) {
                return false;
            }
            change.accept(status);
            StatusWriter.put(live, status);
            return true;
        });
    }

    /** A run's progress, as the child's status message while its phase is unchanged. */
    private final class Messages implements Progress {
        private final String name;

        Messages(String name) {
            this.name = name;
        }

        @Override
        public void begin(String step) {
            update(step);
        }

        @Override
        public void update(String status) {
            try {
                Provisioning.this.update(name, null, null, s -> s.message(status));
            } catch (RuntimeException e) {
                LOG.debug("could not write the progress of {}: {}", name, e.getMessage());
            }
        }

        @Override
        public void done(String step, boolean earlier) {
        }

        @Override
        public void warn(String message) {
            LOG.warn("{}: {}", name, message);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
