package dev.lattice.testfixtures;

import dev.lattice.core.capi.CapiVersions;
import dev.lattice.core.capi.CapiVersions.Component;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.Provider;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Plays Cluster API's part on a test API server, where no controller runs: installs the CRDs of the kinds the
 * renderer writes and the controllers make (labelled as clusterctl labels provider CRDs), and turns rendered
 * objects into what a provisioned cluster holds: Machines, MachineSets, bootstrap configs and infrastructure
 * machines with their owner references, the cluster's Secrets, finalizers and ready statuses.
 */
public final class FakeCapi {
    private static final String[][] KINDS = {
        {"cluster.x-k8s.io", "Cluster", "clusters", "cluster-api"},
        {"cluster.x-k8s.io", "Machine", "machines", "cluster-api"},
        {"cluster.x-k8s.io", "MachineSet", "machinesets", "cluster-api"},
        {"cluster.x-k8s.io", "MachineDeployment", "machinedeployments", "cluster-api"},
        {"bootstrap.cluster.x-k8s.io", "KubeadmConfig", "kubeadmconfigs", "bootstrap-kubeadm"},
        {"bootstrap.cluster.x-k8s.io", "KubeadmConfigTemplate", "kubeadmconfigtemplates", "bootstrap-kubeadm"},
        {"controlplane.cluster.x-k8s.io", "KubeadmControlPlane", "kubeadmcontrolplanes", "control-plane-kubeadm"},
        {"infrastructure.cluster.x-k8s.io", "DockerCluster", "dockerclusters", "infrastructure-docker"},
        {"infrastructure.cluster.x-k8s.io", "DockerMachine", "dockermachines", "infrastructure-docker"},
        {"infrastructure.cluster.x-k8s.io", "DockerMachineTemplate", "dockermachinetemplates", "infrastructure-docker"},
        {"addons.cluster.x-k8s.io", "ClusterResourceSet", "clusterresourcesets", "cluster-api"},
        {"addons.cluster.x-k8s.io", "ClusterResourceSetBinding", "clusterresourcesetbindings", "cluster-api"},
    };

    private final KubernetesClient client;

    public FakeCapi(KubernetesClient client) {
        this.client = client;
    }

    /** Installs the CRDs (schemas open, status subresource on) and waits until they are served. */
    public void installCrds() {
        for (String[] k : KINDS) {
            client.apiextensions().v1().customResourceDefinitions().resource(crd(k)).create();
        }
        for (String[] k : KINDS) {
            client.apiextensions().v1().customResourceDefinitions().withName(k[2] + "." + k[0])
                    .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getConditions().stream()
                            .anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())), 30, TimeUnit.SECONDS);
        }
    }

    private static CustomResourceDefinition crd(String[] k) {
        return new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName(k[2] + "." + k[0]).addToLabels(CapiVersions.PROVIDER_LABEL, k[3]).endMetadata()
                .withNewSpec().withGroup(k[0]).withScope("Namespaced")
                .withNewNames().withKind(k[1]).withPlural(k[2]).withSingular(k[1].toLowerCase()).endNames()
                .addNewVersion().withName("v1beta1").withServed(true).withStorage(true)
                .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
                .endOpenAPIV3Schema().endSchema()
                .withNewSubresources().withNewStatus().endStatus().endSubresources()
                .endVersion().endSpec().build();
    }

    /**
     * Writes a components directory ({@code --components-dir}) for the Docker provider with kubeadm: per component,
     * its namespace, the CRDs of its kinds (open schemas, no webhooks, since nothing serves them here) and a
     * controller Deployment, which the {@link Controller} marks available as a kubelet would.
     */
    public static Path writeComponents(Path dir) {
        try {
            for (Component c : CapiVersions.componentsFor(Provider.DOCKER, LatticeCluster.Bootstrap.KUBEADM)) {
                String namespace = c.type() == CapiVersions.Type.CERT_MANAGER ? "cert-manager"
                        : c.providerLabel().equals("cluster-api") ? "capi-system" : c.providerLabel().replace("infrastructure-", "cap") + "-system";
                StringBuilder out = new StringBuilder("# fake " + c.name() + " " + c.version() + " for tests\n");
                out.append("---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ").append(namespace).append('\n');
                for (String[] k : KINDS) {
                    if (k[3].equals(c.providerLabel())) {
                        out.append("---\n").append(Serialization.asYaml(crd(k)).replaceFirst("^---\n", ""));
                    }
                }
                out.append("---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ").append(c.name()).append("-controller-manager\n")
                        .append("  namespace: ").append(namespace).append('\n')
                        .append("spec:\n  selector:\n    matchLabels: {app: manager}\n  template:\n    metadata:\n      labels: {app: manager}\n")
                        .append("    spec:\n      containers:\n      - name: manager\n        image: registry.k8s.io/fake:${FAKE_TAG:=v1}\n");
                Path file = dir.resolve(c.cachePath());
                Files.createDirectories(file.getParent());
                Files.writeString(file, out.toString());
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Plays the controllers on a server in the background until closed: Deployments become available (the
     * kube-controller-manager's and kubelet's part), a Cluster that is not paused and not yet provisioned is grown
     * with {@code workloads} giving its kubeconfig, and a Cluster being deleted is torn down, {@code deleted} told.
     */
    public Controller control(Function<String, String> workloads, Consumer<String> deleted) {
        return new Controller(workloads, deleted);
    }

    /** The background loop of {@link #control}. */
    public final class Controller implements AutoCloseable {
        private final Thread thread;
        private final List<Throwable> failures = new CopyOnWriteArrayList<>();
        private volatile boolean running = true;

        private Controller(Function<String, String> workloads, Consumer<String> deleted) {
            thread = new Thread(() -> {
                while (running) {
                    try {
                        reconcile(workloads, deleted);
                        Thread.sleep(150);
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException e) {
                        if (running) {
                            failures.add(e);
                        }
                    }
                }
            }, "fake-capi");
            thread.setDaemon(true);
            thread.start();
        }

        /** What went wrong in the loop (a conflict now and then is normal: it tries again). */
        public List<Throwable> failures() {
            return failures;
        }

        @Override
        public void close() {
            running = false;
            thread.interrupt();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void reconcile(Function<String, String> workloads, Consumer<String> deleted) {
        for (Deployment d : client.apps().deployments().inAnyNamespace().list().getItems()) {
            if (d.getStatus() == null || d.getStatus().getConditions() == null || d.getStatus().getConditions().isEmpty()) {
                int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
                d.setStatus(new DeploymentStatusBuilder().withReplicas(replicas).withReadyReplicas(replicas)
                        .withAvailableReplicas(replicas).withUpdatedReplicas(replicas)
                        .addNewCondition().withType("Available").withStatus("True").withReason("MinimumReplicasAvailable").endCondition()
                        .build());
                client.apps().deployments().resource(d).updateStatus();
            }
        }
        List<GenericKubernetesResource> clusters;
        try {
            clusters = client.genericKubernetesResources("cluster.x-k8s.io/v1beta1", "Cluster").inAnyNamespace().list().getItems();
        } catch (KubernetesClientException notInstalledYet) {
            return;
        }
        for (GenericKubernetesResource cluster : clusters) {
            Map<String, Object> spec = spec(cluster);
            boolean paused = Boolean.TRUE.equals(spec.get("paused"));
            boolean provisioned = cluster.getAdditionalProperties().get("status") instanceof Map<?, ?> st && st.get("phase") != null;
            if (paused) {
                continue;
            }
            if (cluster.getMetadata().getDeletionTimestamp() != null) {
                // The machines go before the Cluster's finalizer, as in Cluster API: whoever waits for the Cluster to be
                // gone (and may then stop this controller) finds them gone too.
                deleted.accept(cluster.getMetadata().getName());
                tearDown(cluster);
            } else if (!provisioned) {
                grow(cluster, workloads.apply(cluster.getMetadata().getName()));
            }
        }
    }

    /**
     * Creates the rendered objects, then what the controllers would make of them (see {@link #grow}). Returns every
     * object created, as the server returned it.
     */
    public List<GenericKubernetesResource> provision(List<Map<String, Object>> rendered) {
        List<GenericKubernetesResource> made = new ArrayList<>();
        GenericKubernetesResource cluster = null;
        for (Map<String, Object> object : rendered) {
            GenericKubernetesResource o = client.getKubernetesSerialization().convertValue(object, GenericKubernetesResource.class);
            if ("Namespace".equals(o.getKind())) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(o.getMetadata().getName())
                        .endMetadata().build()).create();
                continue;
            }
            GenericKubernetesResource created = client.genericKubernetesResources(o.getApiVersion(), o.getKind())
                    .inNamespace(o.getMetadata().getNamespace()).resource(o).create();
            made.add(created);
            if ("Cluster".equals(o.getKind())) {
                cluster = created;
            }
        }
        made.addAll(grow(cluster, "apiVersion: v1\nkind: Config\n"));
        return made;
    }

    /**
     * Plays the controllers for a Cluster whose objects are on the server: owner references from the Cluster to its
     * objects; per KubeadmControlPlane and per MachineDeployment (through a MachineSet) its Machines, each with a
     * KubeadmConfig, a bootstrap-data Secret and a DockerMachine; the cluster's kubeconfig ({@code kubeconfig}) and
     * CA Secrets; finalizers; Running and ready statuses. Returns the objects it created or changed.
     */
    public List<GenericKubernetesResource> grow(GenericKubernetesResource cluster, String kubeconfig) {
        List<GenericKubernetesResource> made = new ArrayList<>();
        String ns = cluster.getMetadata().getNamespace();
        String clusterName = cluster.getMetadata().getName();
        cluster = edit(cluster, c -> c.getMetadata().setFinalizers(List.of("cluster.cluster.x-k8s.io")));
        List<GenericKubernetesResource> owned = new ArrayList<>();
        for (String[] k : KINDS) {
            if (List.of("KubeadmControlPlane", "MachineDeployment", "DockerCluster", "KubeadmConfigTemplate", "DockerMachineTemplate")
                    .contains(k[1])) {
                for (GenericKubernetesResource o : client.genericKubernetesResources(k[0] + "/v1beta1", k[1]).inNamespace(ns).list().getItems()) {
                    GenericKubernetesResource c = cluster;
                    owned.add(edit(o, x -> {
                        x.getMetadata().setOwnerReferences(List.of(owner(c)));
                        x.getMetadata().getLabels().put(CapiVersions.CLUSTER_NAME_LABEL, clusterName);
                    }));
                }
            }
        }
        for (GenericKubernetesResource o : owned) {
            if ("KubeadmControlPlane".equals(o.getKind())) {
                int replicas = ((Number) spec(o).get("replicas")).intValue();
                for (int i = 0; i < replicas; i++) {
                    machine(made, o, ns, clusterName, o.getMetadata().getName() + "-" + i, true);
                }
                made.add(secret(ns, clusterName + "-kubeconfig", clusterName, o,
                        Map.of("value", Base64.getEncoder().encodeToString(kubeconfig.getBytes(StandardCharsets.UTF_8)))));
                for (String suffix : List.of("ca", "etcd", "sa", "proxy")) {
                    made.add(secret(ns, clusterName + "-" + suffix, clusterName, o, Map.of("value", "ZmFrZQ==")));
                }
                made.add(status(o, Map.of("ready", true, "initialized", true, "replicas", replicas, "readyReplicas", replicas)));
            } else if ("MachineDeployment".equals(o.getKind())) {
                Object r = spec(o).get("replicas");
                int replicas = r == null ? 1 : ((Number) r).intValue();
                GenericKubernetesResource set = create(resource("cluster.x-k8s.io/v1beta1", "MachineSet", ns,
                        o.getMetadata().getName() + "-abc12", clusterName, o, Map.of("clusterName", clusterName, "replicas", replicas)),
                        Map.of("replicas", replicas, "readyReplicas", replicas));
                made.add(set);
                for (int i = 0; i < replicas; i++) {
                    machine(made, set, ns, clusterName, set.getMetadata().getName() + "-" + i, false);
                }
                made.add(status(o, Map.of("phase", "Running", "replicas", replicas, "readyReplicas", replicas)));
            } else {
                made.add(status(o, Map.of("ready", true)));
            }
        }
        made.addAll(applyResourceSets(cluster, kubeconfig));
        made.add(0, status(cluster, Map.of("phase", "Provisioned", "controlPlaneReady", true, "infrastructureReady", true)));
        return made;
    }

    /**
     * Plays the ClusterResourceSet controller for a new cluster: every set whose selector matches the Cluster's labels
     * has its ConfigMaps' manifests applied to the cluster's API (when {@code kubeconfig} names a server), the
     * ConfigMaps owned by the set, and a ClusterResourceSetBinding owned by the Cluster records what was applied.
     */
    @SuppressWarnings("unchecked")
    private List<GenericKubernetesResource> applyResourceSets(GenericKubernetesResource cluster, String kubeconfig) {
        String ns = cluster.getMetadata().getNamespace();
        String clusterName = cluster.getMetadata().getName();
        Map<String, String> clusterLabels = cluster.getMetadata().getLabels() == null ? Map.of() : cluster.getMetadata().getLabels();
        List<Map<String, Object>> bindings = new ArrayList<>();
        List<GenericKubernetesResource> made = new ArrayList<>();
        for (GenericKubernetesResource set : client.genericKubernetesResources("addons.cluster.x-k8s.io/v1beta1", "ClusterResourceSet")
                .inNamespace(ns).list().getItems()) {
            Map<String, Object> selector = (Map<String, Object>) spec(set).getOrDefault("clusterSelector", Map.of());
            Map<String, String> match = (Map<String, String>) selector.getOrDefault("matchLabels", Map.of());
            if (match.isEmpty() || !clusterLabels.entrySet().containsAll(match.entrySet())) {
                continue;
            }
            List<Map<String, Object>> applied = new ArrayList<>();
            for (Map<String, Object> ref : (List<Map<String, Object>>) spec(set).getOrDefault("resources", List.of())) {
                GenericKubernetesResource configMap = client.genericKubernetesResources("v1", "ConfigMap").inNamespace(ns)
                        .withName((String) ref.get("name")).get();
                if (configMap == null) {
                    continue;
                }
                GenericKubernetesResource owned = edit(configMap, c -> c.getMetadata().setOwnerReferences(List.of(
                        new OwnerReferenceBuilder(owner(set)).withController(false).withBlockOwnerDeletion(null).build())));
                made.add(owned);
                Map<String, String> data = (Map<String, String>) configMap.getAdditionalProperties().getOrDefault("data", Map.of());
                if (kubeconfig.contains("server:")) {
                    try (KubernetesClient workload = new KubernetesClientBuilder()
                            .withConfig(Config.fromKubeconfig(kubeconfig)).build()) {
                        for (String manifests : new java.util.TreeMap<>(data).values()) {
                            for (HasMetadata object : workload.load(new java.io.ByteArrayInputStream(
                                    manifests.getBytes(StandardCharsets.UTF_8))).items()) {
                                // created as Cluster API does (no server-side apply): a field newer than the test server is dropped, not refused
                                workload.resource(object).createOr(NonDeletingOperation::update);
                            }
                        }
                    }
                }
                applied.add(Map.of("kind", "ConfigMap", "name", ref.get("name"), "applied", true,
                        "hash", "sha256:" + Integer.toHexString(data.hashCode())));
            }
            bindings.add(Map.of("clusterResourceSetName", set.getMetadata().getName(), "resources", applied));
        }
        if (!bindings.isEmpty()) {
            GenericKubernetesResource binding = resource("addons.cluster.x-k8s.io/v1beta1", "ClusterResourceSetBinding", ns, clusterName,
                    clusterName, cluster, Map.of("clusterName", clusterName, "bindings", bindings));
            made.add(client.genericKubernetesResources(binding.getApiVersion(), binding.getKind()).inNamespace(ns).resource(binding).create());
        }
        return made;
    }

    /**
     * Plays Cluster API's deletion of a Cluster being deleted: every object of the cluster goes (finalizers
     * removed), then the Cluster's own finalizer.
     */
    public void tearDown(GenericKubernetesResource cluster) {
        String ns = cluster.getMetadata().getNamespace();
        String name = cluster.getMetadata().getName();
        for (String[] k : KINDS) {
            if (!"Cluster".equals(k[1])) {
                for (GenericKubernetesResource o : client.genericKubernetesResources(k[0] + "/v1beta1", k[1]).inNamespace(ns)
                        .withLabel(CapiVersions.CLUSTER_NAME_LABEL, name).list().getItems()) {
                    release(o);
                }
            }
        }
        for (GenericKubernetesResource s : client.genericKubernetesResources("v1", "Secret").inNamespace(ns)
                .withLabel(CapiVersions.CLUSTER_NAME_LABEL, name).list().getItems()) {
            client.genericKubernetesResources("v1", "Secret").inNamespace(ns).resource(s).delete();
        }
        release(cluster);
    }

    private void release(GenericKubernetesResource o) {
        var resources = client.genericKubernetesResources(o.getApiVersion(), o.getKind()).inNamespace(o.getMetadata().getNamespace());
        resources.withName(o.getMetadata().getName()).delete();
        GenericKubernetesResource current = resources.withName(o.getMetadata().getName()).get();
        if (current != null && current.getMetadata().getFinalizers() != null && !current.getMetadata().getFinalizers().isEmpty()) {
            current.getMetadata().setFinalizers(List.of());
            resources.resource(current).update();
        }
    }

    private GenericKubernetesResource edit(GenericKubernetesResource o, Consumer<GenericKubernetesResource> change) {
        var resources = client.genericKubernetesResources(o.getApiVersion(), o.getKind()).inNamespace(o.getMetadata().getNamespace());
        GenericKubernetesResource current = resources.withName(o.getMetadata().getName()).get();
        if (current.getMetadata().getLabels() == null) {
            current.getMetadata().setLabels(new LinkedHashMap<>());
        }
        change.accept(current);
        return resources.resource(current).update();
    }

    private GenericKubernetesResource status(GenericKubernetesResource o, Map<String, Object> status) {
        var resources = client.genericKubernetesResources(o.getApiVersion(), o.getKind()).inNamespace(o.getMetadata().getNamespace());
        GenericKubernetesResource current = resources.withName(o.getMetadata().getName()).get();
        current.setAdditionalProperty("status", status);
        return resources.resource(current).updateStatus();
    }

    private void machine(List<GenericKubernetesResource> made, GenericKubernetesResource owner, String ns, String clusterName,
                         String name, boolean controlPlane) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (controlPlane) {
            labels.put("cluster.x-k8s.io/control-plane", "");
        }
        GenericKubernetesResource machine = resource("cluster.x-k8s.io/v1beta1", "Machine", ns, name, clusterName, owner,
                Map.of("clusterName", clusterName, "bootstrap", Map.of("dataSecretName", name)));
        machine.getMetadata().getLabels().putAll(labels);
        machine.getMetadata().setFinalizers(List.of("machine.cluster.x-k8s.io"));
        GenericKubernetesResource m = create(machine, Map.of("phase", "Running", "bootstrapReady", true, "infrastructureReady", true,
                "nodeRef", Map.of("kind", "Node", "name", name)));
        made.add(m);
        GenericKubernetesResource config = create(resource("bootstrap.cluster.x-k8s.io/v1beta1", "KubeadmConfig", ns, name,
                clusterName, m, Map.of()), Map.of("ready", true, "dataSecretName", name));
        made.add(config);
        made.add(secret(ns, name, clusterName, config, Map.of("value", "I2Nsb3VkLWNvbmZpZw==")));
        GenericKubernetesResource infra = resource("infrastructure.cluster.x-k8s.io/v1beta1", "DockerMachine", ns, name,
                clusterName, m, Map.of());
        infra.getMetadata().setFinalizers(List.of("dockermachine.infrastructure.cluster.x-k8s.io"));
        made.add(create(infra, Map.of("ready", true)));
    }

    private GenericKubernetesResource secret(String ns, String name, String clusterName, GenericKubernetesResource owner,
                                             Map<String, String> data) {
        GenericKubernetesResource s = resource("v1", "Secret", ns, name, clusterName, owner, null);
        s.setAdditionalProperty("type", "cluster.x-k8s.io/secret");
        s.setAdditionalProperty("data", data);
        return client.genericKubernetesResources("v1", "Secret").inNamespace(ns).resource(s).create();
    }

    private static GenericKubernetesResource resource(String apiVersion, String kind, String ns, String name, String clusterName,
                                                      GenericKubernetesResource owner, Map<String, Object> spec) {
        GenericKubernetesResource r = new GenericKubernetesResourceBuilder().withApiVersion(apiVersion).withKind(kind)
                .withNewMetadata().withName(name).withNamespace(ns).addToLabels(CapiVersions.CLUSTER_NAME_LABEL, clusterName)
                .withOwnerReferences(owner(owner)).endMetadata().build();
        if (spec != null) {
            r.setAdditionalProperty("spec", spec);
        }
        return r;
    }

    private GenericKubernetesResource create(GenericKubernetesResource o, Map<String, Object> status) {
        var resources = client.genericKubernetesResources(o.getApiVersion(), o.getKind()).inNamespace(o.getMetadata().getNamespace());
        GenericKubernetesResource created = resources.resource(o).create();
        created.setAdditionalProperty("status", status);
        return resources.resource(created).updateStatus();
    }

    private static OwnerReference owner(GenericKubernetesResource o) {
        return new OwnerReferenceBuilder().withApiVersion(o.getApiVersion()).withKind(o.getKind())
                .withName(o.getMetadata().getName()).withUid(o.getMetadata().getUid()).withController(true)
                .withBlockOwnerDeletion(true).build();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource o) {
        return (Map<String, Object>) o.getAdditionalProperties().getOrDefault("spec", Map.of());
    }
}
