package dev.lattice.daemon.reconciler;

import dev.lattice.core.mesh.MeshCompiler;
import dev.lattice.core.mesh.Piece;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Each child cluster's objects as last rendered, kept while its pieces stay equal. The daemon's compiler gives back
 * an unchanged service's pieces as the very instances, so finding a cluster's pieces equal to the last ones costs a
 * comparison of references: a change to one child's services renders that child's objects alone, and the others'
 * agents are sent nothing (their list is the one they have). Only for clusters whose objects are sent: a child's
 * agent keeps its list anyway, where a cluster nobody serves would have its fleet's objects held for nothing.
 */
final class RenderedObjects {
    private record Rendered(List<Piece> pieces, List<HasMetadata> objects) {
    }

    private final Map<String, Rendered> byCluster = new HashMap<>();

    /** The objects of {@code manifests}' pieces: those last rendered for its cluster where the pieces are equal. */
    List<HasMetadata> of(MeshCompiler.ClusterManifests manifests) {
        Rendered last = byCluster.get(manifests.cluster());
        if (last != null && last.pieces().equals(manifests.pieces())) {
            return last.objects();
        }
        List<HasMetadata> objects = manifests.objects();
        byCluster.put(manifests.cluster(), new Rendered(manifests.pieces(), objects));
        return objects;
    }

    /** Forgets every cluster but {@code clusters}. */
    void retain(Set<String> clusters) {
        byCluster.keySet().retainAll(clusters);
    }
}
