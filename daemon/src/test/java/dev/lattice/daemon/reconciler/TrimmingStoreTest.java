package dev.lattice.daemon.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.model.CompactMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What an informer's store keeps of an object, and how. */
class TrimmingStoreTest {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    /** A service as the API server sends it, read afresh each time (as an informer does). */
    private static GenericKubernetesResource service(String name) {
        return JSON.unmarshal("""
                {"apiVersion": "lattice.dev/v1alpha1", "kind": "LatticeService",
                 "metadata": {"name": "%s", "namespace": "shop", "resourceVersion": "7", "creationTimestamp": "2026-12-07T06:00:00Z",
                   "labels": {"team": "payments"},
                   "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\\"spec\\":{\\"replicas\\":3}}", "owner": "ana"},
                   "managedFields": [{"manager": "kubectl"}]},
                 "spec": {"replicas": 3},
                 "status": {"cluster": "home", "conditions": [{"type": "Ready", "status": "True", "reason": "Applied",
                   "message": "its workload and policies are applied", "lastTransitionTime": "2026-12-07T06:00:01Z"}]}}
                """.formatted(name), GenericKubernetesResource.class);
    }

    @Test
    void holdsSmallMapsCompactlyAndLargeOnesHashed() {
        Map<String, Object> large = new LinkedHashMap<>();
        IntStream.range(0, CompactMap.MAX + 1).forEach(i -> large.put("k" + i, i));
        assertThat(TrimmingStore.compact(large)).isInstanceOf(LinkedHashMap.class).isEqualTo(large);
        large.remove("k0");
        assertThat(TrimmingStore.compact(large)).isInstanceOf(CompactMap.class).isEqualTo(large);
        // Written as JSON in its order, as the map it was made from.
        assertThat(JSON.asJson(TrimmingStore.compact(large))).isEqualTo(JSON.asJson(large));
    }

    @Test
    void keepsMetadataAndStatusWithoutWhatNothingReads() {
        GenericKubernetesResource kept = TrimmingStore.without(service("a"), "spec");
        assertThat(kept.getAdditionalProperties()).containsOnlyKeys("status");
        assertThat(kept.getMetadata().getManagedFields()).isNull();
        assertThat(kept.getMetadata().getAnnotations()).containsExactly(Map.entry("owner", "ana"));
        assertThat(kept.getMetadata().getLabels()).containsExactly(Map.entry("team", "payments")).isInstanceOf(CompactMap.class);
        assertThat(kept.getMetadata().getFinalizers()).isEmpty();
        assertThat(kept.getMetadata().getOwnerReferences()).isSameAs(TrimmingStore.without(service("b"), "spec").getMetadata().getOwnerReferences());
        assertThat(JSON.asJson(kept.getAdditionalProperties().get("status"))).isEqualTo(JSON.asJson(service("a").get("status")));
        // Written as JSON, the metadata is what it was, less what was dropped.
        GenericKubernetesResource original = service("a");
        original.getMetadata().setManagedFields(null);
        original.getMetadata().getAnnotations().remove(TrimmingStore.LAST_APPLIED);
        assertThat(JSON.asJson(kept.getMetadata())).isEqualTo(JSON.asJson(original.getMetadata()));
    }

    @Test
    void holdsWhatObjectsShareOnce() {
        GenericKubernetesResource a = TrimmingStore.without(service("a"), "spec");
        GenericKubernetesResource b = TrimmingStore.without(service("b"), "spec");
        assertThat(message(a)).isEqualTo("its workload and policies are applied").isSameAs(message(b));
        assertThat(a.getMetadata().getNamespace()).isSameAs(b.getMetadata().getNamespace());
        assertThat(a.getMetadata().getCreationTimestamp()).isSameAs(b.getMetadata().getCreationTimestamp());
        assertThat(a.getMetadata().getLabels().get("team")).isSameAs(b.getMetadata().getLabels().get("team"));
    }

    @Test
    void readsTheModelWithoutKubectlsCopyOfTheObject() {
        GenericKubernetesResource original = service("a");
        GenericKubernetesResource forModel = TrimmingStore.withoutLastApplied(original);
        assertThat(forModel.getMetadata().getAnnotations()).containsOnlyKeys("owner");
        assertThat((Object) forModel.get("spec", "replicas")).isEqualTo(3);
        assertThat(original.getMetadata().getAnnotations()).as("the informer's object is not edited")
                .containsKey(TrimmingStore.LAST_APPLIED);
        GenericKubernetesResource plain = TrimmingStore.without(original, "status");
        assertThat(TrimmingStore.withoutLastApplied(plain)).isSameAs(plain);
    }

    @SuppressWarnings("unchecked")
    private static String message(GenericKubernetesResource r) {
        Map<String, Object> status = (Map<String, Object>) r.getAdditionalProperties().get("status");
        return (String) ((List<Map<String, Object>>) status.get("conditions")).get(0).get("message");
    }
}
