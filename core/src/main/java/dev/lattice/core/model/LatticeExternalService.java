package dev.lattice.core.model;

import java.util.List;
import java.util.Map;

/** An endpoint outside the mesh, and the services allowed to call it. */
public record LatticeExternalService(ObjectMeta metadata, Spec spec, Status status) implements LatticeObject {

    public LatticeExternalService {
        status = status == null ? Status.EMPTY : status;
    }

    @Override
    public Kind kind() {
        return Kind.LATTICE_EXTERNAL_SERVICE;
    }

    public record Spec(
            @Field(required = true, doc = "Endpoint URLs by name, e.g. https://api.stripe.com:443.") Map<String, String> endpoints,
            @Field(name = "allowed_requesters", aliases = "allowedRequesters", doc = "Services that may call it.")
            List<String> allowedRequesters) {
        public Spec {
            endpoints = Immutable.map(endpoints);
            allowedRequesters = Immutable.list(allowedRequesters);
        }
    }

    public record Status(@Field(name = "observedGeneration") Long observedGeneration, String phase, List<Condition> conditions) {
        public static final Status EMPTY = new Status(null, null, List.of());

        public Status {
            conditions = Immutable.list(conditions);
        }
    }
}
