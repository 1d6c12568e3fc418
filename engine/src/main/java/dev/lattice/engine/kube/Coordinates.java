package dev.lattice.engine.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Where an object is: its API version, kind, namespace (null for a cluster-wide one) and name. */
public record Coordinates(String apiVersion, String kind, String namespace, String name) {
    public static Coordinates of(HasMetadata object) {
        return new Coordinates(object.getApiVersion(), object.getKind(), object.getMetadata().getNamespace(), object.getMetadata().getName());
    }

    /** {@code Kind namespace/name}, as messages name it. */
    @Override
    public String toString() {
        return kind + " " + (namespace == null ? "" : namespace + "/") + name;
    }
}
