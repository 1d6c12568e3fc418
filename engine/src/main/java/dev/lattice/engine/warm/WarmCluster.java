package dev.lattice.engine.warm;

import dev.lattice.engine.kube.Applier;
import io.fabric8.kubernetes.api.model.ConfigBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamedCluster;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A warm pool's cluster as its parent reaches it, with the kubeconfig Cluster API keeps for it on the parent (warm
 * clusters are not pivoted: their parent resets them and hands out their credentials, which a session holding
 * cluster-admin must not be able to change). It answers whether the cluster is fit to hand out, records what it holds
 * (the baseline a Clean reset returns it to), mints and revokes one claim's credentials, and removes what a session
 * added.
 *
 * <p>A baseline lists, by name, the namespaces, the cluster-scoped objects a session could add (CRDs, RBAC,
 * volumes, classes, webhooks) and, in the namespaces already there, the objects people write (not those controllers
 * make, which carry owner references or come and go: Pods of a ReplicaSet, Endpoints, Events, Leases).
 */
public final class WarmCluster implements AutoCloseable {
    /** Where a claim's ServiceAccount lives, and the label naming its claim on what is made for it. */
    static final String CLAIMS_NAMESPACE = "kube-system";
    public static final String CLAIM_LABEL = "lattice.dev/claim";
    /** The shortest token the API server issues. */
    private static final Duration SHORTEST_TOKEN = Duration.ofMinutes(10);

    /** A kind a baseline records, by API group version and resource. */
    record Tracked(String apiVersion, String kind, String plural, boolean namespaced) {
        String key() {
            return plural + (apiVersion.contains("/") ? "." + apiVersion.substring(0, apiVersion.indexOf('/')) : "");
        }

        ResourceDefinitionContext context() {
            int slash = apiVersion.indexOf('/');
            return new ResourceDefinitionContext.Builder().withGroup(slash < 0 ? "" : apiVersion.substring(0, slash))
                    .withVersion(apiVersion.substring(slash + 1)).withKind(kind).withPlural(plural).withNamespaced(namespaced).build();
        }
    }

    private static final Tracked NAMESPACES = new Tracked("v1", "Namespace", "namespaces", false);
    static final List<Tracked> CLUSTER_SCOPED = List.of(
            NAMESPACES,
            new Tracked("apiextensions.k8s.io/v1", "CustomResourceDefinition", "customresourcedefinitions", false),
            new Tracked("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", false),
            new Tracked("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings", false),
            new Tracked("v1", "PersistentVolume", "persistentvolumes", false),
            new Tracked("storage.k8s.io/v1", "StorageClass", "storageclasses", false),
            new Tracked("scheduling.k8s.io/v1", "PriorityClass", "priorityclasses", false),
            new Tracked("networking.k8s.io/v1", "IngressClass", "ingressclasses", false),
            new Tracked("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false),
            new Tracked("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false));
    static final List<Tracked> NAMESPACED = List.of(
            new Tracked("apps/v1", "Deployment", "deployments", true),
            new Tracked("apps/v1", "StatefulSet", "statefulsets", true),
            new Tracked("apps/v1", "DaemonSet", "daemonsets", true),
            new Tracked("batch/v1", "Job", "jobs", true),
            new Tracked("batch/v1", "CronJob", "cronjobs", true),
            new Tracked("v1", "Pod", "pods", true),
            new Tracked("v1", "Service", "services", true),
            new Tracked("v1", "ConfigMap", "configmaps", true),
            new Tracked("v1", "Secret", "secrets", true),
            new Tracked("v1", "ServiceAccount", "serviceaccounts", true),
            new Tracked("v1", "PersistentVolumeClaim", "persistentvolumeclaims", true),
            new Tracked("rbac.authorization.k8s.io/v1", "Role", "roles", true),
            new Tracked("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings", true),
            new Tracked("networking.k8s.io/v1", "Ingress", "ingresses", true),
            new Tracked("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies", true));
    /**
     * What a cluster holds, by kind ({@code plural.group}), each object by name ({@code namespace/name} for those in a
     * namespace). Stored on the parent as JSON, where the session cannot reach it.
     */
    public record Inventory(Map<String, Set<String>> objects) {
        public Inventory {
            Map<String, Set<String>> copy = new TreeMap<>();
            objects.forEach((k, v) -> copy.put(k, new TreeSet<>(v)));
            objects = copy;
        }

        public String toJson() {
            return new KubernetesSerialization().asJson(objects);
        }

        @SuppressWarnings("unchecked")
        public static Inventory fromJson(String json) {
            Map<String, List<String>> read = new KubernetesSerialization().unmarshal(json, Map.class);
            Map<String, Set<String>> objects = new TreeMap<>();
            read.forEach((k, v) -> objects.put(k, new TreeSet<>(v)));
            return new Inventory(objects);
        }

        /** What this holds that {@code baseline} does not, as {@code kind name} lines. */
        public List<String> beyond(Inventory baseline) {
            List<String> extra = new ArrayList<>();
            objects.forEach((kind, names) -> names.stream().filter(n -> !baseline.objects.getOrDefault(kind, Set.of()).contains(n))
                    .forEach(n -> extra.add(kind + " " + n)));
            return extra;
        }
    }

    private final KubernetesClient client;
    private final String kubeconfig;

    /** @param kubeconfig the cluster's admin kubeconfig, as Cluster API wrote it (a secret: never printed or logged) */
    public WarmCluster(String kubeconfig) {
        this.kubeconfig = kubeconfig;
        this.client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build();
    }

    /**
     * Why the cluster is not fit to hand out, or null when it is: its API answers, it has nodes and every one is
     * Ready, and every namespace of {@code baseline} is still there.
     */
    public String unhealthy(Inventory baseline) {
        try {
            List<Node> nodes = client.nodes().list().getItems();
            if (nodes.isEmpty()) {
                return "it has no nodes";
            }
            List<String> notReady = nodes.stream().filter(n -> !ready(n)).map(n -> n.getMetadata().getName()).toList();
            if (!notReady.isEmpty()) {
                return "nodes not Ready: " + String.join(", ", notReady);
            }
            Set<String> namespaces = new TreeSet<>(baseline.objects().getOrDefault(NAMESPACES.key(), Set.of()));
            client.namespaces().list().getItems().forEach(n -> namespaces.remove(n.getMetadata().getName()));
            return namespaces.isEmpty() ? null : "namespaces of its baseline are gone: " + String.join(", ", namespaces);
        } catch (KubernetesClientException e) {
            return "its API does not answer: " + Applier.reason(e);
        }
    }

    private static boolean ready(Node node) {
        List<NodeCondition> conditions = node.getStatus() == null ? List.of() : node.getStatus().getConditions();
        return conditions.stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** What the cluster holds now (see the class comment), leaving out what was made for claims. */
    public Inventory inventory() {
        Map<String, Set<String>> objects = new LinkedHashMap<>();
        for (Tracked kind : CLUSTER_SCOPED) {
            Set<String> names = new TreeSet<>();
            for (GenericKubernetesResource r : list(kind)) {
                if (!ours(r)) {
                    names.add(r.getMetadata().getName());
                }
            }
            objects.put(kind.key(), names);
        }
        for (Tracked kind : NAMESPACED) {
            Set<String> names = new TreeSet<>();
            for (GenericKubernetesResource r : list(kind)) {
                boolean owned = r.getMetadata().getOwnerReferences() != null && !r.getMetadata().getOwnerReferences().isEmpty();
                if (!owned && !ours(r)) {
                    names.add(r.getMetadata().getNamespace() + "/" + r.getMetadata().getName());
                }
            }
            objects.put(kind.key(), names);
        }
        return new Inventory(objects);
    }

    private List<GenericKubernetesResource> list(Tracked kind) {
        var resources = client.genericKubernetesResources(kind.context());
        try {
            return (kind.namespaced() ? resources.inAnyNamespace() : resources).list().getItems();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return List.of(); // a kind this cluster does not serve
            }
            throw e;
        }
    }

    private static boolean ours(GenericKubernetesResource r) {
        Map<String, String> labels = r.getMetadata().getLabels();
        return labels != null && labels.containsKey(CLAIM_LABEL);
    }

    /**
     * Removes what the cluster holds beyond {@code baseline}: namespaces (with everything in them), cluster-scoped
     * objects, and objects added to the baseline's namespaces. Returns what is still beyond it once the deletions are
     * asked for (a namespace stays, Terminating, until the cluster's namespace controller has emptied it): empty
     * means clean. Run it again until it is.
     */
    public List<String> clean(Inventory baseline) {
        Inventory now = inventory();
        for (String extra : now.beyond(baseline)) {
            String kindKey = extra.substring(0, extra.indexOf(' '));
            String name = extra.substring(extra.indexOf(' ') + 1);
            Tracked kind = kindOf(kindKey);
            var resources = client.genericKubernetesResources(kind.context());
            if (kind.namespaced()) {
                int slash = name.indexOf('/');
                resources.inNamespace(name.substring(0, slash)).withName(name.substring(slash + 1)).delete();
            } else {
                resources.withName(name).delete();
            }
        }
        return inventory().beyond(baseline);
    }

    /**
     * How the cluster differs from {@code baseline}: what it holds beyond it ({@code + kind name}) and what of it is gone
     * ({@code - kind name}), which no reset can bring back. Empty: verified clean.
     */
    public List<String> differences(Inventory baseline) {
        Inventory now = inventory();
        List<String> out = new ArrayList<>();
        now.beyond(baseline).forEach(d -> out.add("+ " + d));
        baseline.beyond(now).forEach(d -> out.add("- " + d));
        return out;
    }

    private static Tracked kindOf(String key) {
        return java.util.stream.Stream.concat(CLUSTER_SCOPED.stream(), NAMESPACED.stream()).filter(t -> t.key().equals(key)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no tracked kind " + key));
    }

    /**
     * Credentials for one claim: a ServiceAccount bound to cluster-admin and a token for it that lasts {@code lifetime}
     * (at least the API server's shortest, 10 minutes), as a kubeconfig for the cluster's API. {@link #revoke} ends
     * them before they run out: a deleted ServiceAccount's tokens no longer authenticate.
     *
     * @param claim the claim's id, {@code namespace/name}
     * @return the kubeconfig (a secret: never printed or logged)
     */
    public String mint(String claim, Duration lifetime) {
        String name = accountName(claim);
        Map<String, String> labels = Map.of(CLAIM_LABEL, labelValue(claim));
        client.serviceAccounts().inNamespace(CLAIMS_NAMESPACE).resource(new ServiceAccountBuilder().withNewMetadata().withName(name)
                .withNamespace(CLAIMS_NAMESPACE).withLabels(labels).endMetadata().build()).serverSideApply();
        client.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata().withName(name).withLabels(labels)
                .endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "cluster-admin")
                .addNewSubject().withKind("ServiceAccount").withName(name).withNamespace(CLAIMS_NAMESPACE).endSubject().build()).serverSideApply();
        long seconds = Math.max(lifetime.toSeconds(), SHORTEST_TOKEN.toSeconds());
        TokenRequest request = new TokenRequestBuilder().withNewSpec().withExpirationSeconds(seconds).endSpec().build();
        TokenRequest issued = client.serviceAccounts().inNamespace(CLAIMS_NAMESPACE).withName(name).tokenRequest(request);
        return kubeconfigFor(claim, issued.getStatus().getToken());
    }

    /** Ends the claim's credentials: its ServiceAccount and binding go, and with them every token issued for it. */
    public void revoke(String claim) {
        String name = accountName(claim);
        client.rbac().clusterRoleBindings().withName(name).delete();
        client.serviceAccounts().inNamespace(CLAIMS_NAMESPACE).withName(name).delete();
    }

    /** Whether anything made for {@code claim} is still there. */
    public boolean holdsCredentialsOf(String claim) {
        String name = accountName(claim);
        return client.serviceAccounts().inNamespace(CLAIMS_NAMESPACE).withName(name).get() != null
                || client.rbac().clusterRoleBindings().withName(name).get() != null;
    }

    /** The ServiceAccount of a claim: a name from its id, within Kubernetes' 253 characters. */
    static String accountName(String claim) {
        String base = "lattice-claim-" + claim.replace('/', '.').toLowerCase(Locale.ROOT);
        return base.length() <= 253 ? base : base.substring(0, 253);
    }

    private static String labelValue(String claim) {
        String v = claim.replace('/', '.');
        return v.length() <= 63 ? v : v.substring(0, 63);
    }

    /** A kubeconfig with this cluster's server and CA, and the claim's token as its only user. */
    private String kubeconfigFor(String claim, String token) {
        KubernetesSerialization yaml = new KubernetesSerialization();
        io.fabric8.kubernetes.api.model.Config admin = yaml.unmarshal(kubeconfig, io.fabric8.kubernetes.api.model.Config.class);
        String current = admin.getCurrentContext();
        String clusterName = admin.getContexts().stream().filter(c -> c.getName().equals(current)).findFirst()
                .map(c -> c.getContext().getCluster()).orElse(admin.getClusters().get(0).getName());
        NamedCluster cluster = admin.getClusters().stream().filter(c -> c.getName().equals(clusterName)).findFirst().orElseThrow();
        String user = claim.replace('/', '-');
        return yaml.asYaml(new ConfigBuilder().withApiVersion("v1").withKind("Config")
                .addNewCluster().withName(clusterName).withNewCluster().withServer(cluster.getCluster().getServer())
                .withCertificateAuthorityData(cluster.getCluster().getCertificateAuthorityData()).endCluster().endCluster()
                .addNewUser().withName(user).withNewUser().withToken(token).endUser().endUser()
                .addNewContext().withName(user).withNewContext().withCluster(clusterName).withUser(user).endContext().endContext()
                .withCurrentContext(user).build());
    }

    @Override
    public void close() {
        client.close();
    }
}
