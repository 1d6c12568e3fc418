package dev.lattice.daemon.reconciler;

import dev.lattice.core.capacity.PoolAccounting;
import dev.lattice.core.io.Durations;
import dev.lattice.core.model.CanonicalForm;
import dev.lattice.core.model.ClusterClaim;
import dev.lattice.core.model.Condition;
import dev.lattice.core.model.Kind;
import dev.lattice.core.model.LatticeObject;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.Pool;
import dev.lattice.core.model.WarmPool;
import dev.lattice.core.model.WarmPool.State;
import dev.lattice.core.parse.Problem;
import dev.lattice.core.status.ObjectStatus;
import dev.lattice.core.warm.WarmPlan;
import dev.lattice.core.install.DaemonManifests;
import dev.lattice.engine.kube.Applier;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.engine.kube.Secrets;
import dev.lattice.engine.kube.StatusWriter;
import dev.lattice.engine.warm.WarmCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A warm pool: acts on what {@link WarmPlan} decides, one step at a time, and writes every status. Each member's place in
 * the pool's cycle is kept on its LatticeCluster ({@link Members}), written with the resourceVersion it was read at, so
 * two binds of one cluster cannot both succeed and a daemon that restarts finds every cluster where it was. A member
 * becomes Available once its parent has provisioned it, it is healthy and its baseline is recorded; a claim binds to it
 * after a health check at bind time (an unfit cluster goes to Error and the claim takes the next) and gets a kubeconfig
 * minted for it alone, in a Secret beside the claim; a released, expired or deleted claim sends its cluster to be reset
 * in the background ({@link WarmResets}). Keys are warm pool names.
 */
public final class WarmPoolReconciler implements Reconciler {
    /** The key of the claims no warm pool serves (no pool's name: those are DNS labels). */
    public static final String NO_POOL = "";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SUFFIX_CHARACTERS = "bcdfghjklmnpqrstvwxz2456789";
    /** Longest member name: a DNS label, and its Cluster API namespace ({@code capi-NAME}) one too. */
    private static final int MAX_NAME = 58;

    private final KubernetesClient client;
    private final LatticeCache cache;
    private final StatusWriter status;
    private final Members members;
    private final WarmResets resets;
    private final Duration provisionTimeout;
    private final WarmMetrics metrics;
    private final BiConsumer<String, Duration> again;
    /** Claims whose kubeconfig Secret is known to be there, as {@code claim uid/cluster}: checked once per daemon. */
    private final Set<String> handedOut = ConcurrentHashMap.newKeySet();
    /** How long a pool that refused a cluster beyond the warm pool's size is taken as full before another is tried. */
    private static final Duration FULL_FOR = Duration.ofMinutes(1);

    /** Why a warm pool's capacity pool refused a cluster beyond its size, and when. */
    private record Full(String message, Instant at) {
    }

    /** Each warm pool whose capacity pool last refused a cluster beyond its size. */
    private final Map<String, Full> full = new ConcurrentHashMap<>();
    /** Namespaces where the daemon has bound itself to Secrets, for claims' kubeconfigs. */
    private final Set<String> secretsBound = ConcurrentHashMap.newKeySet();
    /** Each pool's last status, for the clusters-per-state gauge. */
    private final Map<String, WarmPool.Status> last = new ConcurrentHashMap<>();

    /**
     * @param again asked to reconcile a pool again after a while: when a claim expires, a reset times out, a back-off ends
     */
    WarmPoolReconciler(KubernetesClient client, LatticeCache cache, StatusWriter status, Members members, WarmResets resets,
                       Duration provisionTimeout, WarmMetrics metrics, BiConsumer<String, Duration> again) {
        this.client = client;
        this.cache = cache;
        this.status = status;
        this.members = members;
        this.resets = resets;
        this.provisionTimeout = provisionTimeout;
        this.metrics = metrics;
        this.again = again;
    }

    @Override
    public String name() {
        return "warm-pools";
    }

    /** Each pool's clusters per state, as its status last said. */
    public Map<String, WarmPool.Status> statuses() {
        return Map.copyOf(last);
    }

    @Override
    public void reconcile(String name) {
        if (NO_POOL.equals(name)) {
            unserved();
            return;
        }
        GenericKubernetesResource live = cache.get(Kind.WARM_POOL, null, name);
        if (live == null) {
            last.remove(name);
            return; // its clusters go with it: they are owned by it
        }
        LatticeCache.Snapshot snapshot = cache.snapshot();
        Long generation = live.getMetadata().getGeneration();
        Optional<LatticeCache.Rejected> rejected = snapshot.rejected(Kind.WARM_POOL).stream()
                .filter(r -> r.live().getMetadata().getName().equals(name)).findFirst();
        if (rejected.isPresent()) {
            status.write(Kind.WARM_POOL, live, StatusWriter.of(live).observedGeneration(generation).phase("Failed")
                    .condition("Ready", false, "InvalidSpec", rejected.get().problems().get(0).render(), generation, status.now()));
            return;
        }
        WarmPool pool = snapshot.inputs().warmPools().stream().filter(w -> w.name().equals(name)).findFirst().orElseThrow();
        String refusal = snapshot.ledger().refusals().stream().filter(r -> r.cluster().equals(PoolAccounting.warmPoolId(name)))
                .map(PoolAccounting.Refusal::message).findFirst().orElse(null);
        Pool capacity = snapshot.inputs().pool(pool.spec().pool()).map(Pool.class::cast).orElse(null);
        Instant now = status.now();

        Map<String, GenericKubernetesResource> clusters = new LinkedHashMap<>();
        for (GenericKubernetesResource c : cache.list(Kind.LATTICE_CLUSTER)) {
            if (name.equals(Members.poolOf(c)) && c.getMetadata().getDeletionTimestamp() == null) {
                clusters.put(c.getMetadata().getName(), members.latest(c));
            }
        }
        // Created by an earlier pass a moment ago: not in the cache yet, but not to be created again.
        members.unseen(name, clusters.keySet()).forEach(c -> clusters.put(c.getMetadata().getName(), c));
        for (GenericKubernetesResource c : List.copyOf(clusters.values())) {
            GenericKubernetesResource after = provisioned(pool, capacity, c, now);
            if (after == null) {
                clusters.remove(c.getMetadata().getName());
            } else {
                clusters.put(c.getMetadata().getName(), after);
            }
        }
        List<WarmPlan.Claim> claims = claims(snapshot, name);
        Map<String, ClusterClaim> claimModels = new HashMap<>();
        snapshot.inputs().claims().forEach(c -> claimModels.put(c.metadata().namespace() + "/" + c.name(), c));

        WarmPlan.Decisions d = plan(pool, clusters, claims, refusal, now);
        for (WarmPlan.Bind bind : d.binds()) {
            bind(pool, clusters.get(bind.cluster()), bind, claimModels.get(bind.claim()), now);
        }
        for (WarmPlan.Reset reset : d.resets()) {
            GenericKubernetesResource member = members.mark(clusters.get(reset.cluster()), State.RESETTING, reset.claim(), null,
                    reset.reason(), now);
            clusters.put(reset.cluster(), member);
            deleteKubeconfig(reset.claim());
        }
        for (String cluster : d.timedOut()) {
            resets.cancel(cluster);
            String doing = Members.message(clusters.get(cluster));
            clusters.put(cluster, members.mark(clusters.get(cluster), State.ERROR, null, null,
                    "its reset did not finish within " + pool.spec().reset().timeout() + (doing == null ? "" : ": " + doing), now));
        }
        for (GenericKubernetesResource member : clusters.values()) {
            if (Members.state(member) == State.RESETTING && !d.timedOut().contains(member.getMetadata().getName())) {
                resets.start(pool, capacity, member, after -> again.accept(name, after));
            }
        }
        // Clusters in Error (replaced by creates in later passes), and Available ones beyond what the pool keeps.
        for (String cluster : Stream.concat(d.replace().stream(), d.surplus().stream()).toList()) {
            client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName(cluster).delete();
            resets.forget(cluster);
        }
        for (int i = 0; i < d.create(); i++) {
            create(pool, live);
        }
        keepCredentials(pool, clusters, claimModels);

        for (Map.Entry<String, ClusterClaim.Status> e : d.claims().entrySet()) {
            writeClaim(e.getKey(), e.getValue());
        }
        // What this daemon last wrote, else what the status says (the cache may not show the last write yet).
        WarmPool.Status before = last.getOrDefault(name, pool.status());
        if (before.queue().isEmpty() && !d.status().queue().isEmpty()) {
            metrics.exhausted(name);
        }
        writePool(live, d.status(), generation);
        last.put(name, d.status());
        next(pool, d, clusters.values(), now).ifPresent(wait -> again.accept(name, wait));
    }

    /**
     * Plans, and plans again while a cluster chosen for a claim fails its health check at bind time: it goes to Error
     * with why, and the claim takes the next one.
     */
    private WarmPlan.Decisions plan(WarmPool pool, Map<String, GenericKubernetesResource> clusters, List<WarmPlan.Claim> claims,
                                    String refusal, Instant now) {
        WarmPlan.Failures failures = failures(pool);
        Full refused = full.get(pool.name());
        String fullNow = refused != null && now.isBefore(refused.at().plus(FULL_FOR)) ? refused.message() : null;
        while (true) {
            List<WarmPlan.Member> planned = clusters.values().stream().map(Members::member).toList();
            WarmPlan.Decisions d = WarmPlan.plan(pool, planned, claims, refusal, fullNow, failures, now);
            boolean unfit = false;
            for (WarmPlan.Bind bind : d.binds()) {
                String why = members.unhealthy(clusters.get(bind.cluster()));
                if (why != null) {
                    clusters.put(bind.cluster(), members.mark(clusters.get(bind.cluster()), State.ERROR, null, null,
                            "failed its health check when claimed: " + why, now));
                    unfit = true;
                }
            }
            if (!unfit) {
                return d;
            }
        }
    }

    /**
     * A Provisioning member whose parent has made it Ready: Available once healthy, with its baseline; Error if it never
     * is, or its provisioning failed; null (deleted) when its capacity pool refused it.
     */
    private GenericKubernetesResource provisioned(WarmPool pool, Pool capacity, GenericKubernetesResource member, Instant now) {
        if (Members.state(member) != State.PROVISIONING) {
            return member;
        }
        ObjectStatus st = StatusWriter.of(member);
        String phase = st.phaseText();
        if (LatticeCluster.Phase.FAILED.wire().equals(phase) && refusedByItsPool(st)) {
            // Made beyond the pool's size, on demand, and its capacity pool cannot hold it: it goes (with whatever of it
            // began before the pool's accounting saw it), no failure is counted, and no more are made beyond size for a while.
            full.put(pool.name(), new Full(st.message(), now));
            client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName(member.getMetadata().getName()).delete();
            return null;
        }
        if (LatticeCluster.Phase.FAILED.wire().equals(phase)) {
            return members.mark(member, State.ERROR, null, null, "its provisioning failed: " + st.message(), now);
        }
        if (!LatticeCluster.Phase.READY.wire().equals(phase)) {
            return member;
        }
        String why = members.recordBaseline(member, pool, capacity);
        if (why == null) {
            return members.mark(member, State.AVAILABLE, null, null, null, now);
        }
        Instant created = Objects.requireNonNullElse(Members.created(member), now);
        if (!now.isBefore(created.plus(provisionTimeout))) {
            return members.mark(member, State.ERROR, null, null, "not healthy " + Durations.format(provisionTimeout)
                    + " after it was created: " + why, now);
        }
        return members.note(member, "ready; not offered yet: " + why);
    }

    /** Whether the cluster failed because its capacity pool cannot hold it (nothing of it was provisioned). */
    private static boolean refusedByItsPool(ObjectStatus status) {
        return status.conditions().stream().anyMatch(c -> "Ready".equals(c.type()) && "PoolRefused".equals(c.reason()));
    }

    /** Binds the claim to its cluster (conditional on the version read), then hands the claim its own kubeconfig. */
    private void bind(WarmPool pool, GenericKubernetesResource member, WarmPlan.Bind bind, ClusterClaim claim, Instant now) {
        GenericKubernetesResource bound = members.mark(member, State.CLAIMED, bind.claim(), bind.session(), null, now);
        handOut(bound, claim, bind.expires(), now);
        Instant created = claim.metadata().created();
        if (created != null) {
            metrics.claimBound(Duration.between(created, Instant.now()));
        }
    }

    /** Mints the claim's kubeconfig on its cluster and puts it in the Secret beside the claim, owned by the claim. */
    private void handOut(GenericKubernetesResource member, ClusterClaim claim, Instant expires, Instant now) {
        String id = claim.metadata().namespace() + "/" + claim.name();
        String kubeconfig = members.mint(member, id, Duration.between(now, expires));
        OwnerReference owner = new OwnerReferenceBuilder().withApiVersion(LatticeObject.API_VERSION).withKind(Kind.CLUSTER_CLAIM.kindName())
                .withName(claim.name()).withUid(claim.metadata().uid()).build();
        // The daemon uses Secrets only in namespaces it binds itself to, this claim's among them.
        if (!secretsBound.contains(claim.metadata().namespace())) {
            new Applier(client).apply(List.of(DaemonManifests.secretsBinding(claim.metadata().namespace())), Duration.ofSeconds(30));
            secretsBound.add(claim.metadata().namespace());
        }
        client.secrets().inNamespace(claim.metadata().namespace()).resource(new SecretBuilder()
                .withNewMetadata().withName(WarmPlan.kubeconfigSecret(claim.name())).withNamespace(claim.metadata().namespace())
                .withLabels(Map.of(WarmCluster.CLAIM_LABEL, claim.name(), WarmPool.MEMBER_LABEL, claim.spec().pool()))
                .withOwnerReferences(owner).endMetadata()
                .withType("Opaque").withData(Secrets.data(Map.of("kubeconfig", kubeconfig))).build())
                .fieldManager(Members.FIELD_MANAGER).forceConflicts().serverSideApply();
        handedOut.add(claim.metadata().uid() + "/" + member.getMetadata().getName());
    }

    /** A bound claim whose Secret is gone (a daemon stopped between the bind and the Secret, or someone deleted it) gets one again. */
    private void keepCredentials(WarmPool pool, Map<String, GenericKubernetesResource> clusters, Map<String, ClusterClaim> claims) {
        for (GenericKubernetesResource member : clusters.values()) {
            if (Members.state(member) != State.CLAIMED) {
                continue;
            }
            // Its claim's status may not say Bound yet (written after this), or may still say Bound of a claim that ended.
            ClusterClaim claim = claims.get(Members.claim(member));
            ClusterClaim.Phase phase = claim == null ? null : claim.status().phase();
            if (claim == null || claim.spec().released() || phase == ClusterClaim.Phase.RELEASED || phase == ClusterClaim.Phase.EXPIRED) {
                continue;
            }
            String key = claim.metadata().uid() + "/" + member.getMetadata().getName();
            if (handedOut.contains(key)) {
                continue;
            }
            boolean there = client.secrets().inNamespace(claim.metadata().namespace()).withName(WarmPlan.kubeconfigSecret(claim.name())).get() != null;
            if (there) {
                handedOut.add(key);
            } else {
                Instant expires = claim.status().expiresAt() != null ? Instant.parse(claim.status().expiresAt())
                        : Objects.requireNonNullElse(Members.since(member), status.now()).plus(WarmPlan.lifetime(pool.spec(), claim.spec()));
                handOut(member, claim, expires, status.now());
            }
        }
    }

    private void deleteKubeconfig(String claim) {
        if (claim == null) {
            return;
        }
        int slash = claim.indexOf('/');
        client.secrets().inNamespace(claim.substring(0, slash)).withName(WarmPlan.kubeconfigSecret(claim.substring(slash + 1))).delete();
    }

    /** A new member: the pool's template drawing on the pool's capacity pool, labelled and owned by the pool. */
    private void create(WarmPool pool, GenericKubernetesResource live) {
        Map<String, Object> spec = new LinkedHashMap<>(CanonicalForm.map(pool.spec().template()));
        spec.put("pool", pool.spec().pool());
        spec.remove("providerRef");
        String prefix = pool.name().length() > MAX_NAME - 6 ? pool.name().substring(0, MAX_NAME - 6) : pool.name();
        GenericKubernetesResource cluster = new GenericKubernetesResource();
        cluster.setApiVersion(LatticeObject.API_VERSION);
        cluster.setKind(Kind.LATTICE_CLUSTER.kindName());
        cluster.setMetadata(new ObjectMetaBuilder().withName(prefix + "-" + suffix())
                .withLabels(Map.of(WarmPool.MEMBER_LABEL, pool.name()))
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(LatticeObject.API_VERSION).withKind(Kind.WARM_POOL.kindName())
                        .withName(pool.name()).withUid(live.getMetadata().getUid()).build())
                .build());
        cluster.setAdditionalProperty("spec", spec);
        members.madeHere(client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).resource(cluster).create());
    }

    private static String suffix() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            s.append(SUFFIX_CHARACTERS.charAt(RANDOM.nextInt(SUFFIX_CHARACTERS.length())));
        }
        return s.toString();
    }

    /** The claims on pool {@code name}, live and being deleted, in the plan's terms. */
    private List<WarmPlan.Claim> claims(LatticeCache.Snapshot snapshot, String name) {
        return snapshot.inputs().claims().stream().filter(c -> name.equals(c.spec().pool())).map(this::claim).toList();
    }

    private WarmPlan.Claim claim(ClusterClaim c) {
        GenericKubernetesResource live = cache.get(Kind.CLUSTER_CLAIM, c.metadata().namespace(), c.name());
        boolean deleting = live == null || live.getMetadata().getDeletionTimestamp() != null;
        return new WarmPlan.Claim(c.metadata().namespace() + "/" + c.name(), c.metadata().created(), c.spec(), c.status(), deleting);
    }

    /**
     * The claims no warm pool serves: those naming a pool that is not there, which wait for it and say so (one bound to a
     * pool since deleted has ended, and its kubeconfig goes), and those the parser refused, which say why.
     */
    private void unserved() {
        LatticeCache.Snapshot snapshot = cache.snapshot();
        Set<String> pools = new HashSet<>();
        snapshot.inputs().warmPools().forEach(w -> pools.add(w.name()));
        snapshot.rejected(Kind.WARM_POOL).forEach(r -> pools.add(r.live().getMetadata().getName())); // its own status says why
        List<WarmPlan.Claim> orphans = snapshot.inputs().claims().stream().filter(c -> !pools.contains(c.spec().pool()))
                .map(this::claim).toList();
        WarmPlan.withoutPool(orphans).forEach((id, next) -> {
            if (next.phase() == ClusterClaim.Phase.EXPIRED) {
                deleteKubeconfig(id);
            }
            writeClaim(id, next);
        });
        for (LatticeCache.Rejected r : snapshot.rejected(Kind.CLUSTER_CLAIM)) {
            String why = r.problems().stream().map(Problem::render).collect(Collectors.joining("; "));
            writeClaim(r.live().getMetadata().getNamespace() + "/" + r.live().getMetadata().getName(), new ClusterClaim.Status(null,
                    ClusterClaim.Phase.PENDING, null, null, null, null, null, why, List.of(new Condition("Bound", "False", "InvalidSpec",
                    why, null, null))));
        }
    }

    private static WarmPlan.Failures failures(WarmPool pool) {
        WarmPool.Status st = pool.status();
        if (st.consecutiveFailures() == null && st.lastFailureTime() == null) {
            return WarmPlan.Failures.NONE;
        }
        return new WarmPlan.Failures(Objects.requireNonNullElse(st.consecutiveFailures(), 0),
                st.lastFailureTime() == null ? null : Instant.parse(st.lastFailureTime()), st.lastFailure(), st.observedGeneration());
    }

    private void writeClaim(String id, ClusterClaim.Status next) {
        int slash = id.indexOf('/');
        GenericKubernetesResource live = cache.get(Kind.CLUSTER_CLAIM, id.substring(0, slash), id.substring(slash + 1));
        if (live == null || live.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        write(Kind.CLUSTER_CLAIM, live, CanonicalForm.map(next), next.conditions(), live.getMetadata().getGeneration());
    }

    private void writePool(GenericKubernetesResource live, WarmPool.Status next, Long generation) {
        write(Kind.WARM_POOL, live, CanonicalForm.map(next), next.conditions(), generation);
    }

    /** Writes a status made by the plan, keeping the transition time of each condition that did not change. */
    private void write(Kind kind, GenericKubernetesResource live, Map<String, Object> planned, List<Condition> conditions, Long generation) {
        Map<String, Object> fields = new LinkedHashMap<>(planned);
        fields.remove("conditions");
        ObjectStatus after = new ObjectStatus(fields).observedGeneration(generation).conditions(StatusWriter.of(live).conditions());
        for (Condition c : conditions) {
            after.condition(c.type(), "True".equals(c.status()), c.reason(), c.message(), generation, status.now());
        }
        status.write(kind, live, after);
    }

    /** When to look again with nothing else happening: the next claim to expire, reset to time out, or back-off to end. */
    private Optional<Duration> next(WarmPool pool, WarmPlan.Decisions d, Collection<GenericKubernetesResource> clusters, Instant now) {
        List<Instant> times = new ArrayList<>();
        d.claims().values().stream().filter(c -> c.phase() == ClusterClaim.Phase.BOUND && c.expiresAt() != null)
                .forEach(c -> times.add(Instant.parse(c.expiresAt())));
        Duration timeout = Durations.parse(pool.spec().reset().timeout());
        for (GenericKubernetesResource member : clusters) {
            State state = Members.state(member);
            Instant since = Members.since(member);
            if (state == State.RESETTING && since != null) {
                times.add(since.plus(timeout));
            } else if (state == State.PROVISIONING && Members.message(member) != null) {
                times.add(now.plusSeconds(10)); // ready but not yet healthy: look again soon
            }
        }
        Full refused = full.get(pool.name());
        if (refused != null) {
            times.add(refused.at().plus(FULL_FOR));
        }
        // Available beyond the pool's size: they go once idle long enough.
        if (d.status().available() != null && d.status().available() > pool.spec().size()) {
            clusters.stream().filter(m -> Members.state(m) == State.AVAILABLE && Members.since(m) != null)
                    .forEach(m -> times.add(Members.since(m).plus(WarmPlan.SHRINK_AFTER)));
        }
        if (d.status().lastFailureTime() != null && d.status().consecutiveFailures() != null && d.status().consecutiveFailures() > 0
                && d.status().consecutiveFailures() < WarmPlan.FAILURE_LIMIT) {
            times.add(Instant.parse(d.status().lastFailureTime()).plus(WarmPlan.backoff(d.status().consecutiveFailures())));
        }
        return times.stream().filter(t -> t.isAfter(now)).min(Instant::compareTo).map(t -> Duration.between(now, t).plusMillis(100));
    }
}
