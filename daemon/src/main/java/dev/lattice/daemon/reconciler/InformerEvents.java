package dev.lattice.daemon.reconciler;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.function.Consumer;

/** An informer's events as the reconcilers take them: level-based, so what changed matters less than that it did. */
final class InformerEvents {
    private InformerEvents() {
    }

    /** A handler calling {@code upserted} with each object added or changed and {@code deleted} with each one deleted. */
    static <T> ResourceEventHandler<T> of(Consumer<T> upserted, Consumer<T> deleted) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                upserted.accept(obj);
            }

            @Override
            public void onUpdate(T before, T obj) {
                upserted.accept(obj);
            }

            @Override
            public void onDelete(T obj, boolean finalStateUnknown) {
                deleted.accept(obj);
            }
        };
    }
}
