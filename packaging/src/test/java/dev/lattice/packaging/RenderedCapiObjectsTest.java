package dev.lattice.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.Pool;
import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Parser;
import dev.lattice.core.render.Manifests;
import dev.lattice.testfixtures.Examples;
import dev.lattice.testfixtures.SharedCrds;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;


/**
 * Every Cluster API object the cluster renderer writes is one the real providers' CRDs (../shared/crds, the
 * releases {@link dev.lattice.core.capi.CapiVersions} pins) accept, in the version it is written in.
 */
@DisplayName("rendered Cluster API objects")
class RenderedCapiObjectsTest {

    /** Every provider with each bootstrap, autoscaling, labels, taints, root volumes and a parent. */
    private static final String EDGES = """
            apiVersion: lattice.dev/v1alpha1
            kind: LatticeCluster
            metadata: {name: PROVIDER-BOOT}
            spec:
              provider:
                kubernetes: {version: "1.31", bootstrap: BOOT}
                config: CONFIG
              nodes:
                controlPlane: {replicas: 3, instanceType: TYPE, rootVolume: {sizeGb: 80, type: fast}}
                workerPools:
                  batch:
                    instanceType: TYPE
                    rootVolume: {sizeGb: 200}
                    min: 0
                    max: 20
                    labels: {workload: batch}
                    taints: [{key: dedicated, value: batch, effect: NoSchedule}]
                  general: {replicas: 4}
              networking: {pods: [10.10.0.0/16], services: [10.20.0.0/16], serviceDomain: corp.local}
            """;

    private static final Map<String, String> CONFIGS = Map.of(
            "docker", "{docker: {nodeImage: 'kindest/node:v1.31.0'}}",
            "aws", "{aws: {region: eu-west-1, sshKeyName: ops, vpcId: vpc-1, subnetIds: [subnet-1, subnet-2], amiId: ami-1, iamInstanceProfile: nodes}}",
            "openstack", "{openstack: {cloud: prod, network: private, externalNetwork: ext, image: ubuntu-22.04, sshKeyName: ops}}",
            "proxmox", "{proxmox: {node: pve1, storage: local-lvm, templateId: 9000, bridge: vmbr0, controlPlaneEndpoint: 10.0.0.10, "
                    + "ipv4Addresses: [10.0.0.20-10.0.0.60], ipv4Prefix: 24, gateway: 10.0.0.1, dnsServers: [10.0.0.1]}}");

    static Stream<Arguments> objects() {
        List<Arguments> out = new ArrayList<>();
        for (String example : List.of("docker-laptop", "aws-production", "proxmox-quickstart", "dc-chicago", "multi-pool")) {
            Inputs inputs = Parser.read(List.of(Examples.dir().resolve(example).toString()), new ByteArrayInputStream(new byte[0]));
            add(out, "examples/" + example, inputs);
        }
        for (String provider : CONFIGS.keySet().stream().sorted().toList()) {
            for (String boot : List.of("kubeadm", "rke2")) {
                String type = provider.equals("proxmox") ? "{cores: 4, memoryGib: 8, diskGib: 60, sockets: 2}" : "m5.xlarge";
                String yaml = EDGES.replace("PROVIDER", provider).replace("BOOT", boot)
                        .replace("CONFIG", CONFIGS.get(provider)).replace("TYPE", type);
                add(out, provider + "/" + boot, Parser.parse(List.of(new InputReader.Input("edges.yaml", yaml))));
            }
        }
        return out.stream();
    }

    private static void add(List<Arguments> out, String source, Inputs inputs) {
        for (LatticeCluster cluster : inputs.clusters()) {
            Pool pool = inputs.poolOf(cluster).orElse(null);
            ClusterRenderer.Parent parent = new ClusterRenderer.Parent("10.0.0.5", 8443, cluster.name() + "-bootstrap-token",
                    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
            for (Map<String, Object> object : Manifests.trees(ClusterRenderer.render(cluster, pool, parent).objects())) {
                @SuppressWarnings("unchecked")
                String name = ((Map<String, Object>) object.get("metadata")).get("name").toString();
                out.add(Arguments.of(source + ": " + object.get("kind") + "/" + name, object));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("objects")
    void conformsToTheProvidersCrd(String name, Map<String, Object> object) {
        assumeTrue(SharedCrds.dir().isPresent(), SharedCrds::absence);
        assertThat(SharedCrds.violations(object)).as(name).isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void rke2MachinesCarryTheControlPlanesReleaseInTheFormItsCrdRequires() {
        assumeTrue(SharedCrds.dir().isPresent(), SharedCrds::absence);
        Map<String, Object> versionSchema = (Map<String, Object>) ((Map<String, Object>) SharedCrds
                .schema(dev.lattice.core.capi.CapiVersions.RKE2_CONTROL_PLANE_API, "RKE2ControlPlane").orElseThrow()
                .get("properties")).get("spec");
        String pattern = (String) ((Map<String, Object>) ((Map<String, Object>) versionSchema.get("properties")).get("version"))
                .get("pattern");
        assertThat(pattern).as("the real CRD constrains the version").contains("rke2r");
        List<Map<String, Object>> rke2 = objects().filter(a -> a.get()[0].toString().contains("/rke2:"))
                .map(a -> (Map<String, Object>) a.get()[1]).toList();
        String controlPlane = rke2.stream().filter(o -> "RKE2ControlPlane".equals(o.get("kind")))
                .map(o -> ((Map<String, Object>) o.get("spec")).get("version").toString()).findFirst().orElseThrow();
        assertThat(java.util.regex.Pattern.compile(pattern).matcher(controlPlane).find()).as(controlPlane).isTrue();
        assertThat(rke2.stream().filter(o -> "MachineDeployment".equals(o.get("kind"))))
                .isNotEmpty()
                .allSatisfy(md -> assertThat(((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) md.get("spec"))
                        .get("template")).get("spec")).get("version")).isEqualTo(controlPlane));
    }

    @Test
    void theCheckWouldCatchAFieldTheCrdDoesNotHave() {
        assumeTrue(SharedCrds.dir().isPresent(), SharedCrds::absence);
        Map<String, Object> object = objects().map(a -> a.get()[1]).map(o -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) o;
            return m;
        }).filter(o -> "MachineDeployment".equals(o.get("kind"))).findFirst().orElseThrow();
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = new java.util.LinkedHashMap<>((Map<String, Object>) object.get("spec"));
        spec.put("replica", 3);
        Map<String, Object> wrong = new java.util.LinkedHashMap<>(object);
        wrong.put("spec", spec);
        assertThat(SharedCrds.violations(wrong)).anySatisfy(v -> assertThat(v).contains("spec.replica: unknown field"));
    }
}
