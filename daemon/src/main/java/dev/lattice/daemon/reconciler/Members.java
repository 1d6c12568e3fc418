package dev.lattice.daemon.reconciler;

import dev.lattice.core.LatticeException;
import dev.lattice.core.model.Kind;
import dev.lattice.core.model.LatticeObject;
import dev.lattice.core.model.ObjectMeta;
import dev.lattice.core.model.Pool;
import dev.lattice.core.model.WarmPool;
import dev.lattice.core.model.WarmPool.State;
import dev.lattice.core.warm.WarmPlan;
import dev.lattice.engine.kube.Applier;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.engine.kube.PoolCredentials;
import dev.lattice.engine.warm.ProxmoxApi;
import dev.lattice.engine.warm.ProxmoxSnapshots;
import dev.lattice.engine.warm.WarmCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The clusters of warm pools as their parent keeps them: each one's place in its pool's cycle, in annotations on its
 * LatticeCluster (state, since, claim, session, message; no state yet means Provisioning), changed only over the
 * resourceVersion it was read at; its baseline, in a ConfigMap in the daemon's namespace where no session reaches it;
 * and the cluster's own API, through the kubeconfig Cluster API keeps for it on this parent.
 */
public final class Members implements AutoCloseable {
    public static final String STATE = "lattice.dev/warm-state";
    public static final String SINCE = "lattice.dev/warm-since";
    public static final String CLAIM = "lattice.dev/warm-claim";
    public static final String SESSION = "lattice.dev/warm-session";
    public static final String MESSAGE = "lattice.dev/warm-message";
    static final String FIELD_MANAGER = "lattice-warm-pools";
    private static final String BASELINE_KEY = "inventory";

    private record Connection(String kubeconfig, WarmCluster cluster) {
    }

    /** A member as written here, the version it was written over, and when. */
    private record Written(String over, GenericKubernetesResource member, long at) {
    }

    /** How long a write of ours stands in for a cache that has not shown it, at most. */
    private static final long STANDS_IN_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    private final KubernetesClient client;
    private final String namespace;
    private final Function<String, String> kubeconfigs;
    private final Function<String, String> environment;
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final Map<String, Written> written = new ConcurrentHashMap<>();
    /** Proxmox APIs by what reaches them, for Snapshot resets. */
    private final Map<ProxmoxApi.Endpoint, ProxmoxApi> proxmox = new ConcurrentHashMap<>();
    /** How long one snapshot or rollback task on Proxmox may take. */
    private static final Duration PROXMOX_TASK = Duration.ofMinutes(3);

    /**
     * @param namespace   where baselines are kept (the daemon's)
     * @param kubeconfigs a member's admin kubeconfig by its name, as Cluster API wrote it on this parent
     * @param environment the daemon's environment, under the capacity pool's credentials (for Snapshot resets)
     */
    public Members(KubernetesClient client, String namespace, Function<String, String> kubeconfigs, Function<String, String> environment) {
        this.client = client;
        this.namespace = namespace;
        this.kubeconfigs = kubeconfigs;
        this.environment = environment;
    }

    /** The warm pool a LatticeCluster belongs to, or null. */
    static String poolOf(GenericKubernetesResource cluster) {
        Map<String, String> labels = cluster.getMetadata().getLabels();
        return labels == null ? null : labels.get(WarmPool.MEMBER_LABEL);
    }

    static State state(GenericKubernetesResource member) {
        String wire = annotation(member, STATE);
        if (wire != null) {
            for (State s : State.values()) {
                if (s.wire().equals(wire)) {
                    return s;
                }
            }
        }
        return State.PROVISIONING;
    }

    static String claim(GenericKubernetesResource member) {
        return annotation(member, CLAIM);
    }

    static String message(GenericKubernetesResource member) {
        return annotation(member, MESSAGE);
    }

    static Instant since(GenericKubernetesResource member) {
        return ObjectMeta.instant(annotation(member, SINCE));
    }

    static Instant created(GenericKubernetesResource member) {
        return ObjectMeta.instant(member.getMetadata().getCreationTimestamp());
    }

    private static String annotation(GenericKubernetesResource member, String key) {
        Map<String, String> annotations = member.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    /** The member in the plan's terms; a Provisioning one is so since it was created. */
    static WarmPlan.Member member(GenericKubernetesResource member) {
        State state = state(member);
        Instant since = state == State.PROVISIONING ? created(member) : since(member);
        return new WarmPlan.Member(member.getMetadata().getName(), created(member), state, claim(member),
                annotation(member, SESSION), since, message(member));
    }

    /**
     * Moves the member to {@code state}, with the claim and session holding it (null: none) and a message (null: none),
     * since {@code now}; only over the version read, so of two binds of one cluster one fails (409) and plans again.
     * Returns the member as written.
     */
    GenericKubernetesResource mark(GenericKubernetesResource member, State state, String claim, String session, String message, Instant now) {
        Map<String, Object> annotations = new LinkedHashMap<>();
        annotations.put(STATE, state == State.PROVISIONING ? null : state.wire());
        annotations.put(SINCE, now.toString());
        annotations.put(CLAIM, claim);
        annotations.put(SESSION, session);
        annotations.put(MESSAGE, message);
        return patch(member, annotations, true);
    }

    /** Sets the member's message alone, when it differs. */
    GenericKubernetesResource note(GenericKubernetesResource member, String message) {
        if (Objects.equals(message(member), message)) {
            return member;
        }
        Map<String, Object> annotations = new HashMap<>();
        annotations.put(MESSAGE, message);
        return patch(member, annotations, false);
    }

    private GenericKubernetesResource patch(GenericKubernetesResource member, Map<String, Object> annotations, boolean conditional) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        if (conditional) {
            metadata.put("resourceVersion", member.getMetadata().getResourceVersion());
        }
        metadata.put("annotations", annotations);
        String patch = client.getKubernetesSerialization().asJson(Map.of("metadata", metadata));
        String name = member.getMetadata().getName();
        GenericKubernetesResource after = client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        written.put(name, new Written(member.getMetadata().getResourceVersion(), after, System.nanoTime()));
        return after;
    }

    /**
     * The member as last written here while the cache still holds the version that write replaced, else as cached: a
     * pass that follows a write at once must not plan from what the write changed (a cluster just claimed, as Available).
     * A write stands in until the cache shows it (or, should it never, for 10 s); meanwhile a cached version that is
     * neither is taken as it is (a later write by someone else, or an earlier one: a conditional write of ours made
     * from it fails, and is planned again).
     */
    GenericKubernetesResource latest(GenericKubernetesResource cached) {
        String name = cached.getMetadata().getName();
        Written w = written.get(name);
        if (w == null) {
            return cached;
        }
        String version = cached.getMetadata().getResourceVersion();
        if (Objects.equals(w.member().getMetadata().getResourceVersion(), version) || System.nanoTime() - w.at() > STANDS_IN_NANOS) {
            written.remove(name, w);
            return cached;
        }
        return Objects.equals(w.over(), version) ? w.member() : cached;
    }

    /** Records a member just created here, so that passes made before the cache shows it count it ({@link #unseen}). */
    void madeHere(GenericKubernetesResource member) {
        written.put(member.getMetadata().getName(), new Written(null, member, System.nanoTime()));
    }

    /** The members of {@code pool} created here that are not among {@code cached} yet (for at most 10 s). */
    List<GenericKubernetesResource> unseen(String pool, Set<String> cached) {
        List<GenericKubernetesResource> out = new ArrayList<>();
        written.forEach((name, w) -> {
            if (w.over() != null || !pool.equals(poolOf(w.member())) || cached.contains(name)) {
                return;
            }
            if (System.nanoTime() - w.at() > STANDS_IN_NANOS) {
                written.remove(name, w);
            } else {
                out.add(w.member());
            }
        });
        return out;
    }

    /** The member as the API server holds it now (not the cache), or null when it is gone. */
    GenericKubernetesResource fresh(String name) {
        return client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName(name).get();
    }

    /**
     * Records the member's baseline if it is fit to hand out: its API answers and its nodes are Ready. For a pool reset
     * by Snapshot, its VMs are snapshotted first (on {@code capacity}, its capacity pool). Returns why it is not fit yet,
     * or null once recorded.
     */
    String recordBaseline(GenericKubernetesResource member, WarmPool pool, Pool capacity) {
        String name = member.getMetadata().getName();
        return whyNot(() -> {
            WarmCluster cluster = connect(name);
            String why = cluster.unhealthy(new WarmCluster.Inventory(Map.of()));
            if (why != null) {
                return why;
            }
            WarmCluster.Inventory inventory = cluster.inventory();
            if (pool.spec().reset().strategy() == WarmPool.ResetStrategy.SNAPSHOT) {
                snapshots(capacity).take(name);
            }
            ConfigMap baseline = new ConfigMapBuilder().withNewMetadata().withName(baselineName(name)).withNamespace(namespace)
                    .withLabels(Map.of(WarmPool.MEMBER_LABEL, poolOf(member)))
                    .addNewOwnerReference().withApiVersion(LatticeObject.API_VERSION).withKind(Kind.LATTICE_CLUSTER.kindName())
                    .withName(name).withUid(member.getMetadata().getUid()).endOwnerReference().endMetadata()
                    .addToData(BASELINE_KEY, inventory.toJson()).build();
            client.configMaps().inNamespace(namespace).resource(baseline).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
            return null;
        });
    }

    /** Why the member is not fit to hand out now (see {@link WarmCluster#unhealthy}), or null when it is. */
    String unhealthy(GenericKubernetesResource member) {
        String name = member.getMetadata().getName();
        return whyNot(() -> {
            WarmCluster.Inventory baseline = baseline(name);
            return baseline == null ? "its baseline is gone (ConfigMap " + namespace + "/" + baselineName(name) + ")"
                    : connect(name).unhealthy(baseline);
        });
    }

    /** What {@code check} says is wrong, or why it could not look: its kubeconfig or its API out of reach. */
    private static String whyNot(Supplier<String> check) {
        try {
            return check.get();
        } catch (LatticeException e) {
            return e.getMessage();
        } catch (KubernetesClientException e) {
            return Applier.reason(e);
        }
    }

    /** The member's baseline, or null when none is recorded. */
    WarmCluster.Inventory baseline(String name) {
        ConfigMap map = client.configMaps().inNamespace(namespace).withName(baselineName(name)).get();
        String json = map == null || map.getData() == null ? null : map.getData().get(BASELINE_KEY);
        return json == null ? null : WarmCluster.Inventory.fromJson(json);
    }

    static String baselineName(String member) {
        return "warm-baseline-" + member;
    }

    /**
     * The Proxmox snapshots of warm clusters on {@code capacity}, reached with its credentials Secret laid over the
     * daemon's environment (read each time: a rotated token is used at once).
     */
    ProxmoxSnapshots snapshots(Pool capacity) {
        if (capacity == null) {
            throw new LatticeException("its capacity pool is gone, and with it the credentials for its VMs' snapshots", null);
        }
        ProxmoxApi.Endpoint endpoint = ProxmoxApi.endpoint(PoolCredentials.over(environment, PoolCredentials.read(client, capacity)));
        return new ProxmoxSnapshots(client, proxmox.computeIfAbsent(endpoint, e -> new ProxmoxApi(e, PROXMOX_TASK)));
    }

    /** A kubeconfig for {@code claim} alone on the member, lasting {@code lifetime} (a secret: never logged). */
    String mint(GenericKubernetesResource member, String claim, Duration lifetime) {
        return connect(member.getMetadata().getName()).mint(claim, lifetime);
    }

    /** The member's API, reached with the kubeconfig Cluster API keeps for it; one client per member while it holds. */
    WarmCluster connect(String name) {
        String kubeconfig = kubeconfigs.apply(name);
        Connection c = connections.compute(name, (k, before) -> {
            if (before != null && before.kubeconfig().equals(kubeconfig)) {
                return before;
            }
            if (before != null) {
                before.cluster().close();
            }
            return new Connection(kubeconfig, new WarmCluster(kubeconfig));
        });
        return c.cluster();
    }

    /** Lets go of the member's client (it was deleted). */
    void forget(String name) {
        written.remove(name);
        Connection c = connections.remove(name);
        if (c != null) {
            c.cluster().close();
        }
    }

    @Override
    public void close() {
        connections.values().forEach(c -> c.cluster().close());
        connections.clear();
    }
}
