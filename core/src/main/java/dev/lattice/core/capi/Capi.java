package dev.lattice.core.capi;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;
import java.util.Map;

/**
 * The parts of the Cluster API kinds Lattice renders (core, kubeadm and RKE2 bootstrap and control plane), as typed
 * records; absent (null) fields are left out when written.
 */
public final class Capi {
    private Capi() {
    }

    /** A reference to another object by API version, kind and name (in the same namespace). */
    public record Ref(String apiVersion, String kind, String name) {
    }

    /** A template kind's spec: {@code spec.template.spec}. */
    public record TemplateSpec<S>(Template<S> template) {
        public static <S> TemplateSpec<S> of(S spec) {
            return new TemplateSpec<>(new Template<>(spec));
        }
    }

    public record Template<S>(S spec) {
    }

    // -- Cluster

    public record ClusterSpec(ClusterNetwork clusterNetwork, Ref controlPlaneRef, Ref infrastructureRef) {
    }

    public record ClusterNetwork(CidrBlocks pods, CidrBlocks services, String serviceDomain) {
    }

    public record CidrBlocks(List<String> cidrBlocks) {
    }

    // -- MachineDeployment

    /** {@code replicas} is null for a pool the autoscaler sizes. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MachineDeploymentSpec(String clusterName, Integer replicas, LabelSelector selector, MachineTemplateSpec template) {
    }

    public record MachineTemplateSpec(MachineMetadata metadata, MachineSpec spec) {
    }

    public record MachineMetadata(Map<String, String> labels) {
    }

    public record MachineSpec(String clusterName, String version, Bootstrap bootstrap, Ref infrastructureRef) {
    }

    public record Bootstrap(Ref configRef) {
    }

    // -- kubeadm

    public record KubeadmControlPlaneSpec(int replicas, String version, MachineInfrastructure machineTemplate,
                                          KubeadmConfigSpec kubeadmConfigSpec) {
    }

    public record MachineInfrastructure(Ref infrastructureRef) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record KubeadmConfigSpec(ClusterConfiguration clusterConfiguration, NodeConfiguration initConfiguration,
                                    NodeConfiguration joinConfiguration, List<File> files, List<String> preKubeadmCommands,
                                    List<String> postKubeadmCommands) {
    }

    public record ClusterConfiguration(ApiServer apiServer) {
    }

    public record ApiServer(@JsonProperty("certSANs") List<String> certSans) {
    }

    public record NodeConfiguration(NodeRegistration nodeRegistration) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NodeRegistration(Map<String, String> kubeletExtraArgs, List<Taint> taints) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Taint(String key, String value, String effect) {
    }

    /** A file written to the node: its {@code content}, or {@code contentFrom} a Secret's key. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record File(String path, String owner, String permissions, String content, ContentFrom contentFrom) {
    }

    public record ContentFrom(SecretKey secret) {
    }

    public record SecretKey(String name, String key) {
    }

    /** The worker config template's spec: how a node joins (nothing to say is an empty spec). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record KubeadmConfig(NodeConfiguration joinConfiguration) {
    }

    // -- RKE2

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Rke2ControlPlaneSpec(int replicas, String version, Ref infrastructureRef, String registrationMethod,
                                       RolloutStrategy rolloutStrategy, AgentConfig agentConfig, ServerConfig serverConfig, List<File> files,
                                       @JsonProperty("preRKE2Commands") List<String> preRke2Commands,
                                       @JsonProperty("postRKE2Commands") List<String> postRke2Commands) {
    }

    public record RolloutStrategy(String type, RollingUpdate rollingUpdate) {
    }

    public record RollingUpdate(int maxSurge) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ServerConfig(String cni, List<String> tlsSan) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Rke2Config(AgentConfig agentConfig, @JsonProperty("preRKE2Commands") List<String> preRke2Commands) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AgentConfig(List<String> nodeLabels, List<String> nodeTaints, Kubelet kubelet) {
    }

    /** Arguments for the kubelet of an RKE2 node, each {@code flag=value}. */
    public record Kubelet(List<String> extraArgs) {
    }
}
