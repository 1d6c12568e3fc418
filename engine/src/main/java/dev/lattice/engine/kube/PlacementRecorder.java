package dev.lattice.engine.kube;

import dev.lattice.core.model.Kind;
import dev.lattice.core.placement.Placement;
import dev.lattice.core.status.ObjectStatus;
import dev.lattice.core.status.ServiceStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;

/**
 * Records placement decisions in each LatticeService's status: {@code status.cluster}, {@code status.phase} and the
 * {@code Scheduled} condition (metav1.Condition shape, its transition time kept while its status does not change).
 */
public final class PlacementRecorder {
    public static final String CONDITION = "Scheduled";

    private final KubernetesClient client;
    private final StatusWriter status;

    public PlacementRecorder(KubernetesClient client, Clock clock) {
        this.client = client;
        this.status = new StatusWriter(client, clock);
    }

    /** Writes every decision; returns how many services' status changed. */
    public int record(List<Placement> placements) {
        return record(placements, p -> client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_SERVICE))
                .inNamespace(p.namespace()).withName(p.service()).get());
    }

    /**
     * Writes every decision whose status differs from the service as {@code live} gives it (a daemon's informer cache,
     * so unchanged services cost no request); returns how many services' status changed.
     */
    public int record(List<Placement> placements, Function<Placement, GenericKubernetesResource> live) {
        return record(placements, live, (p, status, generation) -> {
        });
    }

    /** What a caller adds to a service's next status beyond its placement, for the generation read. */
    @FunctionalInterface
    public interface More {
        void add(Placement placement, ObjectStatus next, Long generation);
    }

    /** The same, with {@code more} adding to each service's status what its placement alone does not say. */
    public int record(List<Placement> placements, Function<Placement, GenericKubernetesResource> live, More more) {
        int changed = 0;
        for (Placement p : placements) {
            try {
                GenericKubernetesResource current = live.apply(p);
                if (current == null) {
                    continue; // deleted since it was read
                }
                Long generation = current.getMetadata().getGeneration();
                ObjectStatus next = statusFor(p, StatusWriter.of(current), generation);
                more.add(p, next, generation);
                if (status.write(Kind.LATTICE_SERVICE, current, next)) {
                    changed++;
                }
            } catch (KubernetesClientException e) {
                throw LiveInputs.unreachable(client, "record the placement of " + p.namespace() + "/" + p.service(), e);
            }
        }
        return changed;
    }

    ObjectStatus statusFor(Placement p, ObjectStatus before, Long generation) {
        ServiceStatus next = new ServiceStatus(before.tree()).cluster(p.scheduled() ? p.cluster() : null);
        next.phase(p.phase().name()).message(p.scheduled() ? null : p.message());
        if (generation != null) {
            next.observedGeneration(generation);
        }
        return next.condition(CONDITION, p.scheduled(), p.scheduled() ? "Placed" : p.reason(),
                (p.scheduled() ? "Placed on " + p.cluster() + " (score " + p.score() + ")" : p.message())
                        + (p.move() == null ? "" : "; moved from " + p.move().from() + ": " + p.move().message()), generation, status.now());
    }
}
