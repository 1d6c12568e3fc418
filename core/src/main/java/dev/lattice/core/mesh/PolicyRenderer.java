package dev.lattice.core.mesh;

import static dev.lattice.core.render.Tree.map;

import dev.lattice.core.graph.ServiceGraph.ServiceId;
import dev.lattice.core.model.LatticeService;
import dev.lattice.core.render.Tree;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The zero-trust policy of a service graph: Cilium at L4 (who may open a connection to which port) and Istio
 * at L7 (which mesh identity may call), both over a per-namespace baseline that denies everything else.
 */
final class PolicyRenderer {
    static final String DEFAULT_DENY = "lattice-default-deny";
    static final String CILIUM = "cilium.io/v2";
    static final String ISTIO_SECURITY = "security.istio.io/v1";
    static final String ISTIO_NETWORKING = "networking.istio.io/v1";
    static final String NAMESPACE_LABEL = "k8s:io.kubernetes.pod.namespace";
    /** Cilium's label for the cluster an endpoint runs in, across a cluster mesh. */
    static final String CLUSTER_LABEL = "io.cilium.k8s.policy.cluster";
    /**
     * Istio ambient carries a mesh connection over HBONE to this port of the destination pod, so the L4 rule
     * that admits a caller must admit it here too; which caller it is stays checked by the endpoint selector.
     */
    static final Port HBONE = new Port(15008, "TCP");

    /** A port a pod listens on. */
    record Port(int number, String protocol) implements Comparable<Port> {
        @Override
        public int compareTo(Port o) {
            int c = Integer.compare(number, o.number);
            return c != 0 ? c : protocol.compareTo(o.protocol);
        }
    }

    /** A peer service and, when it runs in another cluster than the policy's, that cluster. */
    record Peer(ServiceId id, String remoteCluster) {
    }

    private PolicyRenderer() {
    }

    /** The ports a service's pods listen on: its containers' ports and its Service's target ports. */
    static List<Port> ports(LatticeService s) {
        TreeSet<Port> ports = new TreeSet<>();
        s.spec().containers().values().forEach(c -> c.ports().values().forEach(p -> ports.add(new Port(p.port(), p.protocol().wire()))));
        if (s.spec().service() != null) {
            s.spec().service().ports().values().forEach(p -> ports.add(
                    new Port(p.targetPort() != null ? p.targetPort() : p.port(), p.protocol().wire())));
        }
        return List.copyOf(ports);
    }

    /**
     * Cilium: every pod of the namespace denies all ingress and all egress except DNS (through Cilium's DNS
     * proxy, which the FQDN egress rules need). Istio: an allow-nothing policy for the namespace.
     */
    static List<Map<String, Object>> baseline(String namespace) {
        Map<String, Object> cilium = Tree.object(CILIUM, "CiliumNetworkPolicy", namespace, DEFAULT_DENY, managed());
        cilium.put("spec", map(
                "endpointSelector", Map.of(),
                "enableDefaultDeny", map("ingress", true, "egress", true),
                "ingress", List.of(Map.of()),
                "egress", List.of(map(
                        "toEndpoints", List.of(map("matchLabels", map(
                                NAMESPACE_LABEL, "kube-system",
                                "k8s:k8s-app", "kube-dns"))),
                        "toPorts", List.of(map(
                                "ports", List.of(map("port", "53", "protocol", "ANY")),
                                "rules", map("dns", List.of(map("matchPattern", "*")))))))));
        Map<String, Object> istio = Tree.object(ISTIO_SECURITY, "AuthorizationPolicy", namespace, DEFAULT_DENY, managed());
        istio.put("spec", Map.of());
        return List.of(cilium, istio);
    }

    /** Cilium ingress for a callee: its agreed callers, to its ports. */
    static Map<String, Object> ciliumIngress(LatticeService callee, List<Peer> callers) {
        Map<String, Object> policy = Tree.object(CILIUM, "CiliumNetworkPolicy", callee.metadata().namespace(),
                KubeNames.derived(callee.name(), "ingress"), WorkloadRenderer.labels(callee.name()));
        policy.put("spec", map(
                "endpointSelector", selects(callee.name()),
                "ingress", List.of(map(
                        "fromEndpoints", callers.stream().map(PolicyRenderer::endpoint).toList(),
                        "toPorts", toPorts(ports(callee), true)))));
        return policy;
    }

    /** Cilium egress for a caller: to each agreed callee's ports, and to each agreed external endpoint. */
    static Map<String, Object> ciliumEgress(LatticeService caller, List<Peer> callees, Map<ServiceId, LatticeService> services,
            List<ExternalEndpoint> externals) {
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Peer callee : callees) {
            rules.add(map(
                    "toEndpoints", List.of(endpoint(callee)),
                    "toPorts", toPorts(ports(services.get(callee.id())), true)));
        }
        for (ExternalEndpoint e : externals) {
            rules.add(map(
                    e.ipAddress() ? "toCIDR" : "toFQDNs", e.ipAddress() ? List.of(e.cidr()) : List.of(map("matchName", e.host())),
                    "toPorts", toPorts(List.of(new Port(e.port(), "TCP")), false)));
        }
        Map<String, Object> policy = Tree.object(CILIUM, "CiliumNetworkPolicy", caller.metadata().namespace(),
                KubeNames.derived(caller.name(), "egress"), WorkloadRenderer.labels(caller.name()));
        policy.put("spec", map("endpointSelector", selects(caller.name()), "egress", rules));
        return policy;
    }

    /** Istio: the callee's pods accept its agreed callers' mesh identities, on its ports. */
    static Map<String, Object> istioAllow(LatticeService callee, List<ServiceId> callers, String trustDomain) {
        List<String> principals = callers.stream().map(c -> principal(trustDomain, c)).toList();
        List<String> ports = ports(callee).stream().map(p -> String.valueOf(p.number())).distinct().toList();
        Map<String, Object> policy = Tree.object(ISTIO_SECURITY, "AuthorizationPolicy", callee.metadata().namespace(),
                KubeNames.derived(callee.name(), "allow"), WorkloadRenderer.labels(callee.name()));
        policy.put("spec", map(
                "selector", selects(callee.name()),
                "action", "ALLOW",
                "rules", List.of(map(
                        "from", List.of(map("source", map("principals", principals))),
                        "to", ports.isEmpty() ? null : List.of(map("operation", map("ports", ports)))))));
        return policy;
    }

    /** The SPIFFE identity Istio gives a service's pods (their ServiceAccount is named after the service). */
    static String principal(String trustDomain, ServiceId service) {
        return trustDomain + "/ns/" + service.namespace() + "/sa/" + service.name();
    }

    /** Istio: one external endpoint made known to the mesh, visible in its own namespace only. */
    static Map<String, Object> serviceEntry(ServiceId external, ExternalEndpoint e) {
        Map<String, Object> entry = Tree.object(ISTIO_NETWORKING, "ServiceEntry", external.namespace(),
                KubeNames.derived(external.name(), e.name()), managed());
        String portName = e.istioProtocol().toLowerCase(java.util.Locale.ROOT) + "-" + e.port();
        entry.put("spec", map(
                "hosts", List.of(e.ipAddress() ? e.name() + "." + external.name() + "." + external.namespace() + ".external" : e.host()),
                "addresses", e.ipAddress() ? List.of(e.cidr()) : null,
                "ports", List.of(map("number", e.port(), "name", portName, "protocol", e.istioProtocol())),
                "location", "MESH_EXTERNAL",
                "resolution", e.ipAddress() ? "STATIC" : "DNS",
                "endpoints", e.ipAddress() ? List.of(map("address", e.host())) : null,
                "exportTo", List.of(".")));
        return entry;
    }

    private static Map<String, Object> selects(String service) {
        return map("matchLabels", Map.of(WorkloadRenderer.NAME_LABEL, service));
    }

    private static Map<String, Object> endpoint(Peer peer) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(WorkloadRenderer.NAME_LABEL, peer.id().name());
        labels.put(NAMESPACE_LABEL, peer.id().namespace());
        if (peer.remoteCluster() != null) {
            labels.put(CLUSTER_LABEL, peer.remoteCluster());
        }
        return map("matchLabels", labels);
    }

    /** Cilium toPorts for these ports; none (any port) when a service declares none. */
    private static List<Map<String, Object>> toPorts(List<Port> ports, boolean inMesh) {
        if (ports.isEmpty()) {
            return null;
        }
        List<Port> all = new ArrayList<>(ports);
        if (inMesh && !all.contains(HBONE)) {
            all.add(HBONE);
        }
        return List.of(map("ports", all.stream().map(p -> map("port", String.valueOf(p.number()), "protocol", p.protocol())).toList()));
    }

    private static Map<String, String> managed() {
        return Map.of(WorkloadRenderer.MANAGED_BY_LABEL, WorkloadRenderer.MANAGER);
    }
}
