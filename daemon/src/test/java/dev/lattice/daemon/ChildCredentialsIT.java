package dev.lattice.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.core.LatticeException;
import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.Pool;
import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Parser;
import dev.lattice.engine.charts.ChartStore;
import dev.lattice.engine.charts.HelmCharts;
import dev.lattice.engine.install.ChildProvisioning;
import dev.lattice.engine.install.Progress;
import dev.lattice.engine.kube.Applier;
import dev.lattice.testfixtures.Envtest;
import dev.lattice.testfixtures.SharedCharts;
import dev.lattice.testfixtures.SharedCrds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A parent daemon provisions an OpenStack child with the provider's variables from the pool's credentials Secret, as
 * {@code lattice install} takes them, under the daemon's own RBAC on a real API server with the real Cluster API and
 * OpenStack CRDs: the Cluster API objects carry the Secret's settings and the cloud-config Secret CAPO reads is there
 * beside them. A Secret that is missing, or leaves variables unset, is named in the error, with no value in it.
 */
@SuppressWarnings("unchecked")
class ChildCredentialsIT {
    private static final String CLOUDS = Base64.getEncoder().encodeToString("clouds: {lab: {auth: {password: hunter2}}}\n".getBytes(StandardCharsets.UTF_8));
    private static final String FLEET = """
            apiVersion: lattice.dev/v1alpha1
            kind: StaticPool
            metadata: {name: dc}
            spec:
              provider: openstack
              credentialsRef: {name: dc-openstack}
              capacity: {cores: 256, memory: 1Ti}
              machineTypes:
                - {name: large, cores: 16, memory: 64Gi}
            ---
            apiVersion: lattice.dev/v1alpha1
            kind: LatticeCluster
            metadata: {name: kid}
            spec:
              pool: dc
              nodes:
                controlPlane: {replicas: 1, instanceType: large}
                workerPools: {general: {replicas: 2, instanceType: large}}
            """;

    @TempDir
    Path cache;

    @Test
    void aChildsProviderSettingsComeFromItsPoolsCredentialsSecret() throws Exception {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        assumeTrue(SharedCrds.dir().isPresent(), SharedCrds.absence());
        assumeTrue(SharedCharts.dir().isPresent(), SharedCharts.absence());
        try (Envtest api = Envtest.start()) {
            KubernetesClient admin = api.client();
            SharedCrds.install(admin, "capi/core/cluster.x-k8s.io_clusters.yaml", "capi/core/cluster.x-k8s.io_machinedeployments.yaml",
                    "capi/core/addons.cluster.x-k8s.io_clusterresourcesets.yaml",
                    "capi/kubeadm-controlplane/controlplane.cluster.x-k8s.io_kubeadmcontrolplanes.yaml",
                    "capi/kubeadm-bootstrap/bootstrap.cluster.x-k8s.io_kubeadmconfigtemplates.yaml",
                    "capi/openstack/infrastructure.cluster.x-k8s.io_openstackclusters.yaml",
                    "capi/openstack/infrastructure.cluster.x-k8s.io_openstackmachinetemplates.yaml");
            KubernetesClient daemon = Kube.asDaemon(admin, "parent");
            Inputs fleet = Parser.parse(List.of(new InputReader.Input("fleet.yaml", FLEET)));
            LatticeCluster kid = fleet.cluster("kid").orElseThrow();
            Pool pool = fleet.poolOf(kid).orElseThrow();
            // What the child reconciler applies before provisioning: the child's namespace, Secrets role bound there.
            new Applier(daemon).apply(ChildProvisioning.tokenObjects("kid", "t0ken"), Duration.ofSeconds(30));
            ChildProvisioning engine = new ChildProvisioning(daemon, null, new HelmCharts(ChartStore.fromRepositories(SharedCharts.dir().get(), cache)),
                    name -> null, Duration.ofSeconds(30), Duration.ofMillis(200), Progress.NONE);
            ClusterRenderer.Parent home = new ClusterRenderer.Parent("10.0.0.1", 8443, ChildProvisioning.tokenSecret("kid"), null);

            assertThatThrownBy(() -> engine.apply(kid, pool, home)).isInstanceOf(LatticeException.class)
                    .hasMessageContaining("lattice-system/dc-openstack").hasMessageContaining("no such Secret");

            Map<String, String> some = Map.of("OPENSTACK_CLOUD_YAML_B64", CLOUDS, "OPENSTACK_CLOUD", "lab");
            admin.secrets().resource(secret(some)).create();
            assertThatThrownBy(() -> engine.apply(kid, pool, home)).isInstanceOf(LatticeException.class)
                    .hasMessageContaining("OPENSTACK_IMAGE_NAME").hasMessageContaining("neither the credentials Secret of pool dc")
                    .hasMessageNotContaining(CLOUDS).hasMessageNotContaining("hunter2")
                    .satisfies(e -> assertThat(((LatticeException) e).nextStep()).contains("credentialsRef"));
            assertThat(admin.genericKubernetesResources("cluster.x-k8s.io/v1beta1", "Cluster").inAnyNamespace().list().getItems())
                    .as("nothing applied when variables are missing").isEmpty();

            admin.secrets().resource(secret(Map.of("OPENSTACK_CLOUD_YAML_B64", CLOUDS, "OPENSTACK_CLOUD", "lab",
                    "OPENSTACK_EXTERNAL_NETWORK_NAME", "ext-net", "OPENSTACK_IMAGE_NAME", "ubuntu-2204-kube-v1.31",
                    "OPENSTACK_CONTROL_PLANE_MACHINE_FLAVOR", "m1.large", "OPENSTACK_NODE_MACHINE_FLAVOR", "m1.large",
                    "OPENSTACK_SSH_KEY_NAME", "lab-key", "OPENSTACK_DNS_NAMESERVERS", "10.0.0.2", "OPENSTACK_FAILURE_DOMAIN", "az1")))
                    .update();
            assertThat(engine.apply(kid, pool, home)).isPositive();
            String namespace = ClusterRenderer.namespaceOf("kid");
            GenericKubernetesResource cluster = admin.genericKubernetesResources("infrastructure.cluster.x-k8s.io/v1beta1", "OpenStackCluster")
                    .inNamespace(namespace).withName("kid").get();
            assertThat(cluster).as("OpenStackCluster kid").isNotNull();
            Map<String, Object> identity = (Map<String, Object>) ((Map<String, Object>) cluster.getAdditionalProperties().get("spec")).get("identityRef");
            assertThat(identity).containsEntry("name", "kid-cloud-config").containsEntry("cloudName", "lab");
            Secret cloudConfig = admin.secrets().inNamespace(namespace).withName("kid-cloud-config").get();
            assertThat(cloudConfig).as("the Secret CAPO reads").isNotNull();
            assertThat(cloudConfig.getData()).containsEntry("clouds.yaml", CLOUDS);
            assertThat(cloudConfig.getMetadata().getLabels()).containsKey("clusterctl.cluster.x-k8s.io/move");
        }
    }

    private static Secret secret(Map<String, String> values) {
        return new SecretBuilder().withNewMetadata().withNamespace("lattice-system").withName("dc-openstack").endMetadata()
                .withStringData(values).build();
    }
}
