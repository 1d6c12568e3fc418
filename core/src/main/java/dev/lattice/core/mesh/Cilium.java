package dev.lattice.core.mesh;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

/** The parts of Cilium's {@code CiliumNetworkPolicy} (cilium.io/v2) that Lattice writes. */
public final class Cilium {
    public static final String API = "cilium.io/v2";
    public static final String NETWORK_POLICY = "CiliumNetworkPolicy";

    private Cilium() {
    }

    /** Which endpoints the policy is about, and the traffic they may send and receive. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PolicySpec(LabelSelector endpointSelector, DefaultDeny enableDefaultDeny, List<IngressRule> ingress,
                             List<EgressRule> egress) {
    }

    /** Whether the selected endpoints deny in each direction what no rule allows. */
    public record DefaultDeny(boolean ingress, boolean egress) {
    }

    /**
     * From these endpoints, entities ({@code host}: the node itself) or addresses, to these ports (any, when none are
     * named). A rule that names no source admits nothing.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record IngressRule(List<LabelSelector> fromEndpoints, List<String> fromEntities, @JsonProperty("fromCIDR") List<String> fromCidr,
                              List<PortRule> toPorts) {
        static IngressRule fromEndpoints(List<LabelSelector> endpoints, List<PortRule> ports) {
            return new IngressRule(endpoints, null, null, ports);
        }
    }

    /** To these endpoints, addresses or names, on these ports. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EgressRule(List<LabelSelector> toEndpoints, @JsonProperty("toCIDR") List<String> toCidr,
                             @JsonProperty("toFQDNs") List<FqdnSelector> toFqdns, List<PortRule> toPorts) {
        static EgressRule toEndpoints(List<LabelSelector> endpoints, List<PortRule> ports) {
            return new EgressRule(endpoints, null, null, ports);
        }
    }

    /** Ports, and the L7 rules (DNS) traffic to them must follow. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PortRule(List<PortProtocol> ports, L7Rules rules) {
    }

    /** A port (as a string, as Cilium's schema has it) and its protocol (TCP, UDP, ANY). */
    public record PortProtocol(String port, String protocol) {
    }

    public record L7Rules(List<DnsRule> dns) {
    }

    public record DnsRule(String matchPattern) {
    }

    public record FqdnSelector(String matchName) {
    }
}
