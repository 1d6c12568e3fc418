package dev.lattice.engine.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Objects;

/** Where an object is: its API version, kind, namespace (null for a cluster-wide one) and name. */
public record Coordinates(String apiVersion, String kind, String namespace, String name) {
    public static Coordinates of(HasMetadata object) {
        return new Coordinates(object.getApiVersion(), object.getKind(), object.getMetadata().getNamespace(), object.getMetadata().getName());
    }

    // Written out: a daemon compiling with C1 alone pays for a record's method-handle equals and hashCode on each of the
    // hundreds of thousands of set operations a pass over a fleet's objects makes.
    @Override
    public boolean equals(Object o) {
        return o instanceof Coordinates c && Objects.equals(name, c.name) && Objects.equals(namespace, c.namespace)
                && Objects.equals(kind, c.kind) && Objects.equals(apiVersion, c.apiVersion);
    }

    @Override
    public int hashCode() {
        return ((Objects.hashCode(apiVersion) * 31 + Objects.hashCode(kind)) * 31 + Objects.hashCode(namespace)) * 31 + Objects.hashCode(name);
    }

    /** {@code Kind namespace/name}, as messages name it. */
    @Override
    public String toString() {
        return kind + " " + (namespace == null ? "" : namespace + "/") + name;
    }
}
