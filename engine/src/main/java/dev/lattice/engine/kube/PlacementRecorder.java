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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
        this(client, new StatusWriter(client, clock));
    }

    /** The same, writing through {@code status} (which may tell Events of what changes). */
    public PlacementRecorder(KubernetesClient client, StatusWriter status) {
        this.client = client;
        this.status = status;
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
                if (write(p, live.apply(p), more)) {
                    changed++;
                }
            } catch (KubernetesClientException e) {
                throw LiveInputs.unreachable(client, "record the placement of " + p.namespace() + "/" + p.service(), e);
            }
        }
        return changed;
    }

    /**
     * The same, with the writes going out side by side on {@code pool}. A write that lost a race with another change of
     * the service (409 Conflict) is made again on the service as the server now holds it. Every service is tried; the
     * first failure is thrown after the others are done.
     */
    public int record(List<Placement> placements, Function<Placement, GenericKubernetesResource> live, More more, RequestPool pool) {
        AtomicInteger changed = new AtomicInteger();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        RequestPool.Batch batch = pool.batch();
        for (Placement p : placements) {
            batch.submit(() -> {
                try {
                    if (write(p, live.apply(p), more)) {
                        changed.incrementAndGet();
                    }
                } catch (KubernetesClientException e) {
                    failure.compareAndSet(null, LiveInputs.unreachable(client, "record the placement of " + p.namespace() + "/"
                            + p.service(), e));
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            });
        }
        batch.await();
        if (failure.get() != null) {
            throw failure.get();
        }
        return changed.get();
    }

    /** Writes one service's next status unless it holds it already; once more on a conflict, from the server's copy. */
    private boolean write(Placement p, GenericKubernetesResource current, More more) {
        if (current == null) {
            return false; // deleted since it was read
        }
        try {
            return status.write(Kind.LATTICE_SERVICE, current, next(p, current, more));
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            GenericKubernetesResource fresh = client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_SERVICE))
                    .inNamespace(p.namespace()).withName(p.service()).get();
            return fresh != null && status.write(Kind.LATTICE_SERVICE, fresh, next(p, fresh, more));
        }
    }

    private ObjectStatus next(Placement p, GenericKubernetesResource current, More more) {
        Long generation = current.getMetadata().getGeneration();
        ObjectStatus next = statusFor(p, StatusWriter.of(current), generation);
        more.add(p, next, generation);
        return next;
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
