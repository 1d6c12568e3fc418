package dev.lattice.core.mesh;

import dev.lattice.core.graph.ServiceGraph.ServiceId;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.LatticeService;
import dev.lattice.core.render.CustomObject;
import dev.lattice.core.render.Manifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The zero-trust policy of a service graph: Cilium at L4 (who may open a connection to which port) and Istio
 * at L7 (which mesh identity may call), both over a per-namespace baseline that denies everything else.
 */
final class PolicyRenderer {
    static final String DEFAULT_DENY = "lattice-default-deny";
    static final String NAMESPACE_LABEL = "k8s:io.kubernetes.pod.namespace";
    /** Cilium's label for the cluster an endpoint runs in, across a cluster mesh. */
    static final String CLUSTER_LABEL = "io.cilium.k8s.policy.cluster";
    /**
     * Istio ambient carries a mesh connection over HBONE to this port of the destination pod, so the L4 rule
     * that admits a caller must admit it here too; which caller it is stays checked by the endpoint selector.
     */
    static final Port HBONE = new Port(15008, "TCP");
    /** Where Istio ambient's CNI makes the kubelet's probes come from, so that ztunnel can tell them apart. */
    static final String PROBE_SOURCE = "169.254.7.127/32";

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
        // Written out, as ServiceId's are: pieces holding peers are compared by the thousand on each pass.
        @Override
        public boolean equals(Object o) {
            return o instanceof Peer other && id.equals(other.id) && Objects.equals(remoteCluster, other.remoteCluster);
        }

        @Override
        public int hashCode() {
            return 31 * id.hashCode() + Objects.hashCode(remoteCluster);
        }
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
     * proxy, which the FQDN egress rules need) and the kubelet's probes, which come from the node or, under Istio
     * ambient, SNAT-ed from {@link #PROBE_SOURCE}. Istio, where the cluster runs it ({@code mesh}): an allow-nothing
     * policy for the namespace (ztunnel lets ambient's own probe address through by itself).
     */
    static List<HasMetadata> baseline(String namespace, boolean mesh) {
        Map<String, String> dns = new LinkedHashMap<>();
        dns.put(NAMESPACE_LABEL, "kube-system");
        dns.put("k8s:k8s-app", "kube-dns");
        Cilium.PolicySpec deny = new Cilium.PolicySpec(
                new LabelSelector(),
                new Cilium.DefaultDeny(true, true),
                List.of(new Cilium.IngressRule(null, List.of("host"), List.of(PROBE_SOURCE), null)),
                List.of(Cilium.EgressRule.toEndpoints(
                        List.of(new LabelSelectorBuilder().withMatchLabels(dns).build()),
                        List.of(new Cilium.PortRule(List.of(new Cilium.PortProtocol("53", "ANY")),
                                new Cilium.L7Rules(List.of(new Cilium.DnsRule("*"))))))));
        ObjectMeta meta = Manifests.meta(namespace, DEFAULT_DENY, managed());
        CustomObject<Cilium.PolicySpec> cilium = new CustomObject<>(Cilium.API, Cilium.NETWORK_POLICY, meta, deny);
        if (!mesh) {
            return List.of(cilium);
        }
        return List.of(cilium, new CustomObject<>(Istio.SECURITY, Istio.AUTHORIZATION_POLICY, Manifests.meta(namespace, DEFAULT_DENY, managed()),
                Istio.AuthorizationPolicySpec.ALLOW_NOTHING));
    }

    /** Cilium ingress for a callee: its agreed callers, to its ports. */
    static CustomObject<Cilium.PolicySpec> ciliumIngress(LatticeService callee, List<Peer> callers) {
        Cilium.PolicySpec spec = new Cilium.PolicySpec(WorkloadRenderer.selects(callee.name()), null,
                List.of(Cilium.IngressRule.fromEndpoints(callers.stream().map(PolicyRenderer::endpoint).toList(), toPorts(ports(callee), true))),
                null);
        return new CustomObject<>(Cilium.API, Cilium.NETWORK_POLICY, meta(callee, "ingress"), spec);
    }

    /** Cilium egress for a caller: to each agreed callee's ports, and to each agreed external endpoint. */
    static CustomObject<Cilium.PolicySpec> ciliumEgress(LatticeService caller, List<Peer> callees, Map<ServiceId, LatticeService> services,
            List<ExternalEndpoint> externals) {
        List<Cilium.EgressRule> rules = new ArrayList<>();
        for (Peer callee : callees) {
            rules.add(Cilium.EgressRule.toEndpoints(List.of(endpoint(callee)), toPorts(ports(services.get(callee.id())), true)));
        }
        for (ExternalEndpoint e : externals) {
            List<Cilium.PortRule> ports = toPorts(List.of(new Port(e.port(), "TCP")), false);
            rules.add(e.ipAddress()
                    ? new Cilium.EgressRule(null, List.of(e.cidr()), null, ports)
                    : new Cilium.EgressRule(null, null, List.of(new Cilium.FqdnSelector(e.host())), ports));
        }
        Cilium.PolicySpec spec = new Cilium.PolicySpec(WorkloadRenderer.selects(caller.name()), null, null, rules);
        return new CustomObject<>(Cilium.API, Cilium.NETWORK_POLICY, meta(caller, "egress"), spec);
    }

    /** Istio: the callee's pods accept its agreed callers' mesh identities, on its ports. */
    static CustomObject<Istio.AuthorizationPolicySpec> istioAllow(LatticeService callee, List<ServiceId> callers, String trustDomain) {
        List<String> principals = callers.stream().map(c -> principal(trustDomain, c)).toList();
        List<String> ports = ports(callee).stream().map(p -> String.valueOf(p.number())).distinct().toList();
        Istio.AuthorizationPolicySpec spec = new Istio.AuthorizationPolicySpec(
                new Istio.WorkloadSelector(Map.of(WorkloadRenderer.NAME_LABEL, callee.name())),
                "ALLOW",
                List.of(new Istio.Rule(
                        List.of(new Istio.From(new Istio.Source(principals))),
                        ports.isEmpty() ? null : List.of(new Istio.To(new Istio.Operation(ports))))));
        return new CustomObject<>(Istio.SECURITY, Istio.AUTHORIZATION_POLICY, meta(callee, "allow"), spec);
    }

    /** The monitoring add-on's scraping agent: VMAgent's pods, as VictoriaMetrics' operator labels them, in its namespace. */
    static final Map<String, String> METRICS_AGENT = Map.of(NAMESPACE_LABEL, "monitoring", WorkloadRenderer.NAME_LABEL, "vmagent");

    /**
     * A service's metrics port open to the cluster's scraping agent: Cilium lets the agent's pods (and only them) reach
     * it; Istio, where the cluster runs it, lets the port through (the agent is outside the mesh, with no identity to
     * name, so who may come is Cilium's to say).
     */
    static List<HasMetadata> metricsIngress(LatticeService s, Port port, boolean mesh) {
        Cilium.PolicySpec spec = new Cilium.PolicySpec(WorkloadRenderer.selects(s.name()), null,
                List.of(Cilium.IngressRule.fromEndpoints(List.of(new LabelSelectorBuilder().withMatchLabels(new java.util.TreeMap<>(METRICS_AGENT))
                        .build()), toPorts(List.of(port), false))), null);
        List<HasMetadata> objects = new ArrayList<>();
        objects.add(new CustomObject<>(Cilium.API, Cilium.NETWORK_POLICY, meta(s, "metrics"), spec));
        if (mesh) {
            objects.add(new CustomObject<>(Istio.SECURITY, Istio.AUTHORIZATION_POLICY, meta(s, "metrics"), new Istio.AuthorizationPolicySpec(
                    new Istio.WorkloadSelector(Map.of(WorkloadRenderer.NAME_LABEL, s.name())), "ALLOW",
                    List.of(new Istio.Rule(null, List.of(new Istio.To(new Istio.Operation(List.of(String.valueOf(port.number()))))))))));
        }
        return objects;
    }

    /** The SPIFFE identity Istio gives a service's pods (their ServiceAccount is named after the service). */
    static String principal(String trustDomain, ServiceId service) {
        return trustDomain + "/ns/" + service.namespace() + "/sa/" + service.name();
    }

    /** Istio: one external endpoint made known to the mesh, visible in its own namespace only. */
    static CustomObject<Istio.ServiceEntrySpec> serviceEntry(ServiceId external, ExternalEndpoint e) {
        String portName = e.istioProtocol().toLowerCase(java.util.Locale.ROOT) + "-" + e.port();
        Istio.ServiceEntrySpec spec = new Istio.ServiceEntrySpec(
                List.of(e.ipAddress() ? e.name() + "." + external.name() + "." + external.namespace() + ".external" : e.host()),
                e.ipAddress() ? List.of(e.cidr()) : null,
                List.of(new Istio.Port(e.port(), portName, e.istioProtocol())),
                "MESH_EXTERNAL",
                e.ipAddress() ? "STATIC" : "DNS",
                e.ipAddress() ? List.of(new Istio.Endpoint(e.host())) : null,
                List.of("."));
        return new CustomObject<>(Istio.NETWORKING, Istio.SERVICE_ENTRY,
                Manifests.meta(external.namespace(), KubeNames.derived(external.name(), e.name()), managed()), spec);
    }

    private static ObjectMeta meta(LatticeService s, String suffix) {
        return Manifests.meta(s.metadata().namespace(), KubeNames.derived(s.name(), suffix), WorkloadRenderer.labels(s.name()));
    }

    private static LabelSelector endpoint(Peer peer) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(WorkloadRenderer.NAME_LABEL, peer.id().name());
        labels.put(NAMESPACE_LABEL, peer.id().namespace());
        if (peer.remoteCluster() != null) {
            labels.put(CLUSTER_LABEL, peer.remoteCluster());
        }
        return new LabelSelectorBuilder().withMatchLabels(labels).build();
    }

    /** Cilium toPorts for these ports; none (any port) when a service declares none. */
    private static List<Cilium.PortRule> toPorts(List<Port> ports, boolean inMesh) {
        if (ports.isEmpty()) {
            return null;
        }
        List<Port> all = new ArrayList<>(ports);
        if (inMesh && !all.contains(HBONE)) {
            all.add(HBONE);
        }
        return List.of(new Cilium.PortRule(all.stream().map(p -> new Cilium.PortProtocol(String.valueOf(p.number()), p.protocol())).toList(),
                null));
    }

    /** The Lattice daemon's pods (DaemonManifests labels them so; a test holds the two together). */
    static final Map<String, String> DAEMON_PODS = Map.of("app.kubernetes.io/name", "lattice-daemon");
    /** The daemon's health, readiness and metrics port. */
    static final int DAEMON_HTTP_PORT = 8080;
    /** The policy of the daemon's own pods. */
    static final String DAEMON_POLICY = "lattice-daemon";

    /**
     * The daemon's own pods in {@code namespace}: ingress only for the kubelet's probes (from the node) and metrics
     * scrapers in the cluster on its HTTP port and, on a parent ({@code parent} not null), from anywhere on the agent
     * and bootstrap ports (its children) and the proxy port (users of the children's APIs). Egress is left open: the daemon talks to its API server, DNS, its parent and the
     * chart and provider repositories, which are addresses no cluster-local rule names well.
     */
    static HasMetadata daemon(String namespace, LatticeCluster.EndpointsSpec parent) {
        List<Cilium.IngressRule> ingress = new ArrayList<>();
        ingress.add(new Cilium.IngressRule(null, List.of("host", "cluster"), null,
                List.of(new Cilium.PortRule(List.of(new Cilium.PortProtocol(String.valueOf(DAEMON_HTTP_PORT), "TCP")), null))));
        if (parent != null) {
            ingress.add(new Cilium.IngressRule(null, List.of("all"), null, List.of(new Cilium.PortRule(List.of(
                    new Cilium.PortProtocol(String.valueOf(parent.grpcPort()), "TCP"),
                    new Cilium.PortProtocol(String.valueOf(parent.bootstrapPort()), "TCP"),
                    new Cilium.PortProtocol(String.valueOf(parent.proxyPort()), "TCP")), null))));
        }
        Cilium.PolicySpec spec = new Cilium.PolicySpec(new LabelSelectorBuilder().withMatchLabels(DAEMON_PODS).build(),
                new Cilium.DefaultDeny(true, false), ingress, null);
        return new CustomObject<>(Cilium.API, Cilium.NETWORK_POLICY, Manifests.meta(namespace, DAEMON_POLICY, managed()), spec);
    }

    private static Map<String, String> managed() {
        return Map.of(WorkloadRenderer.MANAGED_BY_LABEL, WorkloadRenderer.MANAGER);
    }
}
