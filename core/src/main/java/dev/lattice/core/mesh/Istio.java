package dev.lattice.core.mesh;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/** The parts of Istio's {@code AuthorizationPolicy} and {@code ServiceEntry} that Lattice writes. */
public final class Istio {
    public static final String SECURITY = "security.istio.io/v1";
    public static final String NETWORKING = "networking.istio.io/v1";
    public static final String AUTHORIZATION_POLICY = "AuthorizationPolicy";
    public static final String SERVICE_ENTRY = "ServiceEntry";

    private Istio() {
    }

    /** Which workloads the policy guards, and who may call them; an empty spec allows nothing. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AuthorizationPolicySpec(WorkloadSelector selector, String action, List<Rule> rules) {
        static final AuthorizationPolicySpec ALLOW_NOTHING = new AuthorizationPolicySpec(null, null, null);
    }

    public record WorkloadSelector(Map<String, String> matchLabels) {
    }

    /** Requests from these sources to these operations. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Rule(List<From> from, List<To> to) {
    }

    public record From(Source source) {
    }

    public record Source(List<String> principals) {
    }

    public record To(Operation operation) {
    }

    public record Operation(List<String> ports) {
    }

    /** An endpoint outside the mesh made known to it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ServiceEntrySpec(List<String> hosts, List<String> addresses, List<Port> ports, String location, String resolution,
                                   List<Endpoint> endpoints, List<String> exportTo) {
    }

    public record Port(int number, String name, String protocol) {
    }

    public record Endpoint(String address) {
    }
}
