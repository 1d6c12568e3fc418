package dev.lattice.core.model;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;

/** The part of Kubernetes object metadata that Lattice reads and writes. */
public record ObjectMeta(
        @Field(required = true, doc = "Name of the object, a DNS-1123 label.") String name,
        @Field(doc = "Namespace of a namespaced object; defaults to \"default\".") String namespace,
        Map<String, String> labels,
        Map<String, String> annotations,
        @Field(doc = "Set by the API server.") String uid,
        @Field(name = "resourceVersion", doc = "Set by the API server.") String resourceVersion,
        @Field(doc = "Set by the API server; status.observedGeneration follows it.") Long generation,
        @Field(name = "creationTimestamp", doc = "Set by the API server (RFC 3339); pools account clusters in this order.")
        String creationTimestamp) {

    public static final String DEFAULT_NAMESPACE = "default";

    public ObjectMeta {
        labels = Immutable.map(labels);
        annotations = Immutable.map(annotations);
    }

    /** When the API server created the object, or null for an object not yet created (or a timestamp it did not write). */
    public Instant created() {
        return instant(creationTimestamp);
    }

    /** A time as the API server writes it (RFC 3339), or null for none or one that does not read. */
    public static Instant instant(String rfc3339) {
        if (rfc3339 == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(rfc3339).toInstant();
        } catch (DateTimeException e) {
            return null;
        }
    }

    public ObjectMeta withNamespace(String ns) {
        return new ObjectMeta(name, ns, labels, annotations, uid, resourceVersion, generation, creationTimestamp);
    }
}
