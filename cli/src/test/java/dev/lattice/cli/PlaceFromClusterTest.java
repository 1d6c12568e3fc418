package dev.lattice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.model.Kind;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.testfixtures.Examples;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lattice place against a Kubernetes API (fabric8's mock server in CRUD mode) holding the dc-chicago example. */
@EnableKubernetesMockClient(crud = true, https = false)
class PlaceFromClusterTest {
    KubernetesClient client;

    @TempDir
    Path dir;

    Path kubeconfig;

    @BeforeEach
    void loadTheExampleIntoTheCluster() throws Exception {
        for (String file : List.of("pool.yaml", "clusters.yaml", "services.yaml")) {
            String text = Files.readString(Examples.dir().resolve("dc-chicago").resolve(file));
            for (String doc : text.split("(?m)^---\\s*$")) {
                GenericKubernetesResource r = client.getKubernetesSerialization().unmarshal(doc, GenericKubernetesResource.class);
                Kind kind = Kind.byName(r.getKind()).orElseThrow();
                var resources = client.genericKubernetesResources(LiveInputs.context(kind));
                (kind.namespaced() ? resources.inNamespace("default") : resources).resource(r).create();
            }
        }
        kubeconfig = MockKubeconfig.write(dir, client);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> status(String service) {
        GenericKubernetesResource r = client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_SERVICE))
                .inNamespace("default").withName(service).get();
        return (Map<String, Object>) r.getAdditionalProperties().get("status");
    }

    @Test
    @SuppressWarnings("unchecked")
    void recordsEachDecisionInTheServicesStatus() {
        CliRun run = CliRun.of("place", "--kubeconfig", kubeconfig.toString(), "--context", "mock");
        assertThat(run.exitCode()).as(run.dump()).isZero();
        assertThat(run.out()).contains("patient-api   default     prod-critical", "website       default     prod-general");
        assertThat(run.err()).contains("recorded 3 of 3 decisions").doesNotContain("not-a-real-secret");

        Map<String, Object> status = status("patient-api");
        assertThat(status).containsEntry("phase", "Scheduled").containsEntry("cluster", "prod-critical");
        List<Map<String, Object>> conditions = (List<Map<String, Object>>) status.get("conditions");
        assertThat(conditions).singleElement().satisfies(c -> {
            assertThat(c).containsEntry("type", "Scheduled").containsEntry("status", "True").containsEntry("reason", "Placed");
            assertThat((String) c.get("lastTransitionTime")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        });

        // Level-based: a second run changes nothing, and keeps the transition time.
        CliRun again = CliRun.of("place", "--kubeconfig", kubeconfig.toString());
        assertThat(again.err()).contains("recorded 0 of 3 decisions");
        assertThat(status("patient-api")).isEqualTo(status);
    }

    @Test
    @SuppressWarnings("unchecked")
    void recordsWhyAServiceCannotBePlaced() {
        GenericKubernetesResource vault = client.getKubernetesSerialization().unmarshal("""
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeService
                metadata: {name: card-vault, namespace: default}
                spec:
                  containers: {main: {image: vault:1}}
                  requirements: {placement: "cluster.labels.compliance == 'pci'"}
                """, GenericKubernetesResource.class);
        client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_SERVICE)).inNamespace("default").resource(vault).create();
        CliRun run = CliRun.of("place", "--kubeconfig", kubeconfig.toString());
        assertThat(run.exitCode()).as(run.dump()).isEqualTo(3);
        Map<String, Object> status = status("card-vault");
        assertThat(status).containsEntry("phase", "Unschedulable").doesNotContainKey("cluster");
        assertThat((List<Map<String, Object>>) status.get("conditions")).singleElement().satisfies(c -> assertThat(c)
                .containsEntry("status", "False").containsEntry("reason", "NoMatchingCluster")
                .hasEntrySatisfying("message", m -> assertThat((String) m).startsWith("No cluster with labels.compliance=pci")));
    }

    @Test
    void dryRunOnlyPrints() {
        CliRun run = CliRun.of("place", "--dry-run", "-o", "json", "--kubeconfig", kubeconfig.toString());
        assertThat(run.exitCode()).as(run.dump()).isZero();
        assertThat(run.out()).contains("\"cluster\" : \"prod-critical\"");
        assertThat(status("patient-api")).isNull();
    }

    @Test
    void liveObjectsAreHeldToTheSameRulesAsFiles() {
        GenericKubernetesResource bad = client.getKubernetesSerialization().unmarshal("""
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeService
                metadata: {name: broken, namespace: default}
                spec:
                  containers: {main: {image: x}}
                  requirements: {placement: "cluster.lables.tier == 'gold'"}
                """, GenericKubernetesResource.class);
        client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_SERVICE)).inNamespace("default").resource(bad).create();
        CliRun run = CliRun.of("place", "--kubeconfig", kubeconfig.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("cluster:LatticeService/default/broken:")
                .contains("invalid placement rule: undefined field 'lables'");
    }

    @Test
    void poolStatusReadsTheClusterToo() {
        CliRun run = CliRun.of("pool", "status", "--kubeconfig", kubeconfig.toString(), "--context", "mock");
        assertThat(run.exitCode()).as(run.dump()).isZero();
        assertThat(run.out()).contains("dc-chicago   StaticPool   780/2560   3120Gi/10Ti");
    }

    @Test
    void withoutFilesReadsTheCurrentContextAsKubectlDoes() {
        String before = System.getProperty("kubeconfig");
        System.setProperty("kubeconfig", kubeconfig.toString()); // what $KUBECONFIG says, as fabric8 reads it
        try {
            CliRun place = CliRun.of("place", "--dry-run");
            assertThat(place.exitCode()).as(place.dump()).isZero();
            assertThat(place.out()).contains("patient-api   default     prod-critical");
            CliRun pools = CliRun.of("pool", "status", "-o", "json");
            assertThat(pools.exitCode()).as(pools.dump()).isZero();
            assertThat(pools.out()).contains("\"name\" : \"dc-chicago\"");
        } finally {
            if (before == null) {
                System.clearProperty("kubeconfig");
            } else {
                System.setProperty("kubeconfig", before);
            }
        }
    }

    @Test
    void aPlacedServiceStaysWhenABetterClusterArrives() {
        assertThat(CliRun.of("place", "--kubeconfig", kubeconfig.toString()).exitCode()).isZero();
        // A new, much larger general cluster: placed afresh, website would go there.
        GenericKubernetesResource bigger = client.getKubernetesSerialization().unmarshal("""
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: prod-huge, labels: {environment: prod}}
                spec:
                  pool: dc-chicago
                  controlPlane: {replicas: 1, machineType: medium}
                  workers: {replicas: 40, machineType: large}
                """, GenericKubernetesResource.class);
        client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).resource(bigger).create();
        CliRun run = CliRun.of("place", "--dry-run", "-o", "json", "--kubeconfig", kubeconfig.toString());
        assertThat(run.exitCode()).as(run.dump()).isZero();
        assertThat(run.out()).contains("\"service\" : \"website\"").doesNotContain("\"moved\"")
                .doesNotContain("\"cluster\" : \"prod-huge\"");
    }

    @Test
    void dryRunSaysWhichServicesWouldMoveAndWhy() {
        assertThat(CliRun.of("place", "--kubeconfig", kubeconfig.toString()).exitCode()).isZero();
        client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName("prod-general").delete();
        CliRun run = CliRun.of("place", "--dry-run", "--kubeconfig", kubeconfig.toString());
        assertThat(run.out()).containsPattern("website +default +\\S+ +\\S+ +moves from prod-general \\(ClusterGone\\)");
        assertThat(run.err()).contains("note: 1 service leaves the cluster it was placed on");
        CliRun json = CliRun.of("place", "--dry-run", "-o", "json", "--kubeconfig", kubeconfig.toString());
        assertThat(json.out()).contains("\"moved\" : {", "\"from\" : \"prod-general\"", "\"reason\" : \"ClusterGone\"");
    }

    @Test
    void eitherFilesOrACluster() {
        CliRun run = CliRun.of("place", "-f", "x.yaml", "--kubeconfig", kubeconfig.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("error: read either files (-f) or a cluster (--kubeconfig/--context), not both");
    }
}
