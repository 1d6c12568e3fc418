package dev.lattice.core.model;

/** A status condition in the shape of Kubernetes' metav1.Condition. */
public record Condition(
        @Field(required = true) String type,
        @Field(required = true, doc = "True, False or Unknown.") String status,
        @Field(doc = "CamelCase reason for the last transition.") String reason,
        String message,
        @Field(doc = "RFC 3339 time of the last status change.") String lastTransitionTime,
        Long observedGeneration) {
}
