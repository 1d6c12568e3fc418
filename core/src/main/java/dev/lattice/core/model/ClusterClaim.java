package dev.lattice.core.model;

import java.util.List;

/**
 * A session's hold on one cluster of a {@link WarmPool}: bound at once to the pool's oldest ready cluster, or queued
 * in order when none is, with a kubeconfig minted for this claim alone (in a Secret beside it) that stops working
 * when the claim is released or expires. Releasing (or deleting) a claim sends its cluster to be reset, never
 * destroyed.
 */
public record ClusterClaim(ObjectMeta metadata, Spec spec, Status status) implements LatticeObject {

    public ClusterClaim {
        status = status == null ? Status.EMPTY : status;
    }

    @Override
    public Kind kind() {
        return Kind.CLUSTER_CLAIM;
    }

    public record Spec(
            @Field(required = true, format = Field.Format.DNS_LABEL, doc = "The WarmPool to claim a cluster from.") String pool,
            @Field(maxLength = 253, doc = "Who holds the cluster; default the claim's name.") String session,
            @Field(doc = "How long to hold the cluster, as 2h; default the pool's, at most its maximum.") String lifetime,
            @Field(doc = "Set to give the cluster back (lattice claim release): it is reset for the next claim.") Boolean released) {
        public Spec {
            released = released != null && released;
        }
    }

    /** Where a claim is in its life. */
    public enum Phase implements Wire {
        PENDING("Pending"), BOUND("Bound"), RELEASED("Released"), EXPIRED("Expired");

        private final String wire;

        Phase(String wire) {
            this.wire = wire;
        }

        @Override
        public String wire() {
            return wire;
        }
    }

    public record Status(
            Long observedGeneration,
            @Field(doc = "Pending, Bound, Released or Expired.") Phase phase,
            @Field(doc = "The bound cluster.") String cluster,
            @Field(doc = "While Pending: how many claims wait before this one (0: next).") Integer position,
            @Field(doc = "RFC 3339 time it was bound.") String boundAt,
            @Field(doc = "RFC 3339 time it expires and its cluster is reset.") String expiresAt,
            @Field(doc = "The Secret beside the claim that holds its kubeconfig (key: kubeconfig).") String kubeconfigSecret,
            @Field(maxLength = Condition.MAX_MESSAGE) String message,
            List<Condition> conditions) {
        public static final Status EMPTY = new Status(null, null, null, null, null, null, null, null, List.of());

        public Status {
            conditions = Immutable.list(conditions);
        }
    }
}
