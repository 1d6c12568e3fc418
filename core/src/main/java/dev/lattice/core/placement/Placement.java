package dev.lattice.core.placement;

import java.util.List;

/**
 * The decision for one service: the cluster it goes to with the score that chose it, or why it cannot go
 * anywhere ({@code reason} is a CamelCase condition reason, {@code message} says what to create).
 */
public record Placement(
        String service,
        String namespace,
        Phase phase,
        String cluster,
        double score,
        Scores scores,
        String reason,
        String message,
        List<Candidate> candidates,
        List<Rejection> rejected,
        Move move) {

    public Placement(String service, String namespace, Phase phase, String cluster, double score, Scores scores,
                     String reason, String message, List<Candidate> candidates, List<Rejection> rejected) {
        this(service, namespace, phase, cluster, score, scores, reason, message, candidates, rejected, null);
    }

    public enum Phase { Scheduled, Unschedulable }

    /** The reasons a service is Unschedulable. */
    public static final String NO_MATCHING_CLUSTER = "NoMatchingCluster";
    public static final String INSUFFICIENT_CAPACITY = "InsufficientCapacity";
    public static final String INSUFFICIENT_GPUS = "InsufficientGpus";
    public static final String NO_AUTOSCALER = "NoAutoscaler";
    public static final String MAX_SERVICES_REACHED = "MaxServicesReached";
    public static final String VOLUME_OWNER_UNPLACED = "VolumeOwnerUnplaced";
    public static final String VOLUME_OWNER_ELSEWHERE = "VolumeOwnerElsewhere";
    /** Every cluster that would match was refused by its pool (over capacity or budget, a Dedicated pool taken). */
    public static final String CLUSTER_REFUSED = "ClusterRefused";
    /** The cluster a service was on is no longer among the clusters. */
    public static final String CLUSTER_GONE = "ClusterGone";

    /** The reasons a cluster was not a candidate, in --explain. */
    public static final String RULE_NOT_SATISFIED = "PlacementRuleNotSatisfied";
    public static final String RULE_FAILED = "PlacementRuleFailed";

    /** Score terms, each in [0, 1]. */
    public record Scores(double capacity, double locality, double cost) {
    }

    /** A cluster that could take the service, with its score. */
    public record Candidate(String cluster, double score, Scores scores) {
    }

    /** A cluster that could not, and why. */
    public record Rejection(String cluster, String reason, String message) {
    }

    /**
     * A service that was placed before ({@code status.cluster}) and leaves that cluster: where from, and why it could
     * not stay there (one of the reasons above). A placed service stays put while its cluster can hold it.
     */
    public record Move(String from, String reason, String message) {
    }

    /** The same decision, leaving {@code from} for the reason given. */
    public Placement movedFrom(Move why) {
        return new Placement(service, namespace, phase, cluster, score, scores, reason, message, candidates, rejected, why);
    }

    public boolean scheduled() {
        return phase == Phase.Scheduled;
    }
}
