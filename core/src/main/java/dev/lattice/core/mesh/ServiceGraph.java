package dev.lattice.core.mesh;

import dev.lattice.core.model.LatticeService;
import dev.lattice.core.model.LatticeService.Direction;
import dev.lattice.core.model.LatticeService.Resource;
import dev.lattice.core.model.LatticeService.ResourceType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who may call whom: an edge A → B exists only when both sides agree, A listing B as outbound (or both) and B
 * listing A as inbound (or both).
 */
public final class ServiceGraph {

    /** A service by namespace and name. */
    public record ServiceId(String namespace, String name) implements Comparable<ServiceId> {
        public static ServiceId of(LatticeService s) {
            return new ServiceId(s.metadata().namespace(), s.name());
        }

        @Override
        public int compareTo(ServiceId o) {
            int c = namespace.compareTo(o.namespace);
            return c != 0 ? c : name.compareTo(o.name);
        }

        @Override
        public String toString() {
            return namespace + "/" + name;
        }
    }

    /** An agreed call from {@code caller} to {@code callee}. */
    public record Edge(ServiceId caller, ServiceId callee) {
    }

    private final List<Edge> agreed;
    private final Map<ServiceId, Set<ServiceId>> neighbours = new HashMap<>();

    private ServiceGraph(List<Edge> agreed) {
        this.agreed = List.copyOf(agreed);
        for (Edge e : agreed) {
            neighbours.computeIfAbsent(e.caller(), k -> new LinkedHashSet<>()).add(e.callee());
            neighbours.computeIfAbsent(e.callee(), k -> new LinkedHashSet<>()).add(e.caller());
        }
    }

    public static ServiceGraph of(List<LatticeService> services) {
        Map<ServiceId, LatticeService> byId = new HashMap<>();
        services.forEach(s -> byId.put(ServiceId.of(s), s));
        List<Edge> edges = new ArrayList<>();
        for (LatticeService caller : services) {
            ServiceId from = ServiceId.of(caller);
            caller.spec().resources().forEach((name, resource) -> {
                if (resource.type() != ResourceType.SERVICE || resource.direction() == null || !resource.direction().calls()) {
                    return;
                }
                ServiceId to = peer(from, name, resource);
                LatticeService callee = byId.get(to);
                if (callee != null && accepts(callee, from)) {
                    edges.add(new Edge(from, to));
                }
            });
        }
        edges.sort((a, b) -> {
            int c = a.caller().compareTo(b.caller());
            return c != 0 ? c : a.callee().compareTo(b.callee());
        });
        return new ServiceGraph(edges);
    }

    /** Every agreed edge, sorted by caller then callee. */
    public List<Edge> agreed() {
        return agreed;
    }

    /** The services this one calls or is called by, through agreed edges only. */
    public Set<ServiceId> neighbours(ServiceId service) {
        return neighbours.getOrDefault(service, Set.of());
    }

    private static boolean accepts(LatticeService callee, ServiceId caller) {
        ServiceId self = ServiceId.of(callee);
        for (Map.Entry<String, Resource> e : callee.spec().resources().entrySet()) {
            Resource r = e.getValue();
            Direction d = r.direction();
            if (r.type() == ResourceType.SERVICE && d != null && d.accepts() && peer(self, e.getKey(), r).equals(caller)) {
                return true;
            }
        }
        return false;
    }

    private static ServiceId peer(ServiceId self, String name, Resource resource) {
        return new ServiceId(resource.namespace() != null ? resource.namespace() : self.namespace(), name);
    }
}
