package dev.lattice.core.warm;

import dev.lattice.core.io.Durations;
import dev.lattice.core.model.ClusterClaim;
import dev.lattice.core.model.Condition;
import dev.lattice.core.model.WarmPool;
import dev.lattice.core.model.WarmPool.State;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one warm pool should do next, decided from what its clusters and claims say now: which claims bind to which
 * clusters (oldest ready first, claims in the order they were made), which clusters go to be reset (their claim was
 * released, expired or deleted), how many clusters to provision (keeping {@code size} unclaimed, up to {@code maxSize}
 * in all while claims wait, {@code maxConcurrent} at a time), which clusters in Error to replace and when (with
 * back-off, and not at all after {@link #FAILURE_LIMIT} failures in a row), and every status. Pure: the daemon acts on
 * the plan, each step a conditional write, and plans again; a step that did not happen is planned again.
 */
public final class WarmPlan {
    /** Failures in a row (provisioning or reset) after which the pool stops replacing clusters until its spec changes. */
    public static final int FAILURE_LIMIT = 5;
    /** The first wait before replacing a failed cluster; it doubles with each failure in a row, up to {@link #MAX_BACKOFF}. */
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(10);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    /** How long an Available cluster beyond the pool's size stays before it goes (see {@link Decisions#surplus}). */
    public static final Duration SHRINK_AFTER = Duration.ofMinutes(10);

    /** One cluster of the pool, as its LatticeCluster says: state, holder and when it entered its state. */
    public record Member(String cluster, Instant created, State state, String claim, String session, Instant since, String message) {
    }

    /** One claim on the pool: its id ({@code namespace/name}), when it was made, what it asks, what its status says. */
    public record Claim(String id, Instant created, ClusterClaim.Spec spec, ClusterClaim.Status status, boolean deleting) {
    }

    /** A claim to bind to a cluster, with when the binding ends. */
    public record Bind(String claim, String cluster, String session, Instant expires) {
    }

    /** A cluster whose claim has ended, to reset, and why (Released, Expired, ClaimDeleted). */
    public record Reset(String cluster, String claim, String reason) {
    }

    /**
     * The decisions: binds, resets, how many clusters to create, which clusters in Error to delete (each is replaced
     * by a create in a later plan), which Available clusters the pool no longer keeps (over its ceiling, at once; beyond
     * its size, once idle for {@link #SHRINK_AFTER}) to delete, a reset that overran its timeout (to Error), each claim's status,
     * the pool's.
     */
    public record Decisions(List<Bind> binds, List<Reset> resets, int create, List<String> replace, List<String> surplus,
                            List<String> timedOut, Map<String, ClusterClaim.Status> claims, WarmPool.Status status) {
    }

    /** What the pool's status remembers of failures, which no cluster may still show. */
    public record Failures(int inRow, Instant last, String message, Long generation) {
        public static final Failures NONE = new Failures(0, null, null, null);
    }

    private WarmPlan() {
    }

    /**
     * @param pool      the warm pool
     * @param members   its clusters
     * @param claims    the claims that name it, live ones and those being deleted
     * @param refusal   why its capacity pool refuses it, or null when it fits
     * @param failures  the failures in a row so far (from its status); a new spec generation starts them again
     * @param now       the time of the plan
     */
    public static Decisions plan(WarmPool pool, List<Member> members, List<Claim> claims, String refusal, Failures before, Instant now) {
        return plan(pool, members, claims, refusal, null, before, now);
    }

    /**
     * The same, when the capacity pool has just refused a cluster beyond the warm pool's size ({@code full}: why; null
     * when none was): no more are made beyond size for now, and claims that wait are told so.
     */
    public static Decisions plan(WarmPool pool, List<Member> members, List<Claim> claims, String refusal, String full, Failures before,
                                 Instant now) {
        WarmPool.Spec spec = pool.spec();
        Long generation = pool.metadata().generation();
        Failures failures = failures(generation, members, before);

        Map<String, Member> byClaim = new HashMap<>();
        for (Member m : members) {
            if (m.state() == State.CLAIMED && m.claim() != null) {
                byClaim.put(m.claim(), m);
            }
        }
        Map<String, Claim> claimsById = new HashMap<>();
        claims.forEach(c -> claimsById.put(c.id(), c));
        Map<String, ClusterClaim.Status> statuses = new LinkedHashMap<>();
        List<Reset> resets = new ArrayList<>();
        Duration maximum = Durations.parse(spec.claimLifetime().maximum());

        // Claimed clusters whose claim has ended.
        for (Member m : members) {
            if (m.state() != State.CLAIMED) {
                continue;
            }
            Claim c = m.claim() == null ? null : claimsById.get(m.claim());
            if (c == null || c.deleting()) {
                resets.add(new Reset(m.cluster(), m.claim(), "ClaimDeleted"));
            } else if (c.spec().released()) {
                resets.add(new Reset(m.cluster(), m.claim(), "Released"));
                statuses.put(c.id(), released(c, m));
            } else {
                Instant expires = expiry(c, m, spec);
                if (!now.isBefore(expires)) {
                    resets.add(new Reset(m.cluster(), m.claim(), "Expired"));
                    statuses.put(c.id(), expired(c, m, expires));
                } else {
                    statuses.put(c.id(), bound(c, m.cluster(), m.since(), expires, lifetimeNote(c, maximum)));
                }
            }
        }

        // A claim whose status says Bound but that no cluster holds now has ended, though its status may not say so yet:
        // the pass that sent its cluster to be reset may have failed before writing it (a conflict on another claim's
        // status), and its cluster may since be bound to another claim. Its end is said on every pass until it is
        // written, in the words of the pass that ended it; it is never bound again. One whose cluster is gone ended with it.
        Map<String, Member> byName = new HashMap<>();
        members.forEach(m -> byName.put(m.cluster(), m));
        for (Claim c : claims) {
            if (c.deleting() || byClaim.containsKey(c.id()) || !wasBound(c)) {
                continue;
            }
            Member held = byName.get(c.status().cluster());
            if (held == null) {
                statuses.put(c.id(), ended(c, null, ClusterClaim.Phase.EXPIRED, "its cluster " + c.status().cluster() + " is gone"));
            } else if (c.spec().released()) {
                statuses.put(c.id(), released(c, held));
            } else {
                statuses.put(c.id(), expired(c, held, expiry(c, held, spec)));
            }
        }

        // Claims that wait, oldest first, and the clusters that can take them, oldest ready first.
        List<Claim> waiting = claims.stream()
                .filter(c -> !c.deleting() && !byClaim.containsKey(c.id()) && !hasEnded(c) && !wasBound(c))
                .sorted(Comparator.comparing(Claim::created, Comparator.nullsLast(Comparator.naturalOrder())).thenComparing(Claim::id))
                .toList();
        List<Member> available = members.stream().filter(m -> m.state() == State.AVAILABLE)
                .sorted(Comparator.comparing(Member::since, Comparator.nullsLast(Comparator.naturalOrder())).thenComparing(Member::cluster))
                .toList();
        List<Bind> binds = new ArrayList<>();
        int next = 0;
        List<Claim> queue = new ArrayList<>();
        for (Claim c : waiting) {
            if (c.spec().released()) {
                statuses.put(c.id(), ended(c, null, ClusterClaim.Phase.RELEASED, "released before a cluster was bound"));
                continue;
            }
            if (next < available.size()) {
                Member m = available.get(next++);
                Instant expires = now.plus(lifetime(spec, c.spec()));
                binds.add(new Bind(c.id(), m.cluster(), session(c), expires));
                statuses.put(c.id(), bound(c, m.cluster(), now, expires, lifetimeNote(c, maximum)));
            } else {
                queue.add(c);
            }
        }

        // Provisioning: keep size unclaimed, and more (up to maxSize in all) while claims wait.
        int provisioning = count(members, State.PROVISIONING);
        int resetting = count(members, State.RESETTING) + resets.size();
        int unclaimed = provisioning + (available.size() - binds.size()) + resetting;
        int total = members.size();
        int need = Math.max(0, Math.max(spec.size(), queue.size()) - unclaimed);
        int room = Math.max(0, spec.ceiling() - total);
        int slots = Math.max(0, spec.maxConcurrent() - provisioning);
        boolean stopped = failures.inRow() >= FAILURE_LIMIT;
        Instant retryAt = failures.last() == null || failures.inRow() == 0 ? null : failures.last().plus(backoff(failures.inRow()));
        boolean backingOff = retryAt != null && now.isBefore(retryAt);
        int create = refusal != null || stopped || backingOff ? 0 : Math.min(need, Math.min(room, slots));
        if (full != null) {
            create = Math.min(create, Math.max(0, spec.size() - total)); // the warm pool's own allocation still holds size
        }

        // More than the pool keeps. Over its ceiling (size or maxSize went down): Available clusters go at once, the
        // newest ready first. More than size Available (claims that made it grow have ended): those idle for
        // SHRINK_AFTER go, so a burst of sessions does not provision the same clusters again and again. Claimed,
        // resetting and provisioning ones are left to finish, and counted once Available.
        int free = available.size() - binds.size();
        int overCeiling = Math.min(free, total - spec.ceiling());
        int idleBeyondSize = Math.min(free - Math.max(spec.size(), queue.size()), (int) available.subList(next, available.size()).stream()
                .filter(m -> m.since() != null && !now.isBefore(m.since().plus(SHRINK_AFTER))).count());
        int surplusCount = Math.max(overCeiling, idleBeyondSize);
        List<String> surplus = new ArrayList<>();
        for (int i = available.size() - 1; i >= next && surplus.size() < overCeiling; i--) {
            surplus.add(available.get(i).cluster());
        }
        // The idle ones: the longest idle go first (the newest ready are the least idle).
        for (int i = next; i < available.size() && surplus.size() < surplusCount; i++) {
            Member m = available.get(i);
            if (!surplus.contains(m.cluster()) && m.since() != null && !now.isBefore(m.since().plus(SHRINK_AFTER))) {
                surplus.add(m.cluster());
            }
        }

        // Clusters in Error are replaced after the back-off, unless the pool has stopped; resets that overran go to Error.
        List<String> replace = new ArrayList<>();
        if (!stopped && !backingOff) {
            members.stream().filter(m -> m.state() == State.ERROR).forEach(m -> replace.add(m.cluster()));
        }
        Duration resetTimeout = Durations.parse(spec.reset().timeout());
        List<String> timedOut = members.stream()
                .filter(m -> m.state() == State.RESETTING && m.since() != null && !now.isBefore(m.since().plus(resetTimeout)))
                .map(Member::cluster).toList();

        for (int i = 0; i < queue.size(); i++) {
            Claim c = queue.get(i);
            String why = refusal != null ? "the warm pool does not fit its capacity pool: " + refusal
                    : full != null && total >= spec.size() ? "no cluster of pool " + spec.pool() + " is available, and it cannot hold another: " + full
                    : stopped ? "the warm pool stopped replacing clusters after " + failures.inRow() + " failures in a row"
                    : "no cluster of pool " + spec.pool() + " is available";
            String inLine = i == 0 ? "waiting: " + why + "; this claim is next" : "waiting: " + why + "; " + i + " claims before this one";
            statuses.put(c.id(), new ClusterClaim.Status(null, ClusterClaim.Phase.PENDING, null, i, null, null, null, inLine,
                    boundCondition(false, "Waiting", inLine)));
        }
        // Claims already ended keep what their status says.
        for (Claim c : claims) {
            if (!statuses.containsKey(c.id()) && !c.deleting() && c.status() != null) {
                statuses.put(c.id(), c.status());
            }
        }

        int availableAfter = available.size() - binds.size();
        int claimedAfter = count(members, State.CLAIMED) - resets.size() + binds.size();
        List<Condition> conditions = new ArrayList<>();
        if (refusal != null) {
            conditions.add(condition("Ready", false, "PoolRefused", refusal, generation));
        } else if (stopped) {
            conditions.add(condition("Ready", false, "FailingRepeatedly", "stopped after " + failures.inRow()
                    + " failures in a row; the last: " + failures.message() + ". Change the spec to try again", generation));
        } else if (availableAfter >= spec.size()) {
            conditions.add(condition("Ready", true, "Filled", availableAfter + " of " + spec.size() + " clusters available", generation));
        } else {
            conditions.add(condition("Ready", false, backingOff ? "BackingOff" : "Filling", availableAfter + " of " + spec.size()
                    + " clusters available" + (backingOff ? "; after " + failures.inRow() + " failures, the next try is at " + retryAt : ""),
                    generation));
        }
        conditions.add(queue.isEmpty()
                ? condition("Exhausted", false, "ClustersAvailable", "no claim waits", generation)
                : condition("Exhausted", true, "ClaimsWaiting", queue.size() + (queue.size() == 1 ? " claim waits" : " claims wait")
                        + " for a cluster", generation));
        boolean atCeiling = !queue.isEmpty() && total >= spec.ceiling();
        conditions.add(refusal != null
                ? condition("CapacityPressure", true, "PoolRefused", refusal, generation)
                : full != null && !queue.isEmpty()
                ? condition("CapacityPressure", true, "PoolFull", "claims wait and pool " + spec.pool()
                        + " cannot hold another cluster: " + full, generation)
                : atCeiling
                ? condition("CapacityPressure", true, "AtMaxSize", "claims wait and the pool holds its most clusters, "
                        + spec.ceiling() + (spec.maxSize() == null ? " (set maxSize to provision more on demand)" : ""), generation)
                : condition("CapacityPressure", false, "BelowMaxSize", total + " of at most " + spec.ceiling() + " clusters", generation));

        List<WarmPool.Member> shown = new ArrayList<>();
        Map<String, Bind> bindOf = new HashMap<>();
        binds.forEach(b -> bindOf.put(b.cluster(), b));
        Map<String, Reset> resetOf = new HashMap<>();
        resets.forEach(r -> resetOf.put(r.cluster(), r));
        for (Member m : members.stream().sorted(Comparator.comparing(Member::cluster)).toList()) {
            Bind b = bindOf.get(m.cluster());
            Reset r = resetOf.get(m.cluster());
            if (b != null) {
                shown.add(new WarmPool.Member(m.cluster(), State.CLAIMED, b.session(), b.claim(), now.toString(), null));
            } else if (r != null) {
                shown.add(new WarmPool.Member(m.cluster(), State.RESETTING, null, null, now.toString(), r.reason()));
            } else {
                shown.add(new WarmPool.Member(m.cluster(), m.state(), m.session(), m.claim(),
                        m.since() == null ? null : m.since().toString(), m.message()));
            }
        }
        WarmPool.Status status = new WarmPool.Status(generation, availableAfter, claimedAfter, resetting,
                provisioning + create, count(members, State.ERROR), queue.stream().map(Claim::id).toList(), failures.inRow(),
                failures.message(), failures.last() == null ? null : failures.last().toString(), shown, conditions);
        return new Decisions(binds, resets, create, replace, surplus, timedOut, statuses, status);
    }

    /**
     * The failures in a row after this plan: each cluster that entered Error since the last one counted adds one; a
     * cluster that became Available since then ends the row; a new spec generation starts again from none.
     */
    static Failures failures(Long generation, List<Member> members, Failures before) {
        // A new spec: what failed before may work now (failures up to then are not counted again).
        Failures failures = before.generation() != null && generation != null && !before.generation().equals(generation)
                ? new Failures(0, before.last(), before.message(), generation) : before;
        for (Member m : members.stream().filter(m -> m.state() == State.ERROR && m.since() != null)
                .sorted(Comparator.comparing(Member::since)).toList()) {
            if (failures.last() == null || m.since().isAfter(failures.last())) {
                failures = new Failures(failures.inRow() + 1, m.since(), m.cluster() + ": " + m.message(), generation);
            }
        }
        Instant last = failures.last();
        boolean readySince = last != null && members.stream()
                .anyMatch(m -> m.state() == State.AVAILABLE && m.since() != null && m.since().isAfter(last));
        return readySince ? new Failures(0, last, failures.message(), generation) : failures;
    }

    /** The wait before replacing a cluster after {@code inRow} failures in a row: 10 s, doubling, at most 5 min. */
    public static Duration backoff(int inRow) {
        Duration d = FIRST_BACKOFF;
        for (int i = 1; i < inRow && d.compareTo(MAX_BACKOFF) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    /** The lifetime a claim gets: what it asks, else the pool's default, never over the pool's maximum. */
    public static Duration lifetime(WarmPool.Spec pool, ClusterClaim.Spec claim) {
        Duration maximum = Durations.parse(pool.claimLifetime().maximum());
        Duration asked = Durations.parse(claim.lifetime() != null ? claim.lifetime() : pool.claimLifetime().byDefault());
        return asked.compareTo(maximum) > 0 ? maximum : asked;
    }

    private static String lifetimeNote(Claim c, Duration maximum) {
        if (c.spec().lifetime() != null && Durations.parse(c.spec().lifetime()).compareTo(maximum) > 0) {
            return "bound; its lifetime " + c.spec().lifetime() + " is cut to the pool's maximum, " + Durations.format(maximum);
        }
        return "bound";
    }

    /** When a bound claim ends: as its status says once written, else from when its cluster was claimed. */
    private static Instant expiry(Claim c, Member m, WarmPool.Spec spec) {
        Optional<Instant> written = Optional.ofNullable(c.status()).map(ClusterClaim.Status::expiresAt).map(Instant::parse);
        return written.orElseGet(() -> (m.since() == null ? Instant.EPOCH : m.since()).plus(lifetime(spec, c.spec())));
    }

    /**
     * The statuses of claims that name a warm pool that is not there: one bound before has ended with its pool (whose
     * clusters went with it); any other waits, saying so, until a pool of that name is made. Claims that ended or are
     * being deleted are left as they are.
     */
    public static Map<String, ClusterClaim.Status> withoutPool(List<Claim> claims) {
        Map<String, ClusterClaim.Status> statuses = new LinkedHashMap<>();
        for (Claim c : claims) {
            if (c.deleting() || hasEnded(c)) {
                continue;
            }
            String pool = c.spec().pool();
            if (wasBound(c)) {
                statuses.put(c.id(), ended(c, null, ClusterClaim.Phase.EXPIRED, "its warm pool " + pool + " is gone, and its cluster "
                        + c.status().cluster() + " with it"));
            } else {
                String message = "there is no warm pool named " + pool + "; the claim waits until one is made";
                statuses.put(c.id(), new ClusterClaim.Status(null, ClusterClaim.Phase.PENDING, null, null, null, null, null, message,
                        boundCondition(false, "NoSuchPool", message)));
            }
        }
        return statuses;
    }

    private static boolean wasBound(Claim c) {
        return c.status() != null && c.status().phase() == ClusterClaim.Phase.BOUND && c.status().cluster() != null;
    }

    private static boolean hasEnded(Claim c) {
        ClusterClaim.Phase phase = c.status() == null ? null : c.status().phase();
        return phase == ClusterClaim.Phase.RELEASED || phase == ClusterClaim.Phase.EXPIRED;
    }

    private static String session(Claim c) {
        return c.spec().session() != null ? c.spec().session() : c.id().substring(c.id().indexOf('/') + 1);
    }

    /** The name of the Secret beside a claim that holds its kubeconfig. */
    public static String kubeconfigSecret(String claimName) {
        return claimName + "-kubeconfig";
    }

    private static ClusterClaim.Status bound(Claim c, String cluster, Instant since, Instant expires, String message) {
        String name = c.id().substring(c.id().indexOf('/') + 1);
        ClusterClaim.Status before = c.status();
        String boundAt = before != null && cluster.equals(before.cluster()) && before.boundAt() != null ? before.boundAt()
                : since == null ? null : since.toString();
        return new ClusterClaim.Status(null, ClusterClaim.Phase.BOUND, cluster, null, boundAt, expires.toString(),
                kubeconfigSecret(name), message, boundCondition(true, "Bound", "bound to " + cluster + " until " + expires
                        + "; its kubeconfig is in Secret " + kubeconfigSecret(name)));
    }

    /** A claim's one condition, Bound, for kubectl wait --for=condition=Bound and its events. */
    private static List<Condition> boundCondition(boolean bound, String reason, String message) {
        return List.of(condition("Bound", bound, reason, message, null));
    }

    private static ClusterClaim.Status released(Claim c, Member m) {
        return ended(c, m, ClusterClaim.Phase.RELEASED, "released; its cluster is being reset for the next claim");
    }

    private static ClusterClaim.Status expired(Claim c, Member m, Instant expires) {
        return ended(c, m, ClusterClaim.Phase.EXPIRED, "expired at " + expires + "; its cluster is being reset");
    }

    private static ClusterClaim.Status ended(Claim c, Member m, ClusterClaim.Phase phase, String message) {
        ClusterClaim.Status before = c.status() == null ? ClusterClaim.Status.EMPTY : c.status();
        return new ClusterClaim.Status(null, phase, m == null ? before.cluster() : m.cluster(), null, before.boundAt(),
                before.expiresAt(), null, message, boundCondition(false, phase.wire(), message));
    }

    private static int count(List<Member> members, State state) {
        return (int) members.stream().filter(m -> m.state() == state).count();
    }

    private static Condition condition(String type, boolean status, String reason, String message, Long generation) {
        return new Condition(type, status ? "True" : "False", reason, message, null, generation);
    }
}
