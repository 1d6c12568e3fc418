package dev.lattice.core.mesh;

import dev.lattice.core.model.LatticeService;
import dev.lattice.core.addons.ClusterAddons;
import dev.lattice.core.model.LatticeService.Resource;
import dev.lattice.core.model.Quantity;
import dev.lattice.core.placement.Solver;
import dev.lattice.core.model.Quantity;
import dev.lattice.core.render.CustomObject;
import dev.lattice.core.render.Manifests;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** A service's workload: its ServiceAccount, Deployment, Service and, for a volume's owner, the claim. */
final class WorkloadRenderer {
    static final String NAME_LABEL = "app.kubernetes.io/name";
    static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    static final String MANAGER = "lattice";
    /** Ambient mode: every pod of a labelled namespace gets a mesh identity without a sidecar. */
    static final String DATAPLANE_LABEL = "istio.io/dataplane-mode";
    /** The extended resources of a GPU, whole or shared, which Kubernetes takes as limits only. */
    private static final List<String> GPU_RESOURCES = java.util.stream.Stream.concat(java.util.stream.Stream.of(LatticeService.ResourceRequirements.GPU),
            LatticeService.ResourceRequirements.GPU_SHARES.stream()).toList();
    /** The container port name that says a service serves Prometheus metrics there, on {@code /metrics}. */
    static final String METRICS_PORT = "metrics";
    /** A container port's name must be an IANA service name; others are left unnamed (Services use numbers). */
    private static final Pattern IANA_SVC_NAME = Pattern.compile("(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?");

    private WorkloadRenderer() {
    }

    static Map<String, String> labels(String service) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME_LABEL, service);
        labels.put(MANAGED_BY_LABEL, MANAGER);
        return labels;
    }

    /** A namespace of Lattice services; in the ambient mesh when the cluster runs Istio ({@code mesh}). */
    static Namespace namespace(String name, boolean mesh) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (mesh) {
            labels.put(DATAPLANE_LABEL, "ambient");
        }
        labels.put(MANAGED_BY_LABEL, MANAGER);
        return new NamespaceBuilder().withMetadata(Manifests.meta(null, name, labels)).build();
    }

    static ServiceAccount serviceAccount(LatticeService s) {
        return new ServiceAccountBuilder().withMetadata(meta(s, s.name())).build();
    }

    /**
     * @param volumeOwners the owner of each shared volume, by volume key; consumers (and an owner with several
     *                     replicas) are kept on the owner's node, where the claim is attached
     */
    static Deployment deployment(LatticeService s, Map<String, String> volumeOwners) {
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        List<String> affinityTo = new ArrayList<>();
        s.spec().resources().forEach((name, r) -> {
            if (!r.isSharedVolume()) {
                return;
            }
            String volume = KubeNames.label(name);
            volumes.add(new VolumeBuilder().withName(volume).withNewPersistentVolumeClaim().withClaimName(claimName(r.id())).endPersistentVolumeClaim()
                    .build());
            mounts.add(new VolumeMountBuilder().withName(volume).withMountPath(mountPath(r)).build());
            String owner = volumeOwners.get(s.volumeKey(r));
            if (owner != null && (!owner.equals(s.name()) || s.spec().replicas() > 1) && !affinityTo.contains(owner)) {
                affinityTo.add(owner);
            }
        });
        List<Container> containers = new ArrayList<>();
        s.spec().containers().forEach((name, c) -> containers.add(container(name, c, mounts)));
        List<PodAffinityTerm> terms = affinityTo.stream().map(owner -> new PodAffinityTermBuilder()
                .withLabelSelector(selects(owner))
                .withTopologyKey("kubernetes.io/hostname").build()).toList();
        PodSpecBuilder pod = new PodSpecBuilder()
                .withServiceAccountName(s.name())
                // The container runtime's default seccomp profile, as restricted Pod Security asks.
                .withNewSecurityContext().withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .withContainers(containers)
                .withVolumes(volumes);
        if (!terms.isEmpty()) {
            pod.withNewAffinity().withNewPodAffinity().withRequiredDuringSchedulingIgnoredDuringExecution(terms).endPodAffinity().endAffinity();
        }
        if (Solver.sharesGpus(s)) {
            // A share of a GPU: on the nodes HAMi serves, placed by its scheduler (which its webhook would otherwise set).
            pod.withSchedulerName(ClusterAddons.SHARED_GPU_SCHEDULER)
                    .withNodeSelector(Map.of(ClusterAddons.SHARED_GPU_LABEL, ClusterAddons.SHARED_GPU_VALUE))
                    .addNewToleration().withKey(LatticeService.ResourceRequirements.GPU).withOperator("Exists").withEffect("NoSchedule").endToleration();
        } else if (s.spec().containers().values().stream().anyMatch(c -> c.resources().asks(LatticeService.ResourceRequirements.GPU))) {
            // To the nodes NFD found an NVIDIA GPU on, through the GPU pool's taint (seed 002's nvidia.com/gpu).
            pod.withNodeSelector(Map.of(ClusterAddons.NVIDIA_GPU_LABEL, "true"))
                    .addNewToleration().withKey(LatticeService.ResourceRequirements.GPU).withOperator("Exists").withEffect("NoSchedule").endToleration();
        }
        return new DeploymentBuilder()
                .withMetadata(meta(s, s.name()))
                .withNewSpec()
                // An autoscaled Deployment's replicas are KEDA's: applying them would fight it.
                .withReplicas(s.spec().autoscaling() == null ? s.spec().replicas() : null)
                .withSelector(selects(s.name()))
                .withNewTemplate()
                .withNewMetadata().withLabels(labels(s.name())).endMetadata()
                .withSpec(pod.build())
                .endTemplate()
                .endSpec()
                .build();
    }

    private static Container container(String name, LatticeService.Container c, List<VolumeMount> mounts) {
        List<EnvVar> env = new ArrayList<>();
        c.env().forEach((k, v) -> env.add(new EnvVar(k, v, null)));
        List<ContainerPort> ports = new ArrayList<>();
        c.ports().forEach((portName, p) -> ports.add(new ContainerPortBuilder()
                .withName(IANA_SVC_NAME.matcher(portName).matches() ? portName : null)
                .withContainerPort(p.port())
                .withProtocol(p.protocol().wire()).build()));
        Map<String, io.fabric8.kubernetes.api.model.Quantity> limits = quantities(c.resources().limits());
        // A GPU (or HAMi's share of one) cannot be overcommitted: Kubernetes takes it as a limit (a request alone is refused).
        for (String resource : GPU_RESOURCES) {
            Quantity asked = c.resources().requests().get(resource);
            if (asked != null && !limits.containsKey(resource)) {
                limits.put(resource, new io.fabric8.kubernetes.api.model.Quantity(asked.toString()));
            }
        }
        ResourceRequirements resources = new ResourceRequirementsBuilder()
                .withRequests(quantities(c.resources().requests()))
                .withLimits(limits).build();
        return new ContainerBuilder()
                .withName(name)
                .withImage(c.image())
                .withCommand(c.command())
                .withArgs(c.args())
                .withEnv(env)
                .withPorts(ports)
                .withResources(resources.getRequests().isEmpty() && resources.getLimits().isEmpty() ? null : resources)
                .withVolumeMounts(mounts)
                .withLivenessProbe(probe(c.livenessProbe()))
                .withReadinessProbe(probe(c.readinessProbe()))
                .withStartupProbe(probe(c.startupProbe()))
                .withSecurityContext(securityContext(c.securityContext()))
                .build();
    }

    private static Probe probe(LatticeService.Probe p) {
        if (p == null) {
            return null;
        }
        ProbeBuilder probe = new ProbeBuilder().withInitialDelaySeconds(p.initialDelaySeconds()).withPeriodSeconds(p.periodSeconds())
                .withTimeoutSeconds(p.timeoutSeconds()).withFailureThreshold(p.failureThreshold());
        if (p.httpGet() != null) {
            probe.withNewHttpGet().withPath(p.httpGet().path()).withPort(new IntOrString(p.httpGet().port()))
                    .withScheme(p.httpGet().scheme().wire()).endHttpGet();
        } else if (p.exec() != null) {
            probe.withNewExec().withCommand(p.exec().command()).endExec();
        } else if (p.tcpSocket() != null) {
            probe.withNewTcpSocket().withPort(new IntOrString(p.tcpSocket().port())).endTcpSocket();
        }
        return probe.build();
    }

    /**
     * Every container: no privilege escalation and no capability but those the service keeps (baseline Pod Security's
     * at most, which validation holds it to); who it runs as, where the service says.
     */
    private static SecurityContext securityContext(LatticeService.SecurityContext c) {
        return new SecurityContextBuilder()
                .withAllowPrivilegeEscalation(false)
                .withNewCapabilities().withDrop("ALL").withAdd(c.capabilities().isEmpty() ? null : c.capabilities()).endCapabilities()
                .withRunAsUser(c.runAsUser() == null ? null : c.runAsUser().longValue())
                .withRunAsGroup(c.runAsGroup() == null ? null : c.runAsGroup().longValue())
                .withRunAsNonRoot(c.runAsNonRoot())
                .withReadOnlyRootFilesystem(c.readOnlyRootFilesystem())
                .build();
    }

    private static Map<String, io.fabric8.kubernetes.api.model.Quantity> quantities(Map<String, Quantity> in) {
        Map<String, io.fabric8.kubernetes.api.model.Quantity> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(k, new io.fabric8.kubernetes.api.model.Quantity(v.toString())));
        return out;
    }

    /**
     * The KEDA ScaledObject of an autoscaled service, or null: a Prometheus trigger on the cluster's VictoriaMetrics
     * (the monitoring add-on's VMSingle answers PromQL queries) and a CPU utilisation trigger, as the spec asks.
     */
    static HasMetadata scaledObject(LatticeService s) {
        LatticeService.Autoscaling a = s.spec().autoscaling();
        if (a == null) {
            return null;
        }
        List<Keda.Trigger> triggers = new ArrayList<>();
        if (a.metric() != null) {
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("serverAddress", ClusterAddons.METRICS_QUERY_URL);
            metadata.put("query", a.metric().query());
            metadata.put("threshold", a.metric().target().value().toPlainString());
            triggers.add(new Keda.Trigger("prometheus", null, metadata));
        }
        if (a.cpu() != null) {
            triggers.add(new Keda.Trigger("cpu", "Utilization", Map.of("value", String.valueOf(a.cpu()))));
        }
        return new CustomObject<>(Keda.API_VERSION, Keda.SCALED_OBJECT, meta(s, s.name()),
                new Keda.ScaledObjectSpec(new Keda.ScaleTargetRef(s.name()), a.min(), a.max(), triggers));
    }

    /** The container port a service serves its metrics on: the first one named {@value #METRICS_PORT}, or null. */
    static PolicyRenderer.Port metricsPort(LatticeService s) {
        for (LatticeService.Container c : s.spec().containers().values()) {
            LatticeService.ContainerPort port = c.ports().get(METRICS_PORT);
            if (port != null) {
                return new PolicyRenderer.Port(port.port(), port.protocol().wire());
            }
        }
        return null;
    }

    /** The monitoring add-on's agent scrapes {@code /metrics} on the service's pods' port named {@value #METRICS_PORT}. */
    static HasMetadata podScrape(LatticeService s) {
        return new CustomObject<>(VictoriaMetrics.API_VERSION, VictoriaMetrics.POD_SCRAPE, meta(s, s.name()),
                new VictoriaMetrics.PodScrapeSpec(selects(s.name()), List.of(new VictoriaMetrics.Endpoint(METRICS_PORT, "/metrics"))));
    }

    /** The Service in front of the pods; none when the service exposes no ports. */
    static Service service(LatticeService s) {
        if (s.spec().service() == null || s.spec().service().ports().isEmpty()) {
            return null;
        }
        List<ServicePort> ports = new ArrayList<>();
        s.spec().service().ports().forEach((name, p) -> ports.add(new ServicePortBuilder()
                .withName(name)
                .withPort(p.port())
                .withTargetPort(new IntOrString(p.targetPort() != null ? p.targetPort() : p.port()))
                .withProtocol(p.protocol().wire()).build()));
        return new ServiceBuilder()
                .withMetadata(meta(s, KubeNames.label(s.name())))
                .withNewSpec().withSelector(Map.of(NAME_LABEL, s.name())).withPorts(ports).endSpec()
                .build();
    }

    /** The claim a volume's owner declares; its consumers mount the same claim. */
    static PersistentVolumeClaim claim(LatticeService owner, Resource volume) {
        return new PersistentVolumeClaimBuilder()
                .withMetadata(meta(owner, claimName(volume.id())))
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName(volume.params().storageClass())
                .withNewResources().addToRequests("storage", new io.fabric8.kubernetes.api.model.Quantity(volume.params().size().toString()))
                .endResources()
                .endSpec()
                .build();
    }

    /** Selects the pods of {@code service}. */
    static LabelSelector selects(String service) {
        return new LabelSelectorBuilder().withMatchLabels(Map.of(NAME_LABEL, service)).build();
    }

    private static ObjectMeta meta(LatticeService s, String name) {
        return Manifests.meta(s.metadata().namespace(), name, labels(s.name()));
    }

    static String claimName(String volumeId) {
        return KubeNames.label(volumeId);
    }

    private static String mountPath(Resource r) {
        return r.params() != null && r.params().mountPath() != null ? r.params().mountPath() : "/data/" + r.id();
    }
}
