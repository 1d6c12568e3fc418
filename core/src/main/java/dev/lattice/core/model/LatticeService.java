package dev.lattice.core.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** A developer's service: its containers, whom it calls and is called by, and where it may run. */
public record LatticeService(ObjectMeta metadata, Spec spec, Status status) implements LatticeObject {

    public LatticeService {
        status = status == null ? Status.EMPTY : status;
    }

    @Override
    public Kind kind() {
        return Kind.LATTICE_SERVICE;
    }

    /**
     * By namespace and name only. Equal services still hash alike, and the daemon compares a fleet's compiled pieces
     * (which hold services) by the thousand on every change: a deep hash of each spec was most of that, where
     * {@code equals} finds an unchanged spec at once (the same instance, read once).
     */
    @Override
    public int hashCode() {
        return metadata == null ? 0 : 31 * Objects.hashCode(metadata.namespace()) + Objects.hashCode(metadata.name());
    }

    /** A shared volume's key, {@code namespace/id}: ids are unique within a namespace. */
    public String volumeKey(Resource volume) {
        return metadata.namespace() + "/" + volume.id();
    }

    public record Spec(
            @Field(min = 0, max = 100000, doc = "Pod replicas; default 1.") Integer replicas,
            @Field(required = true, doc = "Containers by name.") Map<String, Container> containers,
            ServicePorts service,
            @Field(doc = "Services, external services and volumes this service uses or is used by, by name.")
            Map<String, Resource> resources,
            Requirements requirements,
            @Field(doc = "Scale between min and max replicas on a metric (KEDA, on a cluster with monitoring: true).") Autoscaling autoscaling) {
        public Spec {
            replicas = replicas == null ? 1 : replicas;
            containers = Immutable.map(containers);
            resources = Immutable.map(resources);
            requirements = requirements == null ? Requirements.NONE : requirements;
        }
    }

    public record Container(
            @Field(required = true) String image,
            List<String> command,
            List<String> args,
            @Field(doc = "Environment variables by name.") Map<String, String> env,
            ResourceRequirements resources,
            @Field(doc = "Ports the container listens on, by name.") Map<String, ContainerPort> ports,
            @Field(doc = "Restarts the container while it fails.") Probe livenessProbe,
            @Field(doc = "Keeps the pod out of its Service while it fails.") Probe readinessProbe,
            @Field(doc = "Holds the other probes off until it first succeeds.") Probe startupProbe,
            @Field(doc = "Who the container runs as. Privilege escalation is always off and every capability dropped but "
                    + "those listed.") SecurityContext securityContext) {
        public Container {
            command = Immutable.list(command);
            args = Immutable.list(args);
            env = Immutable.map(env);
            resources = resources == null ? ResourceRequirements.NONE : resources;
            ports = Immutable.map(ports);
            securityContext = securityContext == null ? SecurityContext.NONE : securityContext;
        }
    }

    /** A kubelet probe: exactly one of an HTTP GET, a command or a TCP connection, and how often. */
    public record Probe(
            HttpGet httpGet,
            Exec exec,
            TcpSocket tcpSocket,
            @Field(min = 0, max = 3600) Integer initialDelaySeconds,
            @Field(min = 1, max = 3600, doc = "Default 10.") Integer periodSeconds,
            @Field(min = 1, max = 3600, doc = "Default 1.") Integer timeoutSeconds,
            @Field(min = 1, max = 1000, doc = "Default 3.") Integer failureThreshold) {
    }

    public record HttpGet(
            @Field(doc = "Default /.") String path,
            @Field(required = true, min = 1, max = 65535) Integer port,
            @Field(doc = "HTTP (default) or HTTPS.") Scheme scheme) {
        public HttpGet {
            path = path == null ? "/" : path;
            scheme = scheme == null ? Scheme.HTTP : scheme;
        }
    }

    public enum Scheme implements Wire {
        HTTP("HTTP"), HTTPS("HTTPS");

        private final String wire;

        Scheme(String wire) {
            this.wire = wire;
        }

        @Override
        public String wire() {
            return wire;
        }
    }

    public record Exec(@Field(required = true, doc = "Run in the container; exit 0 is success.") List<String> command) {
        public Exec {
            command = Immutable.list(command);
        }
    }

    public record TcpSocket(@Field(required = true, min = 1, max = 65535) Integer port) {
    }

    /** What the container runs as; unset fields are the image's. */
    public record SecurityContext(
            @Field(min = 0, max = Integer.MAX_VALUE) Integer runAsUser,
            @Field(min = 0, max = Integer.MAX_VALUE) Integer runAsGroup,
            @Field(doc = "Refuse to start as root.") Boolean runAsNonRoot,
            Boolean readOnlyRootFilesystem,
            @Field(doc = "Capabilities kept, of those baseline Pod Security allows (NET_BIND_SERVICE, CHOWN, SETUID, ...).")
            List<String> capabilities) {
        public static final SecurityContext NONE = new SecurityContext(null, null, null, null, null);

        public SecurityContext {
            capabilities = Immutable.list(capabilities);
        }
    }

    public record ResourceRequirements(Map<String, Quantity> requests, Map<String, Quantity> limits) {
        public static final ResourceRequirements NONE = new ResourceRequirements(null, null);
        /** The extended resource NVIDIA's device plugin offers: whole GPUs. */
        public static final String GPU = "nvidia.com/gpu";
        /** The resources through which a container asks for a share of a GPU (HAMi's), beside {@link #GPU}. */
        public static final List<String> GPU_SHARES = List.of("nvidia.com/gpumem", "nvidia.com/gpumem-percentage", "nvidia.com/gpucores");

        /** Whether {@code resource} is asked for, as a request or a limit. */
        public boolean asks(String resource) {
            return requests.containsKey(resource) || limits.containsKey(resource);
        }

        public ResourceRequirements {
            requests = Immutable.map(requests);
            limits = Immutable.map(limits);
        }
    }

    public record ContainerPort(@Field(required = true, min = 1, max = 65535) Integer port, Protocol protocol) {
        public ContainerPort {
            protocol = protocol == null ? Protocol.TCP : protocol;
        }
    }

    public record ServicePorts(@Field(doc = "Ports the service exposes, by name.") Map<String, ServicePort> ports) {
        public ServicePorts {
            ports = Immutable.map(ports);
        }
    }

    public record ServicePort(
            @Field(required = true, min = 1, max = 65535) Integer port,
            @Field(name = "targetPort", min = 1, max = 65535, doc = "Container port; defaults to port.") Integer targetPort,
            Protocol protocol) {
        public ServicePort {
            protocol = protocol == null ? Protocol.TCP : protocol;
        }
    }

    public enum Protocol implements Wire {
        TCP("TCP"), UDP("UDP"), SCTP("SCTP");

        private final String wire;

        Protocol(String wire) {
            this.wire = wire;
        }

        @Override
        public String wire() {
            return wire;
        }
    }

    /** One declared relationship: a peer service, an external service or a shared volume. */
    public record Resource(
            @Field(required = true, doc = "service, external-service or volume.") ResourceType type,
            @Field(doc = "outbound (I call it), inbound (it calls me) or both.") Direction direction,
            @Field(doc = "Namespace of a peer service; defaults to this service's.") String namespace,
            @Field(doc = "Volume id shared between owner and consumers.") String id,
            VolumeParams params) {

        /** A shared volume: a volume with an id. */
        public boolean isSharedVolume() {
            return type == ResourceType.VOLUME && id != null;
        }

        /** The shared volume's owner declares it with a size; its consumers name the id alone. */
        public boolean ownsVolume() {
            return isSharedVolume() && params != null && params.size() != null;
        }
    }

    public enum ResourceType implements Wire {
        SERVICE("service"), EXTERNAL_SERVICE("external-service"), VOLUME("volume");

        private final String wire;

        ResourceType(String wire) {
            this.wire = wire;
        }

        @Override
        public String wire() {
            return wire;
        }
    }

    public enum Direction implements Wire {
        OUTBOUND("outbound"), INBOUND("inbound"), BOTH("both");

        private final String wire;

        Direction(String wire) {
            this.wire = wire;
        }

        @Override
        public String wire() {
            return wire;
        }

        public boolean calls() {
            return this != INBOUND;
        }

        public boolean accepts() {
            return this != OUTBOUND;
        }
    }

    /** Volume parameters; the owner of a shared volume sets its size. */
    public record VolumeParams(
            @Field(doc = "Size of the volume; set by its owner only.") Quantity size,
            @Field(name = "storageClass") String storageClass,
            @Field(name = "mountPath", doc = "Where the volume is mounted; defaults to /data/<id>.") String mountPath) {
    }

    /**
     * Replicas that follow a metric: KEDA scales the Deployment between {@code min} and {@code max} so that each replica
     * sees at most {@code target} of {@code query} (a VictoriaMetrics query), or so that CPU use stays near
     * {@code cpu} percent of the requests. Either or both.
     */
    public record Autoscaling(
            @Field(required = true, min = 0, max = 100000, doc = "Fewest replicas; 0 scales to none while the query is 0.") Integer min,
            @Field(required = true, min = 1, max = 100000, doc = "Most replicas; placement reserves room for this many.") Integer max,
            @Field(doc = "Scale on a VictoriaMetrics (PromQL) query over the cluster's metrics.") MetricTrigger metric,
            @Field(min = 1, max = 1000, doc = "Scale to keep CPU use near this percent of the containers' requests.") Integer cpu) {
    }

    public record MetricTrigger(
            @Field(required = true, maxLength = 4096, doc = "A PromQL/MetricsQL query returning one number.") String query,
            @Field(required = true, doc = "The query's value one replica handles, e.g. \"100\".") Quantity target) {
    }

    public record Requirements(@Field(maxLength = 8192, doc = "CEL expression over `cluster` that a cluster must satisfy.") String placement) {
        public static final Requirements NONE = new Requirements(null);
    }

    public enum Phase implements Wire {
        PENDING("Pending"), SCHEDULED("Scheduled"), UNSCHEDULABLE("Unschedulable"), READY("Ready"), FAILED("Failed");

        private final String wire;

        Phase(String wire) {
            this.wire = wire;
        }

        @Override
        public String wire() {
            return wire;
        }
    }

    public record Status(
            @Field(name = "observedGeneration") Long observedGeneration,
            Phase phase,
            @Field(doc = "The cluster the solver placed this service on.") String cluster,
            @Field(maxLength = Condition.MAX_MESSAGE) String message,
            List<Condition> conditions) {
        public static final Status EMPTY = new Status(null, null, null, null, List.of());

        public Status {
            message = Condition.bounded(message);
            conditions = Immutable.list(conditions);
        }
    }
}
