package dev.lattice.daemon.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.model.Kind;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

/** What an informer's update must change for the daemon to read the object again and plan. */
class LatticeCacheTest {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    /** A service kubectl applied (client-side: its copy in an annotation), with the status the daemon wrote. */
    private static GenericKubernetesResource applied(String team, String phase) {
        return JSON.unmarshal("""
                {"apiVersion": "lattice.dev/v1alpha1", "kind": "LatticeService",
                 "metadata": {"name": "a", "namespace": "shop", "resourceVersion": "7", "generation": 2,
                   "labels": {"team": "%s"},
                   "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\\"spec\\":{\\"replicas\\":3}}", "owner": "ana"}},
                 "spec": {"replicas": 3},
                 "status": {"cluster": "home", "phase": "%s"}}
                """.formatted(team, phase), GenericKubernetesResource.class);
    }

    @Test
    void theDaemonsOwnStatusWriteIsNoEditOfAnObjectKubectlApplied() {
        // An update hands the handlers the store's copy (trimmed) before and the object as the API server sent it after.
        GenericKubernetesResource stored = TrimmingStore.without(applied("payments", "Placed"), "spec");
        GenericKubernetesResource statusWritten = applied("payments", "Ready");
        assertThat(LatticeCache.version(Kind.LATTICE_SERVICE, stored)).isEqualTo(LatticeCache.version(Kind.LATTICE_SERVICE, statusWritten));
        GenericKubernetesResource relabelled = applied("checkout", "Placed");
        assertThat(LatticeCache.version(Kind.LATTICE_SERVICE, stored)).isNotEqualTo(LatticeCache.version(Kind.LATTICE_SERVICE, relabelled));
    }
}
