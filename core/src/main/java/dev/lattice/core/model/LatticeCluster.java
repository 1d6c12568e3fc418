package dev.lattice.core.model;

import java.util.List;
import java.util.Map;

/**
 * A Kubernetes cluster: its infrastructure, node topology and lifecycle, in the canonical shape of the
 * LatticeCluster reference. The short forms some documents use are normalised into this shape by the parser.
 */
public record LatticeCluster(ObjectMeta metadata, Spec spec, Status status) implements LatticeObject {

    public LatticeCluster {
        status = status == null ? Status.EMPTY : status;
    }

    @Override
    public Kind kind() {
        return Kind.LATTICE_CLUSTER;
    }

    /** The cluster's provider: its provider.config, else its pool's ({@code pool} may be null), else local Docker. */
    public Provider provider(Pool pool) {
        Provider configured = spec.provider().config().configured();
        return configured != null ? configured : pool != null ? pool.provider() : Provider.DOCKER;
    }

    public record Spec(
            @Field(name = "providerRef", format = Field.Format.DNS_LABEL, doc = "Name of the CloudPool or StaticPool that holds credentials and capacity.") String providerRef,
            @Field(format = Field.Format.DNS_LABEL, doc = "Name of the pool this cluster draws capacity from; must agree with providerRef.") String pool,
            ProviderSpec provider,
            @Field(required = true) NodeSpec nodes,
            NetworkingSpec networking,
            @Field(name = "parentConfig", doc = "Makes this a parent cluster that provisions children.") EndpointsSpec parentConfig,
            @Field(doc = "Istio ambient mesh and bilateral agreements; default true.") Boolean services,
            @Field(doc = "NFD, NVIDIA device plugin and HAMi; default false.") Boolean gpu,
            @Field(doc = "VictoriaMetrics and KEDA; default true.") Boolean monitoring,
            @Field(doc = "Velero; default true. It is installed once backupLocation says where backups go.") Boolean backups,
            @Field(name = "backupLocation", doc = "Where Velero writes this cluster's backups: S3 or an S3-compatible store.") BackupLocation backupLocation,
            Policies policies) {
        public Spec {
            provider = provider == null ? ProviderSpec.DEFAULT : provider;
            services = services == null || services;
            gpu = gpu != null && gpu;
            monitoring = monitoring == null || monitoring;
            backups = backups == null || backups;
            policies = policies == null ? Policies.DEFAULT : policies;
        }

        /** The pool this cluster draws on, whichever of pool and providerRef names it. */
        public String poolName() {
            return pool != null ? pool : providerRef;
        }
    }

    public record ProviderSpec(KubernetesSpec kubernetes, ProviderConfig config) {
        public static final ProviderSpec DEFAULT = new ProviderSpec(null, null);

        public ProviderSpec {
            kubernetes = kubernetes == null ? KubernetesSpec.DEFAULT : kubernetes;
            config = config == null ? ProviderConfig.NONE : config;
        }
    }

    public record KubernetesSpec(
            @Field(doc = "Kubernetes version, e.g. 1.32.0.") String version,
            @Field(doc = "kubeadm (default) or rke2 (FIPS).") Bootstrap bootstrap) {
        /** The version a cluster gets when its file names none. */
        public static final String DEFAULT_VERSION = "1.32.0";
        public static final KubernetesSpec DEFAULT = new KubernetesSpec(null, null);

        public KubernetesSpec {
            version = version == null ? DEFAULT_VERSION : version;
            bootstrap = bootstrap == null ? Bootstrap.KUBEADM : bootstrap;
        }
    }

    public enum Bootstrap implements Wire {
        KUBEADM("kubeadm"), RKE2("rke2");

        private final String wire;

        Bootstrap(String wire) {
            this.wire = wire;
        }

        @Override
        public String wire() {
            return wire;
        }
    }

    /** Provider-specific settings; at most one is set. */
    public record ProviderConfig(
            @Field(keepEmpty = true) AwsConfig aws,
            @Field(keepEmpty = true) ProxmoxConfig proxmox,
            @Field(keepEmpty = true) OpenStackConfig openstack,
            @Field(keepEmpty = true, doc = "The local Docker provider (CAPD).") DockerConfig docker) {
        public static final ProviderConfig NONE = new ProviderConfig(null, null, null, null);

        /** The provider these settings are for, or null when none is set. */
        public Provider configured() {
            return aws != null ? Provider.AWS : proxmox != null ? Provider.PROXMOX
                    : openstack != null ? Provider.OPENSTACK : docker != null ? Provider.DOCKER : null;
        }
    }

    public record AwsConfig(
            @Field(required = true) String region,
            @Field(name = "sshKeyName") String sshKeyName,
            @Field(name = "vpcId") String vpcId,
            @Field(name = "subnetIds") List<String> subnetIds,
            @Field(name = "amiId") String amiId,
            @Field(name = "iamInstanceProfile") String iamInstanceProfile) {
        public AwsConfig {
            subnetIds = Immutable.list(subnetIds);
        }
    }

    public record ProxmoxConfig(
            @Field(name = "serverUrl") String serverUrl,
            @Field(doc = "Proxmox node the VMs are cloned on.") String node,
            String storage,
            @Field(name = "templateId", min = 100) Integer templateId,
            String bridge,
            @Field(name = "controlPlaneEndpoint", doc = "Virtual IP kube-vip serves the API on.") String controlPlaneEndpoint,
            @Field(name = "ipv4Addresses", doc = "Addresses or ranges for the nodes.") List<String> ipv4Addresses,
            @Field(name = "ipv4Prefix", min = 0, max = 32) Integer ipv4Prefix,
            String gateway,
            @Field(name = "dnsServers") List<String> dnsServers) {
        public ProxmoxConfig {
            ipv4Addresses = Immutable.list(ipv4Addresses);
            dnsServers = Immutable.list(dnsServers);
        }
    }

    public record OpenStackConfig(
            @Field(name = "authUrl") String authUrl,
            @Field(doc = "Entry of clouds.yaml to use.") String cloud,
            String network,
            @Field(name = "externalNetwork") String externalNetwork,
            @Field(name = "floatingIpPool") String floatingIpPool,
            String image,
            @Field(name = "sshKeyName") String sshKeyName) {
    }

    public record DockerConfig(
            @Field(name = "nodeImage", doc = "kindest/node image for the machines; defaults from the Kubernetes version.") String nodeImage) {
    }

    public record NodeSpec(
            @Field(name = "controlPlane", required = true) ControlPlaneSpec controlPlane,
            @Field(name = "workerPools") Map<String, WorkerPoolSpec> workerPools) {
        public NodeSpec {
            workerPools = Immutable.map(workerPools);
        }
    }

    public record ControlPlaneSpec(
            @Field(min = 1, max = 9, doc = "Control-plane nodes; a positive odd number (1, 3, 5).") Integer replicas,
            @Field(name = "instanceType", aliases = "machineType") InstanceType instanceType,
            @Field(name = "rootVolume") RootVolume rootVolume) {
        public ControlPlaneSpec {
            replicas = replicas == null ? 1 : replicas;
        }
    }

    public record WorkerPoolSpec(
            @Field(min = 0, max = 5000, doc = "Desired nodes; ignored when min and max enable autoscaling.") Integer replicas,
            @Field(name = "displayName") String displayName,
            @Field(name = "instanceType", aliases = "machineType") InstanceType instanceType,
            @Field(name = "rootVolume") RootVolume rootVolume,
            Map<String, String> labels,
            List<NodeTaint> taints,
            @Field(min = 0, max = 5000) Integer min,
            @Field(min = 0, max = 5000) Integer max,
            @Field(format = Field.Format.DNS_LABEL, doc = "Pool this worker pool draws on, when it is not the cluster's.") String pool) {
        public WorkerPoolSpec {
            labels = Immutable.map(labels);
            taints = Immutable.list(taints);
        }

        public boolean autoscaling() {
            return min != null && max != null;
        }

        /** The nodes this pool may run, what capacity is counted for: max when autoscaling, else replicas. */
        public int reservedNodes() {
            return autoscaling() ? max : replicas == null ? 0 : replicas;
        }

        /** The nodes the pool starts with, what an install waits for: min when autoscaling, else replicas. */
        public int initialNodes() {
            return autoscaling() ? min : replicas == null ? 0 : replicas;
        }
    }

    public record RootVolume(@Field(name = "sizeGb", required = true, min = 1) Integer sizeGb, String type) {
    }

    public record NodeTaint(@Field(required = true) String key, String value, @Field(required = true) TaintEffect effect) {
    }

    public enum TaintEffect implements Wire {
        NO_SCHEDULE("NoSchedule"), PREFER_NO_SCHEDULE("PreferNoSchedule"), NO_EXECUTE("NoExecute");

        private final String wire;

        TaintEffect(String wire) {
            this.wire = wire;
        }

        @Override
        public String wire() {
            return wire;
        }
    }

    /**
     * Where a cluster's backups go: a bucket of S3 or an S3-compatible store, reached with credentials that stay in a
     * Secret (Velero's credentials file format), never in the spec.
     */
    public record BackupLocation(
            @Field(required = true, doc = "Bucket the backups are written to.") String bucket,
            @Field(doc = "Folder in the bucket; default the cluster's name.") String prefix,
            @Field(required = true, doc = "The bucket's region (us-east-1 for most S3-compatible stores).") String region,
            @Field(doc = "The https URL of an S3-compatible store; leave out for AWS S3.") String endpoint,
            @Field(name = "credentialsSecret", required = true, format = Field.Format.DNS_SUBDOMAIN,
                    doc = "Secret in namespace velero whose key cloud is the credentials file ([default] aws_access_key_id=..., aws_secret_access_key=...).")
            String credentialsSecret,
            @Field(doc = "When the daily backup runs, as cron: default \"0 3 * * *\" (03:00 UTC).") String schedule,
            @Field(doc = "How long a backup is kept: default 720h (30 days).") String ttl) {
        /** The schedule a location that names none gets. */
        public static final String DEFAULT_SCHEDULE = "0 3 * * *";
        /** The retention a location that names none gets. */
        public static final String DEFAULT_TTL = "720h";

        public BackupLocation {
            schedule = schedule == null ? DEFAULT_SCHEDULE : schedule;
            ttl = ttl == null ? DEFAULT_TTL : ttl;
        }
    }

    public record NetworkingSpec(
            @Field(doc = "Pod CIDR blocks.") List<String> pods,
            @Field(doc = "Service CIDR blocks.") List<String> services,
            @Field(name = "serviceDomain") String serviceDomain) {
        public NetworkingSpec {
            pods = Immutable.list(pods);
            services = Immutable.list(services);
        }
    }

    public record EndpointsSpec(
            @Field(required = true, doc = "IP or hostname children connect to.") String host,
            @Field(name = "grpcPort", min = 1, max = 65535) Integer grpcPort,
            @Field(name = "bootstrapPort", min = 1, max = 65535) Integer bootstrapPort,
            @Field(name = "proxyPort", min = 1, max = 65535) Integer proxyPort,
            EndpointService service) {
        public EndpointsSpec {
            grpcPort = grpcPort == null ? 50051 : grpcPort;
            bootstrapPort = bootstrapPort == null ? 8443 : bootstrapPort;
            proxyPort = proxyPort == null ? 8081 : proxyPort;
            service = service == null ? new EndpointService(null) : service;
        }
    }

    public record EndpointService(ServiceType type) {
        public EndpointService {
            type = type == null ? ServiceType.LOAD_BALANCER : type;
        }
    }

    public enum ServiceType implements Wire {
        LOAD_BALANCER("LoadBalancer"), NODE_PORT("NodePort"), CLUSTER_IP("ClusterIP");

        private final String wire;

        ServiceType(String wire) {
            this.wire = wire;
        }

        @Override
        public String wire() {
            return wire;
        }
    }

    public record Policies(
            @Field(name = "maxServices", min = 0, doc = "Most services the solver places here.") Integer maxServices,
            @Field(name = "reservedCapacity", doc = "Reserve the cluster's capacity in its pool up front.") Boolean reservedCapacity) {
        public static final Policies DEFAULT = new Policies(null, null);

        public Policies {
            reservedCapacity = reservedCapacity != null && reservedCapacity;
        }
    }

    public enum Phase implements Wire {
        PENDING("Pending"), PROVISIONING("Provisioning"), PIVOTING("Pivoting"), PIVOTED("Pivoted"),
        READY("Ready"), DELETING("Deleting"), UNPIVOTING("Unpivoting"), FAILED("Failed");

        private final String wire;

        Phase(String wire) {
            this.wire = wire;
        }

        @Override
        public String wire() {
            return wire;
        }
    }

    /** A Velero backup as the cluster's status reports it. */
    public record LastBackup(
            String name,
            @Field(doc = "Velero's phase: InProgress, Completed, PartiallyFailed, Failed, ...") String phase,
            @Field(doc = "RFC 3339 time it started.") String started,
            @Field(doc = "RFC 3339 time it completed; none while it runs.") String completed,
            @Field(doc = "Objects it holds, when Velero counted them.") Integer items) {
    }

    public record WorkerPoolStatus(
            @Field(name = "desiredReplicas") Integer desiredReplicas,
            @Field(name = "currentReplicas") Integer currentReplicas,
            @Field(name = "readyReplicas") Integer readyReplicas,
            @Field(name = "autoscalingEnabled") Boolean autoscalingEnabled,
            @Field(maxLength = Condition.MAX_MESSAGE) String message) {
        public WorkerPoolStatus {
            message = Condition.bounded(message);
        }
    }

    public record ChildClusterHealth(
            @Field(required = true) String name,
            @Field(name = "readyNodes") Integer readyNodes,
            @Field(name = "totalNodes") Integer totalNodes,
            @Field(name = "readyControlPlane") Integer readyControlPlane,
            @Field(name = "totalControlPlane") Integer totalControlPlane,
            @Field(name = "agentState") String agentState,
            @Field(name = "lastHeartbeat") String lastHeartbeat) {
    }

    public record Status(
            @Field(name = "observedGeneration") Long observedGeneration,
            Phase phase,
            @Field(maxLength = Condition.MAX_MESSAGE) String message,
            List<Condition> conditions,
            @Field(name = "readyControlPlane") Integer readyControlPlane,
            @Field(name = "readyWorkers") Integer readyWorkers,
            @Field(name = "workerPools") Map<String, WorkerPoolStatus> workerPools,
            String endpoint,
            @Field(name = "pivotComplete") Boolean pivotComplete,
            @Field(name = "bootstrapComplete") Boolean bootstrapComplete,
            @Field(name = "unpivotImportComplete") Boolean unpivotImportComplete,
            @Field(name = "bootstrapToken", doc = "No longer written (the token itself was kept here); removed by the parent.") String bootstrapToken,
            @Field(name = "bootstrapTokenHash", maxLength = 64,
                    doc = "Hex SHA-256 of the child's valid one-time bootstrap token; the token goes to the child only.") String bootstrapTokenHash,
            @Field(name = "bootstrapTokenExpires", doc = "RFC 3339 time the valid bootstrap token expires.") String bootstrapTokenExpires,
            @Field(name = "childrenHealth") List<ChildClusterHealth> childrenHealth,
            @Field(name = "lastHeartbeat") String lastHeartbeat,
            @Field(name = "lastBackup", doc = "The newest Velero backup of this cluster, with backups on.") LastBackup lastBackup) {
        public static final Status EMPTY =
                new Status(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);

        public Status {
            message = Condition.bounded(message);
            conditions = Immutable.list(conditions);
            workerPools = Immutable.map(workerPools);
            childrenHealth = Immutable.list(childrenHealth);
        }

        @Override
        public String toString() {
            // Never let the bootstrap token reach a log line through toString().
            return "Status[phase=" + phase + ", message=" + message + ", endpoint=" + endpoint + "]";
        }
    }
}
