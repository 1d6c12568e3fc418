package dev.lattice.testfixtures;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
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
    };
    private static final String CLUSTER_NAME = "cluster.x-k8s.io/cluster-name";

    private final KubernetesClient client;

    public FakeCapi(KubernetesClient client) {
        this.client = client;
    }

    /** Installs the CRDs (schemas open, status subresource on) and waits until they are served. */
    public void installCrds() {
        for (String[] k : KINDS) {
            CustomResourceDefinition crd = new CustomResourceDefinitionBuilder()
                    .withNewMetadata().withName(k[2] + "." + k[0]).addToLabels("cluster.x-k8s.io/provider", k[3]).endMetadata()
                    .withNewSpec().withGroup(k[0]).withScope("Namespaced")
                    .withNewNames().withKind(k[1]).withPlural(k[2]).withSingular(k[1].toLowerCase()).endNames()
                    .addNewVersion().withName("v1beta1").withServed(true).withStorage(true)
                    .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
                    .endOpenAPIV3Schema().endSchema()
                    .withNewSubresources().withNewStatus().endStatus().endSubresources()
                    .endVersion().endSpec().build();
            client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        }
        for (String[] k : KINDS) {
            client.apiextensions().v1().customResourceDefinitions().withName(k[2] + "." + k[0])
                    .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getConditions().stream()
                            .anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())), 30, TimeUnit.SECONDS);
        }
    }

    /**
     * Creates the rendered objects, then what the controllers would make of them: per KubeadmControlPlane and per
     * MachineDeployment (through a MachineSet) its Machines, each with a KubeadmConfig, a bootstrap-data Secret and
     * a DockerMachine; the cluster's kubeconfig and CA Secrets; finalizers; Running and ready statuses.
     * Returns every object created, as the server returned it.
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
            if (cluster != null && !"Cluster".equals(o.getKind())) {
                o.getMetadata().setOwnerReferences(List.of(owner(cluster)));
            }
            if ("Cluster".equals(o.getKind())) {
                o.getMetadata().setFinalizers(List.of("cluster.cluster.x-k8s.io"));
            }
            GenericKubernetesResource created = create(o, Map.of("ready", true));
            made.add(created);
            if ("Cluster".equals(o.getKind())) {
                cluster = created;
            }
        }
        for (GenericKubernetesResource o : List.copyOf(made)) {
            String ns = o.getMetadata().getNamespace();
            String clusterName = o.getMetadata().getLabels().get(CLUSTER_NAME);
            if ("KubeadmControlPlane".equals(o.getKind())) {
                int replicas = ((Number) spec(o).get("replicas")).intValue();
                for (int i = 0; i < replicas; i++) {
                    machine(made, o, ns, clusterName, o.getMetadata().getName() + "-" + i, true);
                }
                for (String suffix : List.of("kubeconfig", "ca", "etcd", "sa", "proxy")) {
                    made.add(secret(ns, clusterName + "-" + suffix, clusterName, o, Map.of("value", "ZmFrZQ==")));
                }
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
            }
        }
        return made;
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
                .withNewMetadata().withName(name).withNamespace(ns).addToLabels(CLUSTER_NAME, clusterName)
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
