package dev.lattice.daemon.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.mesh.MeshCompiler;
import dev.lattice.core.model.Condition;
import dev.lattice.core.status.ObjectStatus;
import dev.lattice.engine.kube.Coordinates;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AppliedConditionsTest {
    private static final Instant NOW = Instant.parse("2026-12-06T00:00:00Z");

    private static HasMetadata object(String apiVersion, String kind, String name, String service) {
        GenericKubernetesResourceBuilder b = new GenericKubernetesResourceBuilder().withApiVersion(apiVersion).withKind(kind)
                .withNewMetadata().withNamespace("shop").withName(name).endMetadata();
        if (service != null) {
            b.editMetadata().addToLabels(MeshCompiler.NAME_LABEL, service).endMetadata();
        }
        return b.build();
    }

    private static final HasMetadata DEPLOYMENT = object("apps/v1", "Deployment", "api", "api");
    private static final HasMetadata SERVICE = object("v1", "Service", "api", "api");
    private static final HasMetadata ALLOW = object("cilium.io/v2", "CiliumNetworkPolicy", "api-from-web", "api");
    private static final HasMetadata BASELINE = object("cilium.io/v2", "CiliumNetworkPolicy", "default-deny", null);
    private static final HasMetadata OTHER = object("apps/v1", "Deployment", "db", "db");

    private static Map<String, Condition> conditions(AppliedConditions applied, String service) {
        ObjectStatus status = new ObjectStatus(new HashMap<>());
        applied.write("shop", service, status, 3L, NOW);
        Map<String, Condition> byType = new HashMap<>();
        status.conditions().forEach(c -> byType.put(c.type(), c));
        return byType;
    }

    @Test
    void aServiceIsReadyWhenItsObjectsAndItsNamespacesBaselineAreApplied() {
        AppliedConditions applied = AppliedConditions.of(List.of(DEPLOYMENT, SERVICE, ALLOW, BASELINE, OTHER),
                new ObjectSync.Outcome(5, Map.of(), Map.of()));
        Map<String, Condition> c = conditions(applied, "api");
        assertThat(c.get("WorkloadApplied").message()).isEqualTo("2 workload objects applied");
        assertThat(c.get("PoliciesApplied").message()).as("its allow rule and the namespace's baseline").isEqualTo("2 policies applied");
        assertThat(c.get("Ready").status()).isEqualTo("True");
    }

    @Test
    void aBaselineOfTwoPoliciesCountsEachOnce() {
        HasMetadata istioBaseline = object("security.istio.io/v1", "AuthorizationPolicy", "default-deny", null);
        AppliedConditions applied = AppliedConditions.of(List.of(DEPLOYMENT, ALLOW, BASELINE, istioBaseline),
                new ObjectSync.Outcome(4, Map.of(), Map.of()));
        assertThat(conditions(applied, "api").get("PoliciesApplied").message()).isEqualTo("3 policies applied");
    }

    @Test
    void aMissingBaselineKeepsEveryServiceOfTheNamespaceFromReadyAndAnotherServicesRefusalDoesNot() {
        AppliedConditions applied = AppliedConditions.of(List.of(DEPLOYMENT, SERVICE, ALLOW, BASELINE, OTHER),
                new ObjectSync.Outcome(3, Map.of(Coordinates.of(BASELINE), "waits for CustomResourceDefinition ciliumnetworkpolicies.cilium.io"),
                        Map.of(Coordinates.of(OTHER), "field is immutable")));
        Map<String, Condition> api = conditions(applied, "api");
        assertThat(api.get("WorkloadApplied").status()).isEqualTo("True");
        assertThat(api.get("PoliciesApplied").reason()).isEqualTo("WaitingForKind");
        assertThat(api.get("PoliciesApplied").message()).contains("1 of 2 policies waiting", "CiliumNetworkPolicy shop/default-deny");
        assertThat(api.get("Ready").status()).isEqualTo("False");
        Map<String, Condition> db = conditions(applied, "db");
        assertThat(db.get("WorkloadApplied").reason()).isEqualTo("ApplyFailed");
        assertThat(db.get("WorkloadApplied").message()).isEqualTo("1 of 1 workload objects refused: Deployment shop/db: field is immutable");
    }

    @Test
    void aServiceThatLeftThisClusterLosesTheConditionsAndKeepsTheOthers() {
        ObjectStatus status = new ObjectStatus(new HashMap<>());
        status.condition("Scheduled", true, "Placed", "Placed on edge", 1L, NOW);
        AppliedConditions.of(List.of(DEPLOYMENT), new ObjectSync.Outcome(1, Map.of(), Map.of())).write("shop", "api", status, 1L, NOW);
        AppliedConditions.clear(status);
        assertThat(status.conditions()).extracting(Condition::type).containsExactly("Scheduled");
    }

    @Test
    void equalSignaturesWriteEqualConditionsAndAnythingThatChangesThemChangesTheSignature() {
        List<HasMetadata> objects = List.of(DEPLOYMENT, SERVICE, ALLOW, BASELINE, OTHER);
        AppliedConditions one = AppliedConditions.of(objects, new ObjectSync.Outcome(5, Map.of(), Map.of()));
        AppliedConditions again = AppliedConditions.of(objects, new ObjectSync.Outcome(0, Map.of(), Map.of()));
        assertThat(again.signature("shop", "api")).isEqualTo(one.signature("shop", "api"));
        assertThat(conditions(again, "api")).isEqualTo(conditions(one, "api"));
        // Another service's object waiting changes nothing for api; its own, or its namespace's baseline, does.
        Coordinates db = Coordinates.of(OTHER);
        assertThat(AppliedConditions.of(objects, new ObjectSync.Outcome(0, Map.of(db, "waits"), Map.of())).signature("shop", "api"))
                .isEqualTo(one.signature("shop", "api"));
        Coordinates baseline = Coordinates.of(BASELINE);
        assertThat(AppliedConditions.of(objects, new ObjectSync.Outcome(0, Map.of(baseline, "waits for its CRD"), Map.of()))
                .signature("shop", "api")).isNotEqualTo(one.signature("shop", "api"));
        assertThat(AppliedConditions.of(objects, new ObjectSync.Outcome(0, Map.of(), Map.of(Coordinates.of(DEPLOYMENT), "refused")))
                .signature("shop", "api")).isNotEqualTo(one.signature("shop", "api"));
        assertThat(AppliedConditions.of(List.of(DEPLOYMENT, ALLOW, BASELINE), new ObjectSync.Outcome(0, Map.of(), Map.of()))
                .signature("shop", "api")).as("one object fewer").isNotEqualTo(one.signature("shop", "api"));
    }
}
