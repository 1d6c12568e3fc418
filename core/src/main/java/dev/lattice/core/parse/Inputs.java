package dev.lattice.core.parse;

import dev.lattice.core.model.CloudPool;
import dev.lattice.core.model.Kind;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.LatticeExternalService;
import dev.lattice.core.model.LatticeObject;
import dev.lattice.core.model.LatticeService;
import dev.lattice.core.model.StaticPool;
import java.util.List;
import java.util.Optional;

/** Everything a run read: valid objects in input order, and the warnings found on the way. */
public record Inputs(List<ParsedObject> objects, List<Problem> warnings) {

    public Inputs {
        objects = List.copyOf(objects);
        warnings = List.copyOf(warnings);
    }

    public <T extends LatticeObject> List<T> all(Class<T> type) {
        return objects.stream().map(ParsedObject::object).filter(type::isInstance).map(type::cast).toList();
    }

    public List<StaticPool> staticPools() {
        return all(StaticPool.class);
    }

    public List<CloudPool> cloudPools() {
        return all(CloudPool.class);
    }

    public List<LatticeCluster> clusters() {
        return all(LatticeCluster.class);
    }

    public List<LatticeService> services() {
        return all(LatticeService.class);
    }

    public List<LatticeExternalService> externalServices() {
        return all(LatticeExternalService.class);
    }

    /** Where an object was read from. */
    public Optional<ParsedObject> find(Kind kind, String namespace, String name) {
        return objects.stream()
                .filter(p -> p.object().kind() == kind && p.object().name().equals(name)
                        && (!kind.namespaced() || p.object().metadata().namespace().equals(namespace)))
                .findFirst();
    }

    /** The pool of either kind with this name. */
    public Optional<LatticeObject> pool(String name) {
        return objects.stream().map(ParsedObject::object)
                .filter(o -> o.kind().isPool() && o.name().equals(name)).findFirst();
    }
}
