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
        List<Rejection> rejected) {

    public enum Phase { Scheduled, Unschedulable }

    /** The reasons a service is Unschedulable. */
    public static final String NO_MATCHING_CLUSTER = "NoMatchingCluster";
    public static final String INSUFFICIENT_CAPACITY = "InsufficientCapacity";
    public static final String MAX_SERVICES_REACHED = "MaxServicesReached";
    public static final String VOLUME_OWNER_UNPLACED = "VolumeOwnerUnplaced";
    public static final String VOLUME_OWNER_ELSEWHERE = "VolumeOwnerElsewhere";

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

    public boolean scheduled() {
        return phase == Phase.Scheduled;
    }
}
