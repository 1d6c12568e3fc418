package dev.lattice.core.capi;

import static dev.lattice.core.render.Tree.map;
import static dev.lattice.core.render.Tree.orNull;

import dev.lattice.core.model.InstanceType;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.LatticeCluster.RootVolume;
import dev.lattice.core.model.Provider;
import dev.lattice.core.model.StaticPool;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
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

    abstract Map<String, Object> clusterSpec();

    abstract Map<String, Object> machineSpec(InstanceType type, RootVolume rootVolume, boolean controlPlane);

    Map<String, String> kubeletArgs() {
        return Map.of();
    }

    List<String> certSans() {
        return List.of();
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

        @Override
        Map<String, Object> clusterSpec() {
            return map();
        }

        @Override
        Map<String, Object> machineSpec(InstanceType type, RootVolume rootVolume, boolean controlPlane) {
            LatticeCluster.DockerConfig docker = config().docker();
            String image = docker != null && docker.nodeImage() != null ? docker.nodeImage() : "kindest/node:" + r.version();
            return map("customImage", image);
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

        @Override
        Map<String, Object> clusterSpec() {
            LatticeCluster.AwsConfig aws = aws();
            Map<String, Object> network = map(
                    "vpc", aws.vpcId() == null ? null : map("id", aws.vpcId()),
                    "subnets", orNull(aws.subnetIds().stream().map(id -> (Object) map("id", id)).toList()));
            return map("region", orVariable(aws.region(), "AWS_REGION"),
                    "sshKeyName", aws.sshKeyName(),
                    "network", orNull(network));
        }

        @Override
        Map<String, Object> machineSpec(InstanceType type, RootVolume rootVolume, boolean controlPlane) {
            LatticeCluster.AwsConfig aws = aws();
            String profile = aws.iamInstanceProfile() != null ? aws.iamInstanceProfile()
                    : controlPlane ? "control-plane.cluster-api-provider-aws.sigs.k8s.io" : "nodes.cluster-api-provider-aws.sigs.k8s.io";
            String instanceType = type instanceof InstanceType.Named n ? n.name()
                    : "${" + (controlPlane ? "AWS_CONTROL_PLANE_MACHINE_TYPE" : "AWS_NODE_MACHINE_TYPE") + "}";
            return map("instanceType", instanceType,
                    "iamInstanceProfile", profile,
                    "sshKeyName", aws.sshKeyName(),
                    "ami", aws.amiId() == null ? null : map("id", aws.amiId()),
                    "rootVolume", rootVolume == null ? null : map("size", rootVolume.sizeGb(), "type", rootVolume.type()));
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

        @Override
        Map<String, Object> clusterSpec() {
            LatticeCluster.OpenStackConfig os = os();
            String cloud = Optional.ofNullable(os.cloud()).or(() -> r.poolSetting("cloud")).orElse("${OPENSTACK_CLOUD}");
            String external = Optional.ofNullable(os.externalNetwork()).or(() -> r.poolSetting("externalNetwork"))
                    .orElse("${OPENSTACK_EXTERNAL_NETWORK_NAME}");
            String network = Optional.ofNullable(os.network()).or(() -> r.poolSetting("network")).orElse(null);
            return map("identityRef", map("type", "Secret", "name", cloudsSecret(), "cloudName", cloud),
                    "externalNetwork", map("filter", map("name", external)),
                    "network", network == null ? null : map("filter", map("name", network)),
                    "managedSubnets", network == null ? List.of(map("cidr", "10.6.0.0/24")) : null,
                    "apiServerLoadBalancer", map("enabled", true),
                    "managedSecurityGroups", map("allowAllInClusterTraffic", true));
        }

        @Override
        Map<String, Object> machineSpec(InstanceType type, RootVolume rootVolume, boolean controlPlane) {
            LatticeCluster.OpenStackConfig os = os();
            String flavor = type instanceof InstanceType.Named n ? n.name()
                    : "${" + (controlPlane ? "OPENSTACK_CONTROL_PLANE_MACHINE_FLAVOR" : "OPENSTACK_NODE_MACHINE_FLAVOR") + "}";
            String image = Optional.ofNullable(os.image()).or(() -> r.poolSetting("image")).orElse("${OPENSTACK_IMAGE_NAME}");
            String key = Optional.ofNullable(os.sshKeyName()).or(() -> r.poolSetting("sshKeyName")).orElse(null);
            return map("flavor", flavor,
                    "image", map("filter", map("name", image)),
                    "sshKeyName", key,
                    "rootVolume", rootVolume == null ? null : map("sizeGiB", rootVolume.sizeGb(), "type", rootVolume.type()));
        }

        @Override
        Map<String, String> kubeletArgs() {
            return Map.of("cloud-provider", "external", "provider-id", "openstack:///'{{ instance_id }}'");
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

        @Override
        Map<String, Object> clusterSpec() {
            LatticeCluster.ProxmoxConfig px = px();
            List<String> addresses = px.ipv4Addresses().isEmpty() ? List.of("${NODE_IP_RANGES}") : px.ipv4Addresses();
            List<String> dns = px.dnsServers().isEmpty() ? List.of("${DNS_SERVERS}") : px.dnsServers();
            return map("controlPlaneEndpoint", map("host", orVariable(px.controlPlaneEndpoint(), "CONTROL_PLANE_ENDPOINT_IP"), "port", 6443),
                    "ipv4Config", map("addresses", addresses, "prefix", px.ipv4Prefix() == null ? 24 : px.ipv4Prefix(),
                            "gateway", orVariable(px.gateway(), "GATEWAY"), "metric", 100),
                    "dnsServers", dns,
                    "allowedNodes", px.node() == null ? null : List.of(px.node()));
        }

        @Override
        Map<String, Object> machineSpec(InstanceType type, RootVolume rootVolume, boolean controlPlane) {
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
            return map("sourceNode", orVariable(px.node(), "PROXMOX_SOURCENODE"),
                    "templateID", px.templateId(),
                    "storage", px.storage(),
                    "format", "qcow2",
                    "full", true,
                    "numSockets", sockets,
                    "numCores", cores,
                    "memoryMiB", memoryMib,
                    "disks", map("bootVolume", map("disk", "scsi0", "sizeGb", disk == null ? 40 : disk)),
                    "network", map("default", map("bridge", orVariable(px.bridge(), "BRIDGE"), "model", "virtio")));
        }
    }
}
