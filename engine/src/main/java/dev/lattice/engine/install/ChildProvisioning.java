package dev.lattice.engine.install;

import dev.lattice.core.LatticeException;
import dev.lattice.core.addons.HelmTemplate;
import dev.lattice.core.capi.CapiVersions;
import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.install.DaemonManifests;
import dev.lattice.core.install.InstallPlan;
import dev.lattice.core.model.CanonicalForm;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.LatticeObject;
import dev.lattice.core.model.Pool;
import dev.lattice.core.render.Manifests;
import dev.lattice.engine.components.Components;
import dev.lattice.engine.kube.PoolCredentials;
import dev.lattice.engine.kube.Secrets;
import dev.lattice.engine.pivot.Mover;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A parent provisioning one of its children through its own Cluster API, as {@code lattice install} does from a
 * bootstrap cluster: render and apply the child's Cluster API objects here, wait for its machines, install the
 * providers and the given objects (the daemon, where its parent is) into it, and pivot. Each step is idempotent, so a
 * daemon that restarts part-way runs the step it was in again.
 */
public final class ChildProvisioning {
    /** The key of the token in its Secret, which the control plane's first boot reads (see {@link ClusterRenderer.Parent}). */
    public static final String TOKEN_KEY = "token";

    private final ManagementCluster parent;
    private final Components components;
    private final HelmTemplate charts;
    private final Function<String, String> environment;
    private final Duration timeout;
    private final Duration poll;
    private final Progress progress;

    /**
     * {@code charts} renders a child's network; {@code timeout} bounds each wait (the machines, the providers);
     * {@code progress} hears how they get on.
     */
    public ChildProvisioning(KubernetesClient parent, Components components, HelmTemplate charts, Function<String, String> environment,
                             Duration timeout, Duration poll, Progress progress) {
        this.parent = new ManagementCluster(parent, poll);
        this.components = components;
        this.charts = charts;
        this.environment = environment;
        this.timeout = timeout;
        this.poll = poll;
        this.progress = progress;
    }

    /** The Secret holding a child's one-time token on its parent, in the child's Cluster API namespace. */
    public static String tokenSecret(String cluster) {
        return cluster + "-lattice-token";
    }

    /**
     * The child's one-time token in the Secret its Cluster API objects read it from (with the namespace that holds them),
     * on its parent. Labelled as the cluster's own, so the pivot takes it along.
     */
    public static List<HasMetadata> tokenObjects(String cluster, String token) {
        String namespace = ClusterRenderer.namespaceOf(cluster);
        Secret secret = new SecretBuilder()
                .withMetadata(Manifests.meta(namespace, tokenSecret(cluster),
                        new TreeMap<>(Map.of(CapiVersions.CLUSTER_NAME_LABEL, cluster, ClusterRenderer.CLUSTER_LABEL, cluster))))
                .withType("Opaque")
                .withData(Secrets.data(Map.of(TOKEN_KEY, token)))
                .build();
        return List.of(new NamespaceBuilder().withMetadata(Manifests.meta(null, namespace, Map.of(ClusterRenderer.CLUSTER_LABEL, cluster))).build(),
                DaemonManifests.secretsBinding(namespace), secret);
    }

    /**
     * Applies the child's Cluster API objects, rendered to fetch the daemon's manifests from {@code at} with the token
     * of {@link #tokenObjects} (which its parent keeps up to date), and the Secrets its provider reads beside them. The
     * provider's variables come from the pool's credentials Secret on this parent, laid over the daemon's environment,
     * as {@code lattice install} takes them. Refused, with nothing applied, when the rendering needs variables neither
     * sets.
     */
    public int apply(LatticeCluster cluster, Pool pool, ClusterRenderer.Parent at) {
        Function<String, String> variables = variables(pool);
        InstallPlan.Provisioning rendered = InstallPlan.provisioning(cluster, pool, at, variables, charts);
        if (!rendered.missingVariables().isEmpty()) {
            throw new LatticeException("the Cluster API objects of " + cluster.name() + " need " + String.join(", ", rendered.missingVariables())
                    + ", which " + (pool != null && pool.credentialsRef() != null
                    ? "neither the credentials Secret of pool " + pool.name() + " nor the daemon's environment sets"
                    : "the daemon's environment does not set"), pool == null ? "set them in the env of the lattice-daemon Deployment"
                    : "put them in a Secret in " + PoolCredentials.DEFAULT_NAMESPACE + " that pool " + pool.name()
                    + "'s credentialsRef names, as for lattice install");
        }
        List<HasMetadata> objects = new ArrayList<>(rendered.objects());
        // The daemon reads the kubeconfig Cluster API writes there (a warm cluster's parent keeps using it).
        objects.add(1, DaemonManifests.secretsBinding(rendered.namespace()));
        objects.addAll(ProviderSecrets.of(cluster.provider(pool), cluster.name(), rendered.namespace(), variables));
        parent.applier().apply(objects, timeout);
        return rendered.objects().size();
    }

    /** The daemon's environment with the credentials Secret of {@code pool} (if it names one) laid over it. */
    private Function<String, String> variables(Pool pool) {
        return pool == null || pool.credentialsRef() == null ? environment
                : PoolCredentials.over(environment, PoolCredentials.read(parent.client(), pool));
    }

    /** Waits until the child's control plane and workers are ready; returns how they stand. */
    public String waitReady(LatticeCluster cluster) {
        return parent.waitReady(ClusterRenderer.namespaceOf(cluster), cluster.name(), timeout, progress).toString();
    }

    /**
     * The admin kubeconfig Cluster API wrote for {@code cluster} on {@code parent} (a secret: never printed or logged);
     * refused while it has not written one.
     */
    public static String kubeconfig(KubernetesClient parent, String cluster) {
        return new ManagementCluster(parent, Duration.ofSeconds(1)).kubeconfig(ClusterRenderer.namespaceOf(cluster), cluster);
    }

    /** Whether the child's Cluster is gone from here, as after the pivot's last step. */
    public boolean moved(LatticeCluster cluster) {
        return parent.client().genericKubernetesResources(CapiVersions.CLUSTER_API, "Cluster")
                .inNamespace(ClusterRenderer.namespaceOf(cluster)).withName(cluster.name()).get() == null;
    }

    /**
     * Installs the Cluster API providers, {@code forChild}, the pool and the LatticeCluster itself into the child (reached
     * with the kubeconfig Cluster API wrote, which never leaves memory), then moves the child's Cluster API objects
     * into it.
     */
    public Mover.Result pivot(LatticeCluster cluster, Pool pool, List<? extends HasMetadata> forChild) {
        String namespace = ClusterRenderer.namespaceOf(cluster);
        try (KubernetesClient child = ManagementCluster.connect(parent.kubeconfig(namespace, cluster.name()))) {
            ManagementCluster workload = new ManagementCluster(child, poll);
            workload.installProviders(CapiVersions.componentsFor(cluster.provider(pool), cluster.spec().provider().kubernetes().bootstrap()),
                    components, variables(pool), timeout, progress);
            List<HasMetadata> objects = new ArrayList<>(forChild);
            if (pool != null) {
                objects.add(declared(pool));
            }
            objects.add(declared(cluster));
            workload.applier().apply(objects, timeout);
            return mover(parent.client(), child).move(namespace, cluster.name());
        }
    }

    /** Takes over the child's Cluster API objects as its agent handed them back (owners first), unpaused here. */
    public Mover.Result adopt(LatticeCluster cluster, List<GenericKubernetesResource> graph) {
        return mover(null, parent.client()).adopt(ClusterRenderer.namespaceOf(cluster), graph);
    }

    private Mover mover(KubernetesClient source, KubernetesClient target) {
        return new Mover(source, target, new Mover.Listener() {
            @Override
            public void step(String message) {
                progress.update(message);
            }
        });
    }

    /** Deletes the child's Cluster here, so that Cluster API deletes its machines, and waits until it is gone. */
    public void delete(LatticeCluster cluster) {
        parent.deleteCluster(ClusterRenderer.namespaceOf(cluster), cluster.name(), timeout, progress);
    }

    /** What was declared of a live object: no status, and none of the server's metadata (its UID is this cluster's). */
    private static GenericKubernetesResource declared(LatticeObject object) {
        GenericKubernetesResource out = Manifests.object(CanonicalForm.of(object));
        out.getAdditionalProperties().remove("status");
        ObjectMeta live = out.getMetadata();
        if (live != null) {
            out.setMetadata(new ObjectMetaBuilder().withName(live.getName()).withNamespace(live.getNamespace())
                    .withLabels(live.getLabels()).withAnnotations(live.getAnnotations()).build());
        }
        return out;
    }
}
