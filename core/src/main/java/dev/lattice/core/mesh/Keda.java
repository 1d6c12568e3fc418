package dev.lattice.core.mesh;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/** The parts of KEDA's {@code ScaledObject} that Lattice writes. */
public final class Keda {
    public static final String API_VERSION = "keda.sh/v1alpha1";
    public static final String SCALED_OBJECT = "ScaledObject";

    private Keda() {
    }

    /** Which Deployment to scale, between how many replicas, on what. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ScaledObjectSpec(ScaleTargetRef scaleTargetRef, Integer minReplicaCount, Integer maxReplicaCount, List<Trigger> triggers) {
    }

    /** A Deployment in the ScaledObject's namespace. */
    public record ScaleTargetRef(String name) {
    }

    /** One scaler: its type, for CPU the kind of target, and its settings (all strings, as KEDA reads them). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Trigger(String type, String metricType, Map<String, String> metadata) {
    }
}
