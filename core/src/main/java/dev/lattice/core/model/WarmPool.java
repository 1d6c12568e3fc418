package dev.lattice.core.model;

import java.util.List;

/**
 * Ready clusters kept warm for sessions to claim in seconds ({@link ClusterClaim}): {@code size} LatticeClusters made
 * from one template, drawing on a capacity pool like any other cluster, each Available, Claimed, Resetting after use,
 * Provisioning, or in Error. A claimed cluster is reset to the baseline recorded when it first became ready, or
 * recreated, before it is offered again.
 */
public record WarmPool(ObjectMeta metadata, Spec spec, Status status) implements LatticeObject {
    /** On each LatticeCluster of a warm pool: the pool's name. Such a cluster takes no services; it is a session's. */
    public static final String MEMBER_LABEL = "lattice.dev/warm-pool";

    public WarmPool {
        status = status == null ? Status.EMPTY : status;
    }

    @Override
    public Kind kind() {
        return Kind.WARM_POOL;
    }

    public record Spec(
            @Field(required = true, min = 0, max = 1000, doc = "Ready clusters to keep available.") Integer size,
            @Field(min = 0, max = 1000, doc = "Most clusters at once, claimed ones included; default size. Between size and "
                    + "maxSize, clusters are provisioned on demand for claims that wait.") Integer maxSize,
            @Field(required = true, format = Field.Format.DNS_LABEL, doc = "The StaticPool or CloudPool the clusters draw on.") String pool,
            @Field(required = true, doc = "The spec of each cluster (a LatticeCluster spec); its pool is the warm pool's.")
            LatticeCluster.Spec template,
            @Field(doc = "How a released cluster is made clean again; default Clean within 10m.") Reset reset,
            @Field(doc = "How long a claim holds its cluster: default 2h, at most 24h unless set.") Lifetime claimLifetime,
            @Field(min = 1, max = 100, doc = "Clusters provisioned at once; default 2.") Integer maxConcurrent) {
        public static final int DEFAULT_MAX_CONCURRENT = 2;

        public Spec {
            reset = reset == null ? Reset.DEFAULT : reset;
            claimLifetime = claimLifetime == null ? Lifetime.DEFAULT : claimLifetime;
            maxConcurrent = maxConcurrent == null ? DEFAULT_MAX_CONCURRENT : maxConcurrent;
        }

        /** The most clusters the pool holds at once: maxSize, or size when none is set. */
        public int ceiling() {
            return maxSize == null ? size : Math.max(size, maxSize);
        }
    }

    /** How a cluster is made ready for its next claim. */
    public enum ResetStrategy implements Wire {
        /** Remove what the session added, measured against the baseline inventory, and verify it. */
        CLEAN("Clean"),
        /** Delete the cluster and provision a new one in the background. */
        RECREATE("Recreate"),
        /** Roll the machines back to a snapshot taken at the baseline, where the provider can (Proxmox, KubeVirt). */
        SNAPSHOT("Snapshot");

        private final String wire;

        ResetStrategy(String wire) {
            this.wire = wire;
        }

        @Override
        public String wire() {
            return wire;
        }
    }

    public record Reset(
            @Field(doc = "Clean (default), Recreate, or Snapshot (a proxmox pool's VMs rolled back).") ResetStrategy strategy,
            @Field(doc = "How long a reset may take before its cluster goes to Error, as 10m; default 10m.") String timeout) {
        public static final String DEFAULT_TIMEOUT = "10m";
        public static final Reset DEFAULT = new Reset(null, null);

        public Reset {
            strategy = strategy == null ? ResetStrategy.CLEAN : strategy;
            timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        }
    }

    public record Lifetime(
            @Field(name = "default", doc = "A claim's lifetime when it names none, as 2h; default 2h.") String byDefault,
            @Field(doc = "The longest lifetime a claim may ask for, as 8h; default 24h.") String maximum) {
        public static final String DEFAULT_LIFETIME = "2h";
        public static final String DEFAULT_MAXIMUM = "24h";
        public static final Lifetime DEFAULT = new Lifetime(null, null);

        public Lifetime {
            byDefault = byDefault == null ? DEFAULT_LIFETIME : byDefault;
            maximum = maximum == null ? DEFAULT_MAXIMUM : maximum;
        }
    }

    /** A cluster's place in the pool's cycle. */
    public enum State implements Wire {
        PROVISIONING("Provisioning"), AVAILABLE("Available"), CLAIMED("Claimed"), RESETTING("Resetting"), ERROR("Error");

        private final String wire;

        State(String wire) {
            this.wire = wire;
        }

        @Override
        public String wire() {
            return wire;
        }
    }

    /** One cluster of the pool as the status shows it. */
    public record Member(
            @Field(required = true) String cluster,
            @Field(required = true, doc = "Provisioning, Available, Claimed, Resetting or Error.") State state,
            @Field(doc = "The session holding it, while Claimed.") String session,
            @Field(doc = "The claim holding it, as namespace/name, while Claimed.") String claim,
            @Field(doc = "RFC 3339 time it entered its state.") String since,
            @Field(maxLength = Condition.MAX_MESSAGE, doc = "Why it is in Error, or what its reset is doing.") String message) {
    }

    public record Status(
            Long observedGeneration,
            Integer available,
            Integer claimed,
            Integer resetting,
            Integer provisioning,
            Integer error,
            @Field(doc = "Claims waiting for a cluster, oldest first, as namespace/name.") List<String> queue,
            @Field(doc = "Failures in a row of provisioning or reset; at the limit the pool stops replacing clusters.")
            Integer consecutiveFailures,
            @Field(maxLength = Condition.MAX_MESSAGE, doc = "The last failure's diagnostics.") String lastFailure,
            @Field(doc = "RFC 3339 time of the last failure.") String lastFailureTime,
            List<Member> clusters,
            List<Condition> conditions) {
        public static final Status EMPTY = new Status(null, null, null, null, null, null, List.of(), null, null, null, List.of(), List.of());

        public Status {
            queue = Immutable.list(queue);
            clusters = Immutable.list(clusters);
            conditions = Immutable.list(conditions);
        }
    }
}
