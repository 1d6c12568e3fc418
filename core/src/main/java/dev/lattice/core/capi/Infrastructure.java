package dev.lattice.core.capi;

import static dev.lattice.core.render.Tree.orNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lattice.core.model.InstanceType;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.LatticeCluster.RootVolume;
import dev.lattice.core.model.Provider;
import dev.lattice.core.model.StaticPool;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;

/**
 * What differs between infrastructure providers: the kinds and API version, the provider's cluster spec and
 * machine spec, and the kubelet arguments and API-server names it needs. Values the cluster and pool do not give
 * are clusterctl-style variables named as the provider's own cluster templates name them.
 */
abstract class Infrastructure {
    final ClusterRenderer r;

    Infrastructure(ClusterRenderer r) {
        this.r = r;
    }

    static Infrastructure of(Provider provider, ClusterRenderer r) {
        return switch (provider) {
            case DOCKER -> new Docker(r);
            case AWS -> new Aws(r);
            case OPENSTACK -> new OpenStack(r);
            case PROXMOX -> new Proxmox(r);
        };
    }

    abstract String apiVersion();

    abstract String clusterKind();

    abstract String machineTemplateKind();

    /** The spec of the provider's cluster kind. */
    abstract Object clusterSpec();

    /** The spec of a machine made from the provider's machine template kind. */
    abstract Object machineSpec(InstanceType type, RootVolume rootVolume, boolean controlPlane);

    /** Kubelet arguments the provider needs, all literal; the provider ID, which only the machine knows, is {@link #providerId}. */
    Map<String, String> kubeletArgs() {
        return Map.of();
    }

    /** How a machine's kubelet names itself to the provider (its provider ID), where the provider needs it; else null. */
    ProviderId providerId() {
        return null;
    }

    /** The kubelet's arguments for kubeadm: {@link #kubeletArgs} and the provider ID as cloud-init renders it on the machine. */
    final Map<String, String> kubeadmKubeletArgs() {
        Map<String, String> args = new TreeMap<>(kubeletArgs());
        ProviderId id = providerId();
        if (id != null) {
            args.put("provider-id", id.jinja());
        }
        return args;
    }

    /**
     * A provider ID: {@code scheme} followed by the instance ID that cloud-init's {@code variable} holds on the machine.
     * Cluster API matches a Machine to its Node by it.
     */
    record ProviderId(String scheme, String variable) {
        /** As kubeadm's configuration takes it: cloud-init renders the Jinja template (as the providers' own templates). */
        String jinja() {
            return scheme + "'{{ " + variable + " }}'";
        }

        /**
         * For RKE2, whose configuration cloud-init does not template: a command run before RKE2 starts that adds the
         * kubelet argument in a drop-in of RKE2's configuration, with the ID cloud-init reports.
         */
        String rke2Command() {
            return "mkdir -p /etc/rancher/rke2/config.yaml.d && printf 'kubelet-arg+:\\n  - \"provider-id=%s%s\"\\n' '" + scheme
                    + "' \"$(cloud-init query " + variable + ")\" > /etc/rancher/rke2/config.yaml.d/50-lattice-provider-id.yaml";
        }
    }

    List<String> certSans() {
        return List.of();
    }

    /** The virtual IP Lattice must put in front of the control plane (kube-vip), or null where the provider fronts it. */
    String virtualIp() {
        return null;
    }

    LatticeCluster.ProviderConfig config() {
        return r.cluster().spec().provider().config();
    }

    static String orVariable(String value, String variable) {
        return value != null ? value : "${" + variable + "}";
    }

    /** CAPD: machines are containers of the kindest/node image on the bootstrap machine's Docker engine. */
    static final class Docker extends Infrastructure {
        Docker(ClusterRenderer r) {
            super(r);
        }

        @Override
        String apiVersion() {
            return CapiVersions.DOCKER_API;
        }

        @Override
        String clusterKind() {
            return "DockerCluster";
        }

        @Override
        String machineTemplateKind() {
            return "DockerMachineTemplate";
        }

        /** CAPD needs nothing of its own for the cluster: an empty spec. */
        record ClusterSpec() {
        }

        record MachineSpec(String customImage) {
        }

        @Override
        Object clusterSpec() {
            return new ClusterSpec();
        }

        @Override
        Object machineSpec(InstanceType type, RootVolume rootVolume, boolean controlPlane) {
            LatticeCluster.DockerConfig docker = config().docker();
            return new MachineSpec(docker != null && docker.nodeImage() != null ? docker.nodeImage() : "kindest/node:" + r.version());
        }

        /** As CAPD's own templates: kubelet must not evict pods because the host's disk looks full. */
        @Override
        Map<String, String> kubeletArgs() {
            return Map.of("eviction-hard", "nodefs.available<0%,nodefs.inodesFree<0%,imagefs.available<0%");
        }

        @Override
        List<String> certSans() {
            return List.of("localhost", "127.0.0.1", "0.0.0.0", "host.docker.internal");
        }
    }

    /** CAPA: EC2 instances in the cluster's region; credentials reach the provider, never the objects. */
    static final class Aws extends Infrastructure {
        Aws(ClusterRenderer r) {
            super(r);
        }

        @Override
        String apiVersion() {
            return CapiVersions.AWS_API;
        }

        @Override
        String clusterKind() {
            return "AWSCluster";
        }

        @Override
        String machineTemplateKind() {
            return "AWSMachineTemplate";
        }

        private LatticeCluster.AwsConfig aws() {
            LatticeCluster.AwsConfig aws = config().aws();
            return aws != null ? aws : new LatticeCluster.AwsConfig(null, null, null, null, null, null);
        }

        @JsonInclude(JsonInclude.Include.NON_NULL)
        record ClusterSpec(String region, String sshKeyName, Network network) {
        }

        @JsonInclude(JsonInclude.Include.NON_NULL)
        record Network(Id vpc, List<Id> subnets) {
        }

        record Id(String id) {
        }

        @JsonInclude(JsonInclude.Include.NON_NULL)
        record MachineSpec(String instanceType, String iamInstanceProfile, String sshKeyName, Id ami, Volume rootVolume) {
        }

        @JsonInclude(JsonInclude.Include.NON_NULL)
        record Volume(int size, String type) {
        }

        @Override
        Object clusterSpec() {
            LatticeCluster.AwsConfig aws = aws();
            Id vpc = aws.vpcId() == null ? null : new Id(aws.vpcId());
            List<Id> subnets = orNull(aws.subnetIds().stream().map(Id::new).toList());
            return new ClusterSpec(orVariable(aws.region(), "AWS_REGION"), aws.sshKeyName(),
                    vpc == null && subnets == null ? null : new Network(vpc, subnets));
        }

        @Override
        Object machineSpec(InstanceType type, RootVolume rootVolume, boolean controlPlane) {
            LatticeCluster.AwsConfig aws = aws();
            String profile = aws.iamInstanceProfile() != null ? aws.iamInstanceProfile()
                    : controlPlane ? "control-plane.cluster-api-provider-aws.sigs.k8s.io" : "nodes.cluster-api-provider-aws.sigs.k8s.io";
            String instanceType = type instanceof InstanceType.Named n ? n.name()
                    : "${" + (controlPlane ? "AWS_CONTROL_PLANE_MACHINE_TYPE" : "AWS_NODE_MACHINE_TYPE") + "}";
            return new MachineSpec(instanceType, profile, aws.sshKeyName(), aws.amiId() == null ? null : new Id(aws.amiId()),
                    rootVolume == null ? null : new Volume(rootVolume.sizeGb(), rootVolume.type()));
        }

        /** Kubernetes has no in-tree AWS cloud provider since 1.27: the external one (installed with Lattice) takes over. */
        @Override
        Map<String, String> kubeletArgs() {
            return Map.of("cloud-provider", "external");
        }
    }

    /** CAPO: servers from a flavor and an image, credentials from a clouds.yaml Secret beside the objects. */
    static final class OpenStack extends Infrastructure {
        OpenStack(ClusterRenderer r) {
            super(r);
        }

        @Override
        String apiVersion() {
            return CapiVersions.OPENSTACK_API;
        }

        @Override
        String clusterKind() {
            return "OpenStackCluster";
        }

        @Override
        String machineTemplateKind() {
            return "OpenStackMachineTemplate";
        }

        private LatticeCluster.OpenStackConfig os() {
            LatticeCluster.OpenStackConfig os = config().openstack();
            return os != null ? os : new LatticeCluster.OpenStackConfig(null, null, null, null, null, null, null);
        }

        /** The Secret holding clouds.yaml that the install copies from the pool's credentials. */
        String cloudsSecret() {
            return r.name() + "-cloud-config";
        }

        @JsonInclude(JsonInclude.Include.NON_NULL)
        record ClusterSpec(IdentityRef identityRef, Filtered externalNetwork, Filtered network, List<Subnet> managedSubnets,
                           LoadBalancer apiServerLoadBalancer, SecurityGroups managedSecurityGroups) {
        }

        record IdentityRef(String type, String name, String cloudName) {
        }

        /** A resource found by name. */
        record Filtered(Filter filter) {
            static Filtered named(String name) {
                return new Filtered(new Filter(name));
            }
        }

        record Filter(String name) {
        }

        record Subnet(String cidr) {
        }

        record LoadBalancer(boolean enabled) {
        }

        record SecurityGroups(boolean allowAllInClusterTraffic) {
        }

        @JsonInclude(JsonInclude.Include.NON_NULL)
        record MachineSpec(String flavor, Filtered image, String sshKeyName, Volume rootVolume) {
        }

        @JsonInclude(JsonInclude.Include.NON_NULL)
        record Volume(@JsonProperty("sizeGiB") int sizeGib, String type) {
        }

        @Override
        Object clusterSpec() {
            LatticeCluster.OpenStackConfig os = os();
            String cloud = Optional.ofNullable(os.cloud()).or(() -> r.poolSetting("cloud")).orElse("${OPENSTACK_CLOUD}");
            String external = Optional.ofNullable(os.externalNetwork()).or(() -> r.poolSetting("externalNetwork"))
                    .orElse("${OPENSTACK_EXTERNAL_NETWORK_NAME}");
            String network = Optional.ofNullable(os.network()).or(() -> r.poolSetting("network")).orElse(null);
            return new ClusterSpec(new IdentityRef("Secret", cloudsSecret(), cloud),
                    Filtered.named(external),
                    network == null ? null : Filtered.named(network),
                    network == null ? List.of(new Subnet("10.6.0.0/24")) : null,
                    new LoadBalancer(true),
                    new SecurityGroups(true));
        }

        @Override
        Object machineSpec(InstanceType type, RootVolume rootVolume, boolean controlPlane) {
            LatticeCluster.OpenStackConfig os = os();
            String flavor = type instanceof InstanceType.Named n ? n.name()
                    : "${" + (controlPlane ? "OPENSTACK_CONTROL_PLANE_MACHINE_FLAVOR" : "OPENSTACK_NODE_MACHINE_FLAVOR") + "}";
            String image = Optional.ofNullable(os.image()).or(() -> r.poolSetting("image")).orElse("${OPENSTACK_IMAGE_NAME}");
            String key = Optional.ofNullable(os.sshKeyName()).or(() -> r.poolSetting("sshKeyName")).orElse(null);
            return new MachineSpec(flavor, Filtered.named(image), key, rootVolume == null ? null : new Volume(rootVolume.sizeGb(), rootVolume.type()));
        }

        @Override
        Map<String, String> kubeletArgs() {
            return Map.of("cloud-provider", "external");
        }

        @Override
        ProviderId providerId() {
            return new ProviderId("openstack:///", "instance_id");
        }
    }

    /** CAPMOX: VMs cloned from a template on a Proxmox node, addressed from a static range, kube-vip in front. */
    static final class Proxmox extends Infrastructure {
        Proxmox(ClusterRenderer r) {
            super(r);
        }

        @Override
        String apiVersion() {
            return CapiVersions.PROXMOX_API;
        }

        @Override
        String clusterKind() {
            return "ProxmoxCluster";
        }

        @Override
        String machineTemplateKind() {
            return "ProxmoxMachineTemplate";
        }

        private LatticeCluster.ProxmoxConfig px() {
            LatticeCluster.ProxmoxConfig px = config().proxmox();
            return px != null ? px : new LatticeCluster.ProxmoxConfig(null, null, null, null, null, null, List.of(), null, null, List.of());
        }

        @JsonInclude(JsonInclude.Include.NON_NULL)
        record ClusterSpec(Endpoint controlPlaneEndpoint, Ipv4Config ipv4Config, List<String> dnsServers, List<String> allowedNodes) {
        }

        record Endpoint(String host, int port) {
        }

        record Ipv4Config(List<String> addresses, int prefix, String gateway, int metric) {
        }

        @JsonInclude(JsonInclude.Include.NON_NULL)
        record MachineSpec(String sourceNode, @JsonProperty("templateID") Integer templateId, String storage, String format, boolean full,
                           int numSockets, int numCores, @JsonProperty("memoryMiB") long memoryMib, Disks disks, Networks network) {
        }

        record Disks(Disk bootVolume) {
        }

        record Disk(String disk, int sizeGb) {
        }

        record Networks(@JsonProperty("default") Nic defaultNic) {
        }

        record Nic(String bridge, String model) {
        }

        /** CAPMOX allocates no load balancer: the cluster's endpoint is an address kube-vip holds on the control plane. */
        @Override
        String virtualIp() {
            return orVariable(px().controlPlaneEndpoint(), "CONTROL_PLANE_ENDPOINT_IP");
        }

        /** CAPMOX finds a machine's node by the provider ID the kubelet registers with, its VM's instance ID. */
        @Override
        ProviderId providerId() {
            return new ProviderId("proxmox://", "ds.meta_data.instance_id");
        }

        @Override
        Object clusterSpec() {
            LatticeCluster.ProxmoxConfig px = px();
            List<String> addresses = px.ipv4Addresses().isEmpty() ? List.of("${NODE_IP_RANGES}") : px.ipv4Addresses();
            List<String> dns = px.dnsServers().isEmpty() ? List.of("${DNS_SERVERS}") : px.dnsServers();
            return new ClusterSpec(new Endpoint(virtualIp(), 6443),
                    new Ipv4Config(addresses, px.ipv4Prefix() == null ? 24 : px.ipv4Prefix(), orVariable(px.gateway(), "GATEWAY"), 100),
                    dns,
                    px.node() == null ? null : List.of(px.node()));
        }

        @Override
        Object machineSpec(InstanceType type, RootVolume rootVolume, boolean controlPlane) {
            LatticeCluster.ProxmoxConfig px = px();
            int cores = 2;
            int sockets = 1;
            long memoryMib = 4096;
            Integer disk = rootVolume == null ? null : rootVolume.sizeGb();
            if (type instanceof InstanceType.Explicit e) {
                cores = e.cores();
                sockets = e.sockets();
                memoryMib = 1024L * e.memoryGib();
                disk = disk != null ? disk : e.diskGib();
            } else {
                Optional<StaticPool.MachineType> named = r.machineType(type);
                if (named.isPresent()) {
                    cores = named.get().cores();
                    memoryMib = named.get().memory().value().divide(BigDecimal.valueOf(1024L * 1024), 0, RoundingMode.DOWN).longValue();
                }
            }
            return new MachineSpec(orVariable(px.node(), "PROXMOX_SOURCENODE"), px.templateId(), px.storage(), "qcow2", true,
                    sockets, cores, memoryMib, new Disks(new Disk("scsi0", disk == null ? 40 : disk)),
                    new Networks(new Nic(orVariable(px.bridge(), "BRIDGE"), "virtio")));
        }
    }
}
