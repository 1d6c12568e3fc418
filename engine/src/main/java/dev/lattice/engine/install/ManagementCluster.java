package dev.lattice.engine.install;

import dev.lattice.core.LatticeException;
import dev.lattice.core.capi.CapiVersions;
import dev.lattice.core.capi.CapiVersions.Component;
import dev.lattice.core.model.Kind;
import dev.lattice.core.status.ClusterStatus;
import dev.lattice.engine.components.Components;
import dev.lattice.engine.kube.Applier;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.engine.kube.Secrets;
import dev.lattice.engine.kube.StatusWriter;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/** A cluster running Cluster API for others (the bootstrap cluster, or a self-managed one): what install and uninstall do there. */
final class ManagementCluster {
    private static final String MIN_SIZE = "cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size";

    /** How far a cluster has got: the Cluster's phase and machines with a node, of those wanted. */
    record Readiness(String phase, int controlPlaneReady, int controlPlaneDesired, int workersReady, int workersDesired,
                     boolean ready) {
        @Override
        public String toString() {
            return "Cluster " + (phase == null ? "Pending" : phase) + "; control plane " + controlPlaneReady + "/"
                    + controlPlaneDesired + ", workers " + workersReady + "/" + workersDesired + " machines ready";
        }
    }

    private final KubernetesClient client;
    private final Applier applier;

    ManagementCluster(KubernetesClient client, Duration poll) {
        this.client = client;
        this.applier = new Applier(client, poll);
    }

    /** A client for a kubeconfig held in memory (never written anywhere by this). */
    static KubernetesClient connect(String kubeconfig) {
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build();
    }

    KubernetesClient client() {
        return client;
    }

    Applier applier() {
        return applier;
    }

    /** Installs the components in order, each waited for until its Deployments are available. */
    void installProviders(List<Component> wanted, Components components, Function<String, String> environment,
                          Duration timeout, Progress progress) {
        for (Component c : wanted) {
            progress.update(c.name() + " " + c.version() + " (" + c.type().name().toLowerCase().replace('_', '-') + ")");
            List<GenericKubernetesResource> objects = components.objects(c, environment);
            applier.apply(objects, timeout);
            applier.waitForDeployments(objects, timeout, waiting -> progress.update(c.name() + ": " + waiting));
        }
    }

    /** Where the cluster {@code namespace/name} has got to. */
    Readiness readiness(String namespace, String name) {
        GenericKubernetesResource cluster = get(CapiVersions.CLUSTER_API, "Cluster", namespace, name);
        if (cluster == null) {
            throw new LatticeException("the Cluster " + namespace + "/" + name + " is gone from the management cluster",
                    "someone deleted it; delete the bootstrap cluster and install again");
        }
        Map<String, Object> status = map(cluster.getAdditionalProperties().get("status"));
        int controlPlaneDesired = 0;
        Map<String, Object> ref = map(map(cluster.getAdditionalProperties().get("spec")).get("controlPlaneRef"));
        if (!ref.isEmpty()) {
            GenericKubernetesResource cp = get((String) ref.get("apiVersion"), (String) ref.get("kind"), namespace, (String) ref.get("name"));
            controlPlaneDesired = cp == null ? 0 : number(map(cp.getAdditionalProperties().get("spec")).get("replicas"), 1);
        }
        int workersDesired = 0;
        for (GenericKubernetesResource md : client.genericKubernetesResources(CapiVersions.CLUSTER_API, "MachineDeployment")
                .inNamespace(namespace).withLabel(CapiVersions.CLUSTER_NAME_LABEL, name).list().getItems()) {
            Object replicas = map(md.getAdditionalProperties().get("spec")).get("replicas");
            String min = md.getMetadata().getAnnotations() == null ? null : md.getMetadata().getAnnotations().get(MIN_SIZE);
            workersDesired += replicas != null ? number(replicas, 0) : min != null ? Integer.parseInt(min) : 1;
        }
        int controlPlaneReady = 0;
        int workersReady = 0;
        for (GenericKubernetesResource m : client.genericKubernetesResources(CapiVersions.CLUSTER_API, "Machine")
                .inNamespace(namespace).withLabel(CapiVersions.CLUSTER_NAME_LABEL, name).list().getItems()) {
            if (map(m.getAdditionalProperties().get("status")).get("nodeRef") == null) {
                continue;
            }
            if (m.getMetadata().getLabels().containsKey("cluster.x-k8s.io/control-plane")) {
                controlPlaneReady++;
            } else {
                workersReady++;
            }
        }
        boolean ready = Boolean.TRUE.equals(status.get("controlPlaneReady")) && Boolean.TRUE.equals(status.get("infrastructureReady"))
                && controlPlaneReady >= controlPlaneDesired && workersReady >= workersDesired;
        return new Readiness((String) status.get("phase"), controlPlaneReady, controlPlaneDesired, workersReady, workersDesired, ready);
    }

    /** Waits until the control plane and the workers are ready, reporting progress as it changes. */
    Readiness waitReady(String namespace, String name, Duration timeout, Progress progress) {
        Readiness[] last = new Readiness[1];
        applier.waitUntil(timeout, "the control plane and workers of " + name + " (" + namespace + ") to be ready", () -> {
            Readiness now = readiness(namespace, name);
            if (!now.equals(last[0])) {
                progress.update(now.toString());
            }
            last[0] = now;
            return now.ready();
        });
        return last[0];
    }

    /** The kubeconfig Cluster API wrote for the new cluster (a secret: never printed). */
    String kubeconfig(String namespace, String name) {
        Secret secret = client.secrets().inNamespace(namespace).withName(name + "-kubeconfig").get();
        String value = secret == null ? null : Secrets.text(secret).get("value");
        if (value == null) {
            throw new LatticeException("Cluster API has not written the kubeconfig Secret " + namespace + "/" + name + "-kubeconfig",
                    "look at the control plane's conditions (kubectl describe kubeadmcontrolplane -n " + namespace + ")");
        }
        return value;
    }

    /** Deletes the Cluster, so that Cluster API deletes its machines, and waits until it is gone. */
    void deleteCluster(String namespace, String name, Duration timeout, Progress progress) {
        var clusters = client.genericKubernetesResources(CapiVersions.CLUSTER_API, "Cluster").inNamespace(namespace);
        clusters.withName(name).delete();
        applier.waitUntil(timeout, "Cluster API to delete " + name + " and its machines", () -> {
            int machines = client.genericKubernetesResources(CapiVersions.CLUSTER_API, "Machine").inNamespace(namespace)
                    .withLabel(CapiVersions.CLUSTER_NAME_LABEL, name).list().getItems().size();
            progress.update("deleting " + name + ": " + machines + " machine" + (machines == 1 ? "" : "s") + " left");
            return clusters.withName(name).get() == null;
        });
    }

    /** Merges {@code fields} into the status of the LatticeCluster {@code name}. */
    void latticeClusterStatus(String name, Consumer<ClusterStatus> change) {
        var resource = client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withName(name);
        GenericKubernetesResource current = resource.get();
        if (current == null) {
            throw new LatticeException("no LatticeCluster " + name + " in " + client.getMasterUrl(), null);
        }
        ClusterStatus status = StatusWriter.ofCluster(current);
        change.accept(status);
        StatusWriter.put(current, status);
        client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).resource(current).updateStatus();
    }

    private GenericKubernetesResource get(String apiVersion, String kind, String namespace, String name) {
        return client.genericKubernetesResources(apiVersion, kind).inNamespace(namespace).withName(name).get();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static int number(Object value, int otherwise) {
        return value instanceof Number n ? n.intValue() : otherwise;
    }
}
