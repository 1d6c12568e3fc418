package dev.lattice.daemon.runtime;

import dev.lattice.core.crd.CrdGenerator;
import dev.lattice.core.install.BootstrapTokens;
import dev.lattice.core.install.DaemonManifests;
import dev.lattice.core.model.Kind;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.daemon.agent.AgentClient;
import dev.lattice.daemon.agent.HeartbeatReporter;
import dev.lattice.daemon.agent.ParentCommands;
import dev.lattice.daemon.agent.ParentCredentials;
import dev.lattice.daemon.agent.ParentEndpoints;
import dev.lattice.daemon.reconciler.Backoff;
import dev.lattice.daemon.reconciler.CapiCache;
import dev.lattice.daemon.reconciler.Fleet;
import dev.lattice.daemon.reconciler.LatticeCache;
import dev.lattice.daemon.reconciler.Members;
import dev.lattice.daemon.reconciler.PoolReconciler;
import dev.lattice.daemon.reconciler.Provisioning;
import dev.lattice.daemon.reconciler.Reconciler;
import dev.lattice.daemon.reconciler.Reconcilers;
import dev.lattice.daemon.reconciler.ServedKinds;
import dev.lattice.daemon.reconciler.ServiceReconciler;
import dev.lattice.daemon.reconciler.WarmPoolReconciler;
import dev.lattice.daemon.reconciler.WarmResets;
import dev.lattice.daemon.reconciler.WorkQueue;
import dev.lattice.engine.crypto.Crypto;
import dev.lattice.engine.LocalCache;
import dev.lattice.engine.charts.ChartStore;
import dev.lattice.engine.charts.HelmCharts;
import dev.lattice.engine.components.Components;
import dev.lattice.engine.install.ChildProvisioning;
import dev.lattice.engine.kube.Applier;
import dev.lattice.engine.kube.EventRecorder;
import dev.lattice.engine.kube.RequestPool;
import dev.lattice.engine.kube.StatusWriter;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon: its CRDs made sure of, informers started, health served, then, while it holds the Lease, the
 * reconcilers, the parent's endpoints (when this cluster is a parent) and the agent to its own parent (when it has
 * one). Losing the Lease stops all of that until it is won again, so two replicas never reconcile at once.
 */
public final class Daemon implements AutoCloseable {
    /** The Lease in the daemon's namespace. */
    public static final String LEASE = "lattice-daemon";
    /** A reconcile running this long has hung: the liveness probe fails. */
    static final Duration STALLED_RECONCILE = Duration.ofMinutes(10);
    /** The agent waits at most 30 s between rounds (its longest back-off); this long without one, it has hung. */
    static final Duration STALLED_AGENT = Duration.ofMinutes(3);
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    private final DaemonOptions options;
    private final KubernetesClient client;
    private final Metrics metrics = new Metrics();
    private final Fleet fleet = new Fleet();
    private final LatticeCache cache;
    private final CapiCache capi;
    private final ServedKinds served;
    private HealthServer health;
    private CompletableFuture<?> election;
    private volatile Leading leading;
    private volatile boolean leader;
    private volatile boolean closing;
    private final Consumer<String> fatal;
    private final AtomicReference<String> fatalReason = new AtomicReference<>();

    /** A daemon that, when it cannot go on, stops leading and says why ({@link #fatal()}) but leaves the process to its caller. */
    public Daemon(DaemonOptions options, KubernetesClient client) {
        this(options, client, reason -> { });
    }

    /**
     * @param fatal told why, once, when the daemon cannot go on (the Lease lost, a reconcile out of memory): the process
     *              is to end, so that Kubernetes restarts it (DaemonCommand exits)
     */
    public Daemon(DaemonOptions options, KubernetesClient client, Consumer<String> fatal) {
        this.fatal = fatal;
        this.options = options;
        this.client = client;
        this.cache = new LatticeCache(client);
        this.capi = new CapiCache(client);
        this.served = new ServedKinds(client);
    }

    /** The daemon's version, from its jar. */
    public static String version() {
        return Objects.requireNonNullElse(Daemon.class.getPackage().getImplementationVersion(), "dev");
    }

    public void start() throws IOException {
        if (options.fips()) {
            Crypto.enterFips(); // lattice-daemon has already (before its client); a daemon made in process enters here
        } else if (Crypto.fips()) {
            LOG.warn("--fips=false, but this process is in FIPS mode already: it stays so");
        }
        LOG.info("cryptography: {}", Crypto.describe());
        if (options.installCrds()) {
            installCrds();
        }
        health = new HealthServer(options.httpPort(), cache::synced, this::stalled, metrics);
        metrics.gauge("lattice_leader", "1 while this replica holds the Lease", () -> leader ? 1 : 0);
        metrics.gauge("lattice_workqueue_depth", "Keys waiting to be reconciled, now or after a back-off", () -> {
            Leading l = leading;
            return l == null ? 0 : l.queue.depth();
        });
        metrics.counter("lattice_events_dropped", "Events not written (over the recorder's rate, or refused), since this replica led", () -> {
            Leading l = leading;
            return l == null ? 0 : l.events.dropped();
        });
        metrics.gauge("lattice_services_placed", "Services the last plan placed on a cluster", () -> {
            Leading l = leading;
            return l == null ? 0 : l.services.placements()[0];
        });
        metrics.gauge("lattice_services_unplaced", "Services the last plan could place nowhere (Unschedulable)", () -> {
            Leading l = leading;
            return l == null ? 0 : l.services.placements()[1];
        });
        metrics.warmPools(() -> {
            Leading l = leading;
            return l == null ? Map.of() : l.warmPools.statuses();
        });
        cache.onChange(kind -> {
            Leading l = leading;
            if (l != null) {
                l.changed(kind);
            }
        });
        // Only this cluster's own reconciler reads Cluster API objects; a child's provisioning watches its own.
        capi.onChange(cluster -> {
            Leading l = leading;
            if (l != null && cluster.equals(self())) {
                l.cluster(cluster);
            }
        });
        // Objects that waited for a CRD (Cilium's, Istio's) are applied once it is served: this cluster's services', and
        // those its parent placed here.
        served.onChange(() -> {
            Leading l = leading;
            if (l != null) {
                l.queue.enqueue(l.services, ServiceReconciler.KEY);
                l.commands.kindsChanged();
            }
        });
        fleet.onChange(() -> {
            Leading l = leading;
            if (l != null) {
                l.allClusters();
            }
        });
        cache.start();
        capi.start();
        served.start();
        LOG.info("watching {} Lattice kinds on {}; health on port {}", Kind.values().length, client.getMasterUrl(), health.port());
        if (!options.leaderElection()) {
            lead();
            return;
        }
        election = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName(LEASE)
                .withLock(new LeaseLock(options.namespace(), LEASE, options.identity()))
                .withLeaseDuration(Duration.ofSeconds(15))
                .withRenewDeadline(Duration.ofSeconds(10))
                .withRetryPeriod(Duration.ofSeconds(2))
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(this::lead, this::follow,
                        who -> LOG.info("the leader is {}", who)))
                .build()).build().start();
        // The elector gives up for good once the Lease is lost or cannot be renewed; this replica then ends.
        election.whenComplete((done, failure) -> {
            if (!closing) {
                fatal("leader election ended" + (failure == null ? "" : ": " + failure.getMessage()));
            }
        });
    }

    /**
     * Ends this daemon's work, once, because it cannot go on: it stops leading, logs why and tells the {@code fatal}
     * given to it, which ends the process.
     */
    void fatal(String reason) {
        if (closing || !fatalReason.compareAndSet(null, reason)) {
            return;
        }
        LOG.error("{}: the daemon exits so that Kubernetes starts it afresh", reason);
        fatal.accept(reason);
    }

    /** Why this daemon could not go on, or null while it goes on. */
    public String fatal() {
        return fatalReason.get();
    }

    /** Why the liveness probe is to fail: a reconcile or the agent has stopped making progress; null while they go on. */
    String stalled() {
        String gaveUp = fatalReason.get();
        if (gaveUp != null) {
            return gaveUp;
        }
        Leading l = leading;
        if (l == null) {
            return null;
        }
        String queue = l.queue.stalled(STALLED_RECONCILE);
        return queue != null ? queue : l.agent.stalled(STALLED_AGENT);
    }

    /** The Lattice CRDs and the daemon's namespace, applied server-side as {@code lattice install} does. */
    private void installCrds() {
        List<HasMetadata> objects = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            objects.add(CrdGenerator.crd(kind));
        }
        objects.add(new NamespaceBuilder().withNewMetadata().withName(options.namespace()).endMetadata().build());
        new Applier(client).apply(objects, Duration.ofMinutes(1));
    }

    private synchronized void lead() {
        if (leading != null) {
            return;
        }
        LOG.info("{} leads: reconciling", options.identity());
        leader = true;
        leading = new Leading();
        label(true);
    }

    private synchronized void follow() {
        leader = false;
        if (leading != null) {
            LOG.info("{} no longer leads: reconciling stops", options.identity());
            leading.close();
            leading = null;
            label(false);
            if (!closing) {
                // Another replica may hold the Lease now, or none can renew it: a fresh start is the one safe way back.
                fatal("lost the Lease " + options.namespace() + "/" + LEASE);
            }
        }
    }

    /**
     * Puts {@link DaemonManifests#LEADER_LABEL} on this replica's pod, or takes it off, so that a parent's Service
     * sends children to the replica that serves them. Outside a pod (no pod of this replica's name) there is none.
     */
    private void label(boolean leads) {
        String patch = "{\"metadata\": {\"labels\": {\"" + DaemonManifests.LEADER_LABEL + "\": " + (leads ? "\"true\"" : "null") + "}}}";
        try {
            client.pods().inNamespace(options.namespace()).withName(options.identity()).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                LOG.debug("no pod {} to label as the leader", options.identity());
            } else {
                LOG.warn("cannot label pod {} as {}the leader: {}", options.identity(), leads ? "" : "no longer ", Applier.reason(e));
            }
        }
    }

    public boolean isLeader() {
        return leader;
    }

    public int httpPort() {
        return health.port();
    }

    /** The parent endpoints while leading, for tests and diagnostics. */
    public synchronized ParentEndpoints parentEndpoints() {
        return leading == null ? null : leading.parent;
    }

    /** The digests of the plan the services were last reconciled to while this replica leads (see ServiceReconciler.lastPlan); else null. */
    public String plan() {
        Leading l = leading;
        return l == null ? null : l.services.lastPlan();
    }

    public synchronized AgentClient agent() {
        return leading == null ? null : leading.agent;
    }

    /** The LatticeCluster that is this cluster: --cluster-name, or the only one there is. */
    String self() {
        if (options.clusterName() != null) {
            return options.clusterName();
        }
        List<GenericKubernetesResource> clusters = cache.list(Kind.LATTICE_CLUSTER);
        return clusters.size() == 1 ? clusters.get(0).getMetadata().getName() : null;
    }

    /**
     * How long nothing reconciles before the garbage of the work is collected ({@link HeapTrim#tidy}): soon, so that a
     * change coming a few hundred milliseconds after the last finds it done (the collection is due anyway; it costs the
     * same now as at the start of the next pass, where it would delay that change).
     */
    private static final Duration TIDY_AFTER = Duration.ofMillis(100);
    /** How long nothing reconciles before the heap the work grew is given back ({@link HeapTrim#shrink}). */
    private static final Duration SHRINK_AFTER = Duration.ofSeconds(15);

    /** What runs while this replica leads: every reconciler behind one work queue, the parent's endpoints, the agent. */
    private final class Leading implements AutoCloseable {
        /** Reconcilers that run side by side; each key is still reconciled by one at a time. */
        private static final int WORKERS = 4;
        /** Applies, deletes and status writes in flight at once (client-go's default QPS is 5; a fleet needs more). */
        private static final int REQUESTS = 16;
        final RequestPool requests = new RequestPool("api-request", REQUESTS);
        /** What happens to the Lattice objects, for kubectl describe: 50 of each type at once, then 5 a second. */
        final EventRecorder events = new EventRecorder(client, DaemonManifests.NAME, options.identity(), Clock.systemUTC(), 50, 5);
        final ParentEndpoints parent;
        final Provisioning provisioning;
        final AgentClient agent;
        final ParentCommands commands;
        final WorkQueue queue;
        final ServiceReconciler services;
        final Reconciler pools;
        final Reconciler ownCluster;
        final Reconciler childClusters;
        final Reconciler addons;
        final Reconciler endpoints;
        final WarmPoolReconciler warmPools;
        final WarmResets resets;

        Leading() {
            BootstrapTokens tokens = new BootstrapTokens(Clock.systemUTC(), options.bootstrapTokenLifetime());
            parent = new ParentEndpoints(client, options.namespace(), fleet,
                    name -> !name.equals(self()) && cache.get(Kind.LATTICE_CLUSTER, null, name) != null,
                    options.agentPort(), options.bootstrapPort(), options.proxyPort(), options.daemonImage(), tokens,
                    // What a child reports of the services' objects placed there goes into those services' status.
                    child -> Leading.this.queue.enqueue(Leading.this.services, ServiceReconciler.KEY));
            Components components = Components.fromReleases(options.components(), LocalCache.components());
            // Rendered apart: the Helm library and the Go runtime it brings would otherwise stay in the daemon for good.
            HelmCharts charts = new HelmCharts(ChartStore.fromRepositories(options.charts(), LocalCache.charts()), true);
            provisioning = new Provisioning(client, progress -> new ChildProvisioning(client, components, charts, System::getenv,
                    options.provisionTimeout(), Duration.ofMillis(500), progress), parent, tokens, events, Clock.systemUTC());
            // A warm pool's clusters are reached with the kubeconfig Cluster API keeps for each on this cluster.
            Members members = new Members(client, options.namespace(), name -> ChildProvisioning.kubeconfig(client, name), System::getenv);
            resets = new WarmResets(client, members, metrics, Clock.systemUTC());
            // An add-on's outcome goes into the cluster's status (the queue is there before the first reconcile).
            Reconcilers r = new Reconcilers(client, cache, capi, served, Daemon.this::self, fleet, parent, provisioning, tokens,
                    requests, new StatusWriter(client, Clock.systemUTC(), events), options.resync(), charts, name -> Leading.this.queue.enqueue(Leading.this.ownCluster, name),
                    () -> Leading.this.queue.enqueue(Leading.this.services, ServiceReconciler.KEY), resets, members, options.provisionTimeout(),
                    metrics, (pool, after) -> Leading.this.queue.enqueueAfter(Leading.this.warmPools, pool, after));
            // client-go's default: retries of all keys together at most 10 a second after a burst of 100.
            queue = new WorkQueue(WORKERS, options.resync(), Backoff.RECONCILE, 10, 100, metrics, Daemon.this::fatal);
            if (HeapTrim.applies()) {
                HeapTrim heap = new HeapTrim();
                queue.whenQuiet(TIDY_AFTER, heap::tidy);
                queue.whenQuiet(SHRINK_AFTER, heap::shrink);
            }
            services = r.services();
            pools = r.pools();
            ownCluster = r.ownCluster();
            childClusters = r.childClusters();
            addons = r.addons();
            warmPools = r.warmPools();
            endpoints = new Reconciler() {
                @Override
                public String name() {
                    return "parent-endpoints";
                }

                @Override
                public void reconcile(String key) throws IOException {
                    String own = self();
                    LatticeCluster cluster = own == null ? null : cache.snapshot().inputs().cluster(own).orElse(null);
                    parent.reconcile(cluster);
                }
            };
            provisioning.onRunEnd(child -> queue.enqueue(childClusters, child));
            commands = new ParentCommands(client, Daemon.this::self, served::unserved, requests);
            agent = new AgentClient(new ParentCredentials(client, options.namespace(), Daemon.this::self),
                    commands, new HeartbeatReporter(client, cache, Daemon.this::self),
                    Daemon.this::self, fleet, options.heartbeatInterval(), Backoff.RECONNECT, version());
            everything();
            agent.start();
        }

        void everything() {
            queue.enqueue(services, ServiceReconciler.KEY);
            queue.enqueue(pools, PoolReconciler.KEY);
            queue.enqueue(endpoints, "endpoints");
            allClusters();
            allWarmPools();
        }

        /** Only what depends on {@code kind}: services touch neither pools nor clusters; claims touch only their warm pools. */
        void changed(Kind kind) {
            if (kind != Kind.CLUSTER_CLAIM) {
                queue.enqueue(services, ServiceReconciler.KEY);
            }
            if (kind == Kind.LATTICE_CLUSTER || kind.isPool() || kind == Kind.WARM_POOL) {
                queue.enqueue(pools, PoolReconciler.KEY);
                queue.enqueue(endpoints, "endpoints");
                allClusters();
            }
            if (kind == Kind.LATTICE_CLUSTER || kind.isPool() || kind == Kind.WARM_POOL || kind == Kind.CLUSTER_CLAIM) {
                allWarmPools();
            }
        }

        /** Every warm pool, and the claims none serves. */
        void allWarmPools() {
            cache.list(Kind.WARM_POOL).forEach(w -> queue.enqueue(warmPools, w.getMetadata().getName()));
            queue.enqueue(warmPools, WarmPoolReconciler.NO_POOL);
        }

        void allClusters() {
            cache.list(Kind.LATTICE_CLUSTER).forEach(c -> cluster(c.getMetadata().getName()));
        }

        /** The cluster {@code name} to its reconciler: this daemon's own, or a child's. */
        void cluster(String name) {
            if (name.equals(self())) {
                queue.enqueue(ownCluster, name);
                queue.enqueue(addons, name);
            } else {
                queue.enqueue(childClusters, name);
            }
        }

        @Override
        public void close() {
            agent.close();
            provisioning.close();
            resets.close();
            queue.close();
            requests.close();
            parent.close();
            events.close();
        }
    }

    @Override
    public void close() {
        closing = true;
        if (election != null) {
            election.cancel(true);
        }
        follow();
        capi.close();
        served.close();
        cache.close();
        if (health != null) {
            health.close();
        }
    }
}
