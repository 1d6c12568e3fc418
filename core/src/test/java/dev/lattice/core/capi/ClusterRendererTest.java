package dev.lattice.core.capi;

import static dev.lattice.core.render.Tree.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.render.Manifests;
import dev.lattice.core.io.Documents;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Parser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClusterRendererTest {
    private static final Path EXAMPLES = Path.of("..", "examples");
    private static final Path GOLDEN = Path.of("src", "test", "resources", "dev", "lattice", "core", "capi");

    static String golden(Inputs inputs) {
        StringBuilder out = new StringBuilder();
        for (LatticeCluster cluster : inputs.clusters()) {
            ClusterRenderer.Rendered r = ClusterRenderer.render(cluster, inputs.poolOf(cluster).orElse(null), null);
            out.append("# cluster ").append(cluster.name()).append(" in namespace ").append(r.namespace())
                    .append(r.variables().isEmpty() ? "" : "; variables: " + String.join(", ", r.variables())).append('\n');
            out.append(Documents.yamlStream(r.objects()));
        }
        return out.toString();
    }

    private static Inputs read(String yaml) {
        return Parser.parse(List.of(new InputReader.Input("in.yaml", yaml)));
    }

    @DisplayName("golden files: one per example with clusters, a provider each")
    @ParameterizedTest(name = "examples/{0}")
    @ValueSource(strings = {"docker-laptop", "aws-production", "proxmox-quickstart", "dc-chicago", "multi-pool"})
    void examplesRenderToTheirGoldenFile(String example) throws IOException {
        Inputs inputs = Parser.read(List.of(EXAMPLES.resolve(example).toString()), new ByteArrayInputStream(new byte[0]));
        String actual = golden(inputs);
        Path file = GOLDEN.resolve(example + ".golden.yaml");
        if (Boolean.getBoolean("lattice.update-golden")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(file, actual);
        }
        assertThat(Files.exists(file)).as(file + " is missing; run with -Dlattice.update-golden=true to write it").isTrue();
        assertThat(actual).as("regenerate with -Dlattice.update-golden=true after checking the difference")
                .isEqualTo(Files.readString(file));
    }

    private static final String AUTOSCALED = """
            apiVersion: lattice.dev/v1alpha1
            kind: LatticeCluster
            metadata: {name: edge}
            spec:
              provider:
                kubernetes: {version: "1.31", bootstrap: BOOTSTRAP}
                config: {aws: {region: eu-west-1}}
              nodes:
                controlPlane: {replicas: 3, instanceType: m5.large}
                workerPools:
                  batch:
                    instanceType: m5.2xlarge
                    min: 1
                    max: 20
                    labels: {workload: batch, team: data}
                    taints: [{key: dedicated, value: batch, effect: NoSchedule}, {key: spot, effect: NoExecute}]
            """;

    private static Map<String, Object> find(ClusterRenderer.Rendered r, String kind) {
        return Manifests.trees(r.objects()).stream().filter(o -> kind.equals(o.get("kind"))).findFirst().orElseThrow();
    }

    @Test
    void anAutoscaledPoolHasTheAutoscalerBoundsAndNoReplicasForLatticeToFightOver() {
        ClusterRenderer.Rendered r = ClusterRenderer.render(read(AUTOSCALED.replace("BOOTSTRAP", "kubeadm")).clusters().get(0), null, null);
        Map<String, Object> md = find(r, "MachineDeployment");
        assertThat(at(md, "metadata", "annotations").toString())
                .isEqualTo("{" + ClusterRenderer.AUTOSCALER_MIN + "=1, " + ClusterRenderer.AUTOSCALER_MAX + "=20}");
        assertThat((Map<String, Object>) at(md, "spec")).doesNotContainKey("replicas");
    }

    @Test
    void kubeadmWorkersGetTheirLabelsAndTaintsAtJoin() {
        ClusterRenderer.Rendered r = ClusterRenderer.render(read(AUTOSCALED.replace("BOOTSTRAP", "kubeadm")).clusters().get(0), null, null);
        Map<String, Object> registration = at(find(r, "KubeadmConfigTemplate"), "spec", "template", "spec", "joinConfiguration", "nodeRegistration");
        assertThat(at(registration, "kubeletExtraArgs", "node-labels").toString()).isEqualTo("team=data,workload=batch");
        assertThat(at(registration, "taints").toString())
                .isEqualTo("[{key=dedicated, value=batch, effect=NoSchedule}, {key=spot, effect=NoExecute}]");
    }

    @Test
    void rke2WorkersGetTheirLabelsAndTaintsAsAgentConfigAndTheControlPlaneAnRke2Version() {
        ClusterRenderer.Rendered r = ClusterRenderer.render(read(AUTOSCALED.replace("BOOTSTRAP", "rke2")).clusters().get(0), null, null);
        assertThat(at(find(r, "RKE2ConfigTemplate"), "spec", "template", "spec", "agentConfig").toString())
                .isEqualTo("{nodeLabels=[team=data, workload=batch], nodeTaints=[dedicated=batch:NoSchedule, spot:NoExecute], "
                        + "kubelet={extraArgs=[cloud-provider=external]}}");
        // The kubelet arguments AWS needs, on the control plane too (as kubeadm's kubeletExtraArgs).
        assertThat(at(find(r, "RKE2ControlPlane"), "spec", "agentConfig").toString()).isEqualTo("{kubelet={extraArgs=[cloud-provider=external]}}");
        assertThat(at(find(r, "RKE2ControlPlane"), "spec", "version").toString()).isEqualTo("v1.31.0+rke2r1");
        assertThat(at(find(r, "MachineDeployment"), "spec", "template", "spec", "version").toString())
                .as("workers run the control plane's RKE2 release").isEqualTo("v1.31.0+rke2r1");
        assertThat(at(find(r, "MachineDeployment"), "spec", "template", "spec", "bootstrap", "configRef", "kind").toString())
                .isEqualTo("RKE2ConfigTemplate");
        assertThat(Manifests.trees(r.objects())).noneMatch(o -> o.get("kind").toString().startsWith("Kubeadm"));
    }

    @Test
    void anRke2ReleaseGivenInTheSpecIsKeptByTheControlPlaneAndTheWorkers() {
        String yaml = AUTOSCALED.replace("BOOTSTRAP", "rke2").replaceFirst("version: \"?[0-9.]+\"?", "version: v1.30.4+rke2r2");
        assertThat(yaml).contains("v1.30.4+rke2r2");
        ClusterRenderer.Rendered r = ClusterRenderer.render(read(yaml).clusters().get(0), null, null);
        assertThat(at(find(r, "RKE2ControlPlane"), "spec", "version").toString()).isEqualTo("v1.30.4+rke2r2");
        assertThat(at(find(r, "MachineDeployment"), "spec", "template", "spec", "version").toString()).isEqualTo("v1.30.4+rke2r2");
    }

    @Test
    void aChildFetchesItsManifestsFromTheParentWithATokenThatOnlyItsSecretHolds() {
        String ca = "-----BEGIN CERTIFICATE-----\nMIIBparent\n-----END CERTIFICATE-----\n";
        ClusterRenderer.Parent parent = new ClusterRenderer.Parent("10.0.0.5", 8443, "edge-bootstrap-token", ca);
        ClusterRenderer.Rendered r = ClusterRenderer.render(read(AUTOSCALED.replace("BOOTSTRAP", "kubeadm")).clusters().get(0), null, parent);
        Map<String, Object> spec = at(find(r, "KubeadmControlPlane"), "spec", "kubeadmConfigSpec");
        assertThat(at(spec, "files", "0", "contentFrom", "secret", "name").toString()).isEqualTo("edge-bootstrap-token");
        assertThat(at(spec, "postKubeadmCommands", "0").toString())
                .contains("https://10.0.0.5:8443/v1/clusters/edge/manifests")
                .contains("$(cat /etc/lattice/bootstrap-token)")
                .startsWith("kubectl --kubeconfig /etc/kubernetes/admin.conf get secret -n lattice-system lattice-parent >/dev/null 2>&1 || curl ")
                .contains("--cacert " + ClusterRenderer.PARENT_CA_FILE)
                .doesNotContain(" -k ", "-fsSk", "--insecure");
        assertThat(at(spec, "files", "1", "path").toString()).isEqualTo(ClusterRenderer.PARENT_CA_FILE);
        assertThat(at(spec, "files", "1", "content").toString()).isEqualTo(ca);
        ClusterRenderer.Rendered orphan = ClusterRenderer.render(read(AUTOSCALED.replace("BOOTSTRAP", "kubeadm")).clusters().get(0), null, null);
        assertThat((Map<String, Object>) at(find(orphan, "KubeadmControlPlane"), "spec", "kubeadmConfigSpec"))
                .doesNotContainKeys("files", "postKubeadmCommands");
    }

    @Test
    void everyObjectSitsInTheClustersNamespaceWithItsLabelsAndRefsPointAtRenderedObjects() {
        ClusterRenderer.Rendered r = ClusterRenderer.render(read(AUTOSCALED.replace("BOOTSTRAP", "kubeadm")).clusters().get(0), null, null);
        assertThat(r.namespace()).isEqualTo("capi-edge");
        for (Map<String, Object> o : Manifests.trees(r.objects())) {
            assertThat(at(o, "metadata", "namespace").toString()).isEqualTo("capi-edge");
            assertThat(at(o, "metadata", "labels", CapiVersions.CLUSTER_NAME_LABEL).toString()).isEqualTo("edge");
        }
        List<String> names = Manifests.trees(r.objects()).stream().map(o -> o.get("kind") + "/" + at(o, "metadata", "name")).toList();
        Map<String, Object> cluster = find(r, "Cluster");
        assertThat(names).contains(at(cluster, "spec", "controlPlaneRef", "kind") + "/" + at(cluster, "spec", "controlPlaneRef", "name"),
                at(cluster, "spec", "infrastructureRef", "kind") + "/" + at(cluster, "spec", "infrastructureRef", "name"));
        Map<String, Object> md = find(r, "MachineDeployment");
        assertThat(names).contains(
                at(md, "spec", "template", "spec", "bootstrap", "configRef", "kind") + "/" + at(md, "spec", "template", "spec", "bootstrap", "configRef", "name"),
                at(md, "spec", "template", "spec", "infrastructureRef", "kind") + "/" + at(md, "spec", "template", "spec", "infrastructureRef", "name"));
        // CAPI's webhook refuses a MachineDeployment whose template labels miss its selector; no API server checks it here.
        assertThat((Map<String, Object>) at(md, "spec", "template", "metadata", "labels"))
                .containsAllEntriesOf(at(md, "spec", "selector", "matchLabels"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.31:v1.31.0", "1.32.0:v1.32.0", "v1.30.2:v1.30.2", "1.29.1-rc.1:v1.29.1-rc.1"})
    void kubernetesVersionsGetTheFullSemverCapiWants(String pair) {
        String[] p = pair.split(":");
        assertThat(ClusterRenderer.kubernetesVersion(p[0])).isEqualTo(p[1]);
    }

    @Test
    void valuesNeitherClusterNorPoolGiveAreLeftAsTheProvidersOwnVariables() {
        ClusterRenderer.Rendered r = ClusterRenderer.render(read("""
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: lab}
                spec:
                  provider: {config: {proxmox: {templateId: 9000, node: pve1}}}
                  nodes: {controlPlane: {replicas: 1}}
                """).clusters().get(0), null, null);
        assertThat(r.variables()).containsExactly("BRIDGE", "CONTROL_PLANE_ENDPOINT_IP", "DNS_SERVERS", "GATEWAY", "NODE_IP_RANGES");
        assertThat(at(find(r, "ProxmoxMachineTemplate"), "spec", "template", "spec", "sourceNode").toString()).isEqualTo("pve1");
    }

    private static ClusterRenderer.Rendered proxmox(String bootstrap, String version) {
        return ClusterRenderer.render(read("""
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: lab}
                spec:
                  provider:
                    kubernetes: {version: "%s", bootstrap: %s}
                    config: {proxmox: {templateId: 9000, node: pve1, controlPlaneEndpoint: 10.0.0.10}}
                  nodes: {controlPlane: {replicas: 3}}
                """.formatted(version, bootstrap)).clusters().get(0), null, null);
    }

    @Test
    @DisplayName("Proxmox: kube-vip holds the control plane's address, as a static pod on every control-plane machine")
    void proxmoxControlPlanesCarryKubeVipForTheirEndpoint() {
        ClusterRenderer.Rendered r = proxmox("kubeadm", "1.31");
        assertThat(at(find(r, "ProxmoxCluster"), "spec", "controlPlaneEndpoint", "host").toString()).isEqualTo("10.0.0.10");
        List<Map<String, Object>> files = at(find(r, "KubeadmControlPlane"), "spec", "kubeadmConfigSpec", "files");
        Map<String, Object> file = files.stream().filter(f -> KubeVip.KUBEADM_MANIFEST.equals(f.get("path"))).findFirst().orElseThrow();
        Map<String, Object> pod = Documents.readStream((String) file.get("content")).get(0);
        assertThat(pod).containsEntry("kind", "Pod");
        assertThat(at(pod, "spec", "hostNetwork").toString()).isEqualTo("true");
        List<Map<String, Object>> env = at(pod, "spec", "containers", "0", "env");
        assertThat(env).contains(Map.of("name", "address", "value", "10.0.0.10"), Map.of("name", "port", "value", "6443"),
                Map.of("name", "cp_enable", "value", "true"), Map.of("name", "vip_leaderelection", "value", "true"));
        assertThat(at(pod, "spec", "containers", "0", "image").toString()).isEqualTo(KubeVip.IMAGE);
        assertThat(at(pod, "spec", "volumes", "0", "hostPath", "path").toString()).isEqualTo("/etc/kubernetes/admin.conf");
        // From 1.29 the first machine's kube-vip needs super-admin.conf until kubeadm has bound admin.conf's group.
        assertThat(at(find(r, "KubeadmControlPlane"), "spec", "kubeadmConfigSpec", "preKubeadmCommands").toString())
                .contains("/run/kubeadm/kubeadm.yaml", "super-admin.conf");
        assertThat(at(find(r, "KubeadmControlPlane"), "spec", "kubeadmConfigSpec", "postKubeadmCommands").toString())
                .contains("path: /etc/kubernetes/admin.conf");
        assertThat((Object) at(find(proxmox("kubeadm", "1.28.7"), "KubeadmControlPlane"), "spec", "kubeadmConfigSpec", "preKubeadmCommands"))
                .isNull();
        // CAPMOX matches machines to nodes by the provider ID the kubelet registers with.
        assertThat(at(find(r, "KubeadmControlPlane"), "spec", "kubeadmConfigSpec", "initConfiguration", "nodeRegistration",
                "kubeletExtraArgs", "provider-id").toString()).startsWith("proxmox://");

        ClusterRenderer.Rendered rke2 = proxmox("rke2", "1.31");
        Map<String, Object> cp = find(rke2, "RKE2ControlPlane");
        assertThat(at(cp, "spec", "serverConfig", "tlsSan").toString()).isEqualTo("[10.0.0.10]");
        List<Map<String, Object>> rke2Files = at(cp, "spec", "files");
        Map<String, Object> rke2File = rke2Files.stream().filter(f -> KubeVip.RKE2_MANIFEST.equals(f.get("path"))).findFirst().orElseThrow();
        assertThat((String) rke2File.get("content")).contains("path: /etc/rancher/rke2/rke2.yaml", "value: 10.0.0.10");
        // RKE2's configuration is not templated by cloud-init: the provider ID is written from cloud-init's data into a
        // drop-in before RKE2 starts.
        assertThat(at(cp, "spec", "preRKE2Commands").toString())
                .contains("cloud-init query ds.meta_data.instance_id", "'proxmox://'", "kubelet-arg+:", "/etc/rancher/rke2/config.yaml.d/");
    }

    @Test
    @DisplayName("OpenStack with RKE2: workers and control plane get the external cloud provider and their provider ID")
    void rke2MachinesNameThemselvesToTheirProvider() {
        ClusterRenderer.Rendered r = ClusterRenderer.render(read("""
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: dc}
                spec:
                  provider:
                    kubernetes: {version: "1.31", bootstrap: rke2}
                    config: {openstack: {cloud: chicago}}
                  nodes:
                    controlPlane: {replicas: 3}
                    workerPools: {general: {replicas: 2}}
                """).clusters().get(0), null, null);
        Map<String, Object> controlPlane = at(find(r, "RKE2ControlPlane"), "spec");
        Map<String, Object> workers = at(find(r, "RKE2ConfigTemplate"), "spec", "template", "spec");
        for (Map<String, Object> spec : List.of(controlPlane, workers)) {
            assertThat(at(spec, "agentConfig", "kubelet", "extraArgs").toString()).isEqualTo("[cloud-provider=external]");
            assertThat(at(spec, "preRKE2Commands").toString()).contains("'openstack:///'", "cloud-init query instance_id");
        }
        // kubeadm keeps the provider's own form: a Jinja template cloud-init renders.
        String kubeadm = Documents.yamlStream(ClusterRenderer.render(read("""
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: dc}
                spec:
                  provider: {config: {openstack: {cloud: chicago}}}
                  nodes: {controlPlane: {replicas: 1}}
                """).clusters().get(0), null, null).objects());
        assertThat(kubeadm).contains("provider-id: openstack:///'{{ instance_id }}'").doesNotContain("preRKE2Commands");
    }

    @Test
    void providersWithTheirOwnLoadBalancerGetNoKubeVip() {
        ClusterRenderer.Rendered r = ClusterRenderer.render(read("""
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: cloud}
                spec:
                  provider: {config: {aws: {region: eu-west-1}}}
                  nodes: {controlPlane: {replicas: 3}}
                """).clusters().get(0), null, null);
        assertThat(Documents.yamlStream(r.objects())).doesNotContain("kube-vip");
    }
}
