package dev.lattice.core.graph;

import dev.lattice.core.model.LatticeExternalService;
import dev.lattice.core.model.LatticeObject;
import dev.lattice.core.model.LatticeService;
import dev.lattice.core.model.LatticeService.Resource;
import dev.lattice.core.model.LatticeService.ResourceType;
import dev.lattice.core.parse.Location;
import dev.lattice.core.parse.ParsedObject;
import dev.lattice.core.parse.Problem;
import dev.lattice.core.parse.SourceMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who may call whom. An edge A → B exists only when both sides agree: A lists B as outbound (or both) and B
 * lists A as inbound (or both). A call to an external service is agreed when the service declares it and the
 * external service lists the service in {@code allowed_requesters}. Every declaration the other side does not
 * answer is a {@link OneSided} warning at the place it was written.
 */
public final class ServiceGraph {

    /** A service (or external service) by namespace and name. */
    public record ServiceId(String namespace, String name) implements Comparable<ServiceId> {
        public static ServiceId of(LatticeObject o) {
            return new ServiceId(o.metadata().namespace(), o.name());
        }

        @Override
        public int compareTo(ServiceId o) {
            // By namespace, then name.
            int byNamespace = namespace.compareTo(o.namespace);
            return byNamespace != 0 ? byNamespace : name.compareTo(o.name);
        }

        // Written out, as are compareTo's comparisons: a record's own equals and hashCode go through method handles,
        // which a daemon compiling with C1 alone pays for on each of the hundreds of thousands of lookups of a pass.
        @Override
        public boolean equals(Object o) {
            return o instanceof ServiceId other && Objects.equals(namespace, other.namespace) && Objects.equals(name, other.name);
        }

        @Override
        public int hashCode() {
            return 31 * Objects.hashCode(namespace) + Objects.hashCode(name);
        }

        @Override
        public String toString() {
            return namespace + "/" + name;
        }
    }

    /** An agreed call from {@code caller} to {@code callee}. */
    public record Edge(ServiceId caller, ServiceId callee) implements Comparable<Edge> {
        @Override
        public int compareTo(Edge o) {
            int byCaller = caller.compareTo(o.caller);
            return byCaller != 0 ? byCaller : callee.compareTo(o.callee);
        }
    }

    /** What a one-sided declaration asked for. */
    public enum Side { CALLS, ACCEPTS, CALLS_EXTERNAL, ALLOWS_REQUESTER }

    /** A declaration the other side does not answer: no allow rule, and this warning. */
    public record OneSided(ServiceId declarer, ServiceId peer, Side side, Problem warning) {
    }

    private final Map<ServiceId, LatticeService> services = new HashMap<>();
    private final Map<ServiceId, LatticeExternalService> externals = new HashMap<>();
    private final List<Edge> agreed = new ArrayList<>();
    private final List<Edge> agreedExternal = new ArrayList<>();
    private final List<OneSided> oneSided = new ArrayList<>();
    private final Map<ServiceId, Set<ServiceId>> neighbours = new HashMap<>();

    private ServiceGraph(List<LatticeService> services, List<LatticeExternalService> externals, Map<LatticeObject, SourceMap> sources) {
        services.forEach(s -> this.services.put(ServiceId.of(s), s));
        externals.forEach(e -> this.externals.put(ServiceId.of(e), e));
        for (LatticeService s : services) {
            declarations(s, sources.get(s));
        }
        for (LatticeExternalService e : externals) {
            requesters(e, sources.get(e));
        }
        agreed.sort(null);
        agreedExternal.sort(null);
        oneSided.sort(Comparator.comparing(OneSided::warning, Problem.BY_LOCATION)
                .thenComparing(o -> o.warning().message()));
        for (Edge e : agreed) {
            neighbours.computeIfAbsent(e.caller(), k -> new LinkedHashSet<>()).add(e.callee());
            neighbours.computeIfAbsent(e.callee(), k -> new LinkedHashSet<>()).add(e.caller());
        }
    }

    /** The agreed edges between these services; no warnings (nothing says where they were written). */
    public static ServiceGraph of(List<LatticeService> services) {
        return new ServiceGraph(services, List.of(), Map.of());
    }

    /** The graph of every service and external service read, with a warning for each one-sided declaration. */
    public static ServiceGraph analyse(List<ParsedObject> objects) {
        List<LatticeService> services = new ArrayList<>();
        List<LatticeExternalService> externals = new ArrayList<>();
        Map<LatticeObject, SourceMap> sources = new IdentityHashMap<>();
        for (ParsedObject p : objects) {
            if (p.object() instanceof LatticeService s) {
                services.add(s);
                sources.put(s, p.source());
            } else if (p.object() instanceof LatticeExternalService e) {
                externals.add(e);
                sources.put(e, p.source());
            }
        }
        return new ServiceGraph(services, externals, sources);
    }

    /** Every agreed edge between services, sorted by caller then callee. */
    public List<Edge> agreed() {
        return agreed;
    }

    /** Every agreed call to an external service (the callee), sorted by caller then external service. */
    public List<Edge> agreedExternal() {
        return agreedExternal;
    }

    /** Every declaration the other side does not answer, in the order they were written. */
    public List<OneSided> oneSided() {
        return oneSided;
    }

    public List<Problem> warnings() {
        return oneSided.stream().map(OneSided::warning).toList();
    }

    /** The services this one calls or is called by, through agreed edges only. */
    public Set<ServiceId> neighbours(ServiceId service) {
        return neighbours.getOrDefault(service, Set.of());
    }

    private void declarations(LatticeService s, SourceMap at) {
        ServiceId self = ServiceId.of(s);
        s.spec().resources().forEach((name, r) -> {
            ServiceId peer = peer(self, name, r);
            String path = SourceMap.child("spec.resources", name);
            if (r.type() == ResourceType.SERVICE && r.direction() != null) {
                LatticeService other = services.get(peer);
                if (r.direction().calls()) {
                    if (other == null) {
                        warn(at, path, self, peer, Side.CALLS, self.name() + " calls " + describe(self, peer)
                                + ", but no LatticeService " + peer + " is among the inputs, so no allow rule is made",
                                "it may be defined elsewhere; add its file with another -f to check the agreement");
                    } else if (declares(other, self, ResourceType.SERVICE, false)) {
                        agreed.add(new Edge(self, peer));
                    } else {
                        warn(at, path, self, peer, Side.CALLS, self.name() + " calls " + describe(self, peer) + ", but "
                                + peer.name() + " does not list " + self.name() + " as inbound",
                                answer(peer, self, "inbound"));
                    }
                }
                if (r.direction().accepts()) {
                    if (other == null) {
                        warn(at, path, self, peer, Side.ACCEPTS, self.name() + " accepts calls from " + describe(self, peer)
                                + ", but no LatticeService " + peer + " is among the inputs, so no allow rule is made",
                                "it may be defined elsewhere; add its file with another -f to check the agreement");
                    } else if (!declares(other, self, ResourceType.SERVICE, true)) {
                        warn(at, path, self, peer, Side.ACCEPTS, self.name() + " lists " + describe(self, peer)
                                + " as inbound, but " + peer.name() + " does not list " + self.name() + " as outbound",
                                answer(peer, self, "outbound"));
                    }
                }
            } else if (r.type() == ResourceType.EXTERNAL_SERVICE) {
                LatticeExternalService external = externals.get(peer);
                if (external == null) {
                    warn(at, path, self, peer, Side.CALLS_EXTERNAL, self.name() + " calls external service " + describe(self, peer)
                            + ", but no LatticeExternalService " + peer + " is among the inputs, so no egress rule is made",
                            "it may be defined elsewhere; add its file with another -f to check the agreement");
                } else if (allows(external, self)) {
                    agreedExternal.add(new Edge(self, peer));
                } else {
                    warn(at, path, self, peer, Side.CALLS_EXTERNAL, self.name() + " calls external service " + describe(self, peer)
                            + ", but " + peer.name() + " does not list " + self.name() + " in allowed_requesters",
                            self.namespace().equals(peer.namespace())
                                    ? "add " + self.name() + " to " + peer.name() + "'s spec.allowed_requesters"
                                    : "allowed_requesters name services in the external service's own namespace, "
                                            + peer.namespace() + "; define the external service in " + self.namespace() + " too");
                }
            }
        });
    }

    private void requesters(LatticeExternalService e, SourceMap at) {
        ServiceId self = ServiceId.of(e);
        List<String> requesters = e.spec().allowedRequesters();
        for (int i = 0; i < requesters.size(); i++) {
            ServiceId requester = new ServiceId(self.namespace(), requesters.get(i));
            LatticeService service = services.get(requester);
            String path = SourceMap.index("spec.allowed_requesters", i);
            if (service == null) {
                warn(at, path, self, requester, Side.ALLOWS_REQUESTER, "external service " + self.name() + " allows "
                        + requester.name() + ", but no LatticeService " + requester + " is among the inputs",
                        "it may be defined elsewhere; add its file with another -f to check the agreement");
            } else if (!declares(service, self, ResourceType.EXTERNAL_SERVICE, true)) {
                warn(at, path, self, requester, Side.ALLOWS_REQUESTER, "external service " + self.name() + " allows "
                        + requester.name() + ", but " + requester.name() + " does not declare " + self.name()
                        + " as an external-service resource, so it gets no egress",
                        "add to " + requester.name() + "'s spec.resources: " + self.name() + ": {type: external-service, direction: outbound}");
            }
        }
    }

    /** Whether {@code s} declares {@code peer} with this type, as something it calls ({@code calls}) or accepts. */
    private static boolean declares(LatticeService s, ServiceId peer, ResourceType type, boolean calls) {
        ServiceId self = ServiceId.of(s);
        for (Map.Entry<String, Resource> e : s.spec().resources().entrySet()) {
            Resource r = e.getValue();
            if (r.type() == type && r.direction() != null && (calls ? r.direction().calls() : r.direction().accepts())
                    && peer(self, e.getKey(), r).equals(peer)) {
                return true;
            }
        }
        return false;
    }

    private static boolean allows(LatticeExternalService external, ServiceId caller) {
        return caller.namespace().equals(external.metadata().namespace())
                && external.spec().allowedRequesters().contains(caller.name());
    }

    private void warn(SourceMap at, String path, ServiceId declarer, ServiceId peer, Side side, String message, String hint) {
        if (at == null) {
            return;
        }
        Location where = at.key(path);
        oneSided.add(new OneSided(declarer, peer, side, Problem.warning(where, message, hint)));
    }

    /** The peer's name, qualified with its namespace when that differs from the declarer's. */
    private static String describe(ServiceId self, ServiceId peer) {
        return peer.namespace().equals(self.namespace()) ? peer.name() : peer.toString();
    }

    /** The declaration that would make {@code peer} answer {@code self}. */
    private static String answer(ServiceId peer, ServiceId self, String direction) {
        String namespace = self.namespace().equals(peer.namespace()) ? "" : ", namespace: " + self.namespace();
        return "add to " + peer.name() + "'s spec.resources: " + self.name() + ": {type: service, direction: " + direction + namespace + "}";
    }

    private static ServiceId peer(ServiceId self, String name, Resource resource) {
        return new ServiceId(resource.namespace() != null ? resource.namespace() : self.namespace(), name);
    }
}
