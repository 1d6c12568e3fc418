package dev.lattice.core.render;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.Objects;

/**
 * An object of a kind fabric8 has no model for (Cluster API, Cilium, Istio): its head as any Kubernetes object has
 * it, and a typed spec of the kind's own records. Written through Jackson like fabric8's own types.
 *
 * @param <S> the kind's spec; null for a kind without one
 */
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "spec"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class CustomObject<S> implements HasMetadata {
    private String apiVersion;
    private final String kind;
    private ObjectMeta metadata;
    private final S spec;

    public CustomObject(String apiVersion, String kind, ObjectMeta metadata, S spec) {
        this.apiVersion = Objects.requireNonNull(apiVersion);
        this.kind = Objects.requireNonNull(kind);
        this.metadata = Objects.requireNonNull(metadata);
        this.spec = spec;
    }

    @Override
    public String getApiVersion() {
        return apiVersion;
    }

    @Override
    public void setApiVersion(String apiVersion) {
        this.apiVersion = apiVersion;
    }

    @Override
    public String getKind() {
        return kind;
    }

    @Override
    public ObjectMeta getMetadata() {
        return metadata;
    }

    @Override
    public void setMetadata(ObjectMeta metadata) {
        this.metadata = metadata;
    }

    public S getSpec() {
        return spec;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CustomObject<?> c && apiVersion.equals(c.apiVersion) && kind.equals(c.kind)
                && metadata.equals(c.metadata) && Objects.equals(spec, c.spec);
    }

    @Override
    public int hashCode() {
        return Objects.hash(apiVersion, kind, metadata, spec);
    }

    @Override
    public String toString() {
        return kind + "/" + metadata.getName();
    }
}
