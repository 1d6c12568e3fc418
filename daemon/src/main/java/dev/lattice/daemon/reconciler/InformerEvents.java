package dev.lattice.daemon.reconciler;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/** An informer's events as the reconcilers take them: level-based, so what changed matters less than that it did. */
final class InformerEvents {
    private InformerEvents() {
    }

    /** A handler calling {@code upserted} with each object added or changed and {@code deleted} with each one deleted. */
    static <T> ResourceEventHandler<T> of(Consumer<T> upserted, Consumer<T> deleted) {
        return of(upserted, deleted, (before, after) -> true);
    }

    /** The same, leaving out the updates {@code matters} says nothing the reconcilers read changed in. */
    static <T> ResourceEventHandler<T> of(Consumer<T> upserted, Consumer<T> deleted, BiPredicate<T, T> matters) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                upserted.accept(obj);
            }

            @Override
            public void onUpdate(T before, T obj) {
                if (before == null || matters.test(before, obj)) {
                    upserted.accept(obj);
                }
            }

            @Override
            public void onDelete(T obj, boolean finalStateUnknown) {
                deleted.accept(obj);
            }
        };
    }
}
