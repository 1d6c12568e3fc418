package dev.lattice.core.model;

/** A status condition in the shape of Kubernetes' metav1.Condition. */
public record Condition(
        @Field(required = true, maxLength = 316) String type,
        @Field(required = true, doc = "True, False or Unknown.") String status,
        @Field(doc = "CamelCase reason for the last transition.") String reason,
        @Field(maxLength = Condition.MAX_MESSAGE) String message,
        @Field(doc = "RFC 3339 time of the last status change.") String lastTransitionTime,
        Long observedGeneration) {
    /** Most characters of a status message, as metav1.Condition allows. */
    public static final int MAX_MESSAGE = 32768;

    public Condition {
        message = bounded(message);
    }

    /** A status message cut to what the API server and our own parser accept, so status we write reads back. */
    public static String bounded(String message) {
        if (message == null || message.length() <= MAX_MESSAGE) {
            return message;
        }
        String cut = " ... (cut)";
        return message.substring(0, MAX_MESSAGE - cut.length()) + cut;
    }
}
