package dev.lattice.daemon.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.function.Supplier;

/** The child clusters this daemon reaches through their agents. */
public interface Children {
    /** Nobody: a cluster that is not a parent. */
    Children NONE = (cluster, objects) -> false;

    /**
     * The objects {@code cluster} should hold from this daemon; they reach it now if its agent is connected, else when
     * it connects. False when {@code cluster} is not a child this daemon knows, and then {@code objects} is not asked
     * for (rendering a fleet's objects for a cluster nobody here serves is work for nothing).
     */
    boolean desired(String cluster, Supplier<List<HasMetadata>> objects);

    /**
     * What {@code cluster}'s agent reported of the objects last sent to it: those waiting for their kind and those
     * refused, each with why. Null while it has not reported on them (not connected, or still applying).
     */
    default ObjectSync.Outcome applied(String cluster) {
        return null;
    }
}
