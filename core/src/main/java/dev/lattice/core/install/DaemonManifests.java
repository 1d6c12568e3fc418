package dev.lattice.core.install;

import static dev.lattice.core.render.Tree.map;
import static dev.lattice.core.render.Tree.object;

import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.crd.CrdGenerator;
import dev.lattice.core.model.Kind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What runs the Lattice daemon in a cluster: its CRDs, namespace, service account, RBAC (only what its reconcilers
 * touch) and Deployment. Pure; {@code lattice install} applies it to every cluster it creates.
 */
public final class DaemonManifests {
    public static final String NAMESPACE = dev.lattice.core.capi.ClusterRenderer.DAEMON_NAMESPACE;
    public static final String NAME = "lattice-daemon";
    /** The daemon image {@code lattice install} deploys unless told otherwise. */
    public static final String DEFAULT_IMAGE = "ghcr.io/lattice-dev/lattice-daemon:0.1.0";
    /** Health, readiness and Prometheus metrics are served on this port. */
    public static final int HTTP_PORT = 8080;
    /** The ClusterRole with Secrets, bound only in the namespaces Lattice owns. */
    public static final String SECRETS_ROLE = NAME + "-secrets";
    /** The Cluster API groups whose objects a pivot moves. */
    private static final List<String> CAPI_GROUPS = List.of("cluster.x-k8s.io", "bootstrap.cluster.x-k8s.io",
            "controlplane.cluster.x-k8s.io", "infrastructure.cluster.x-k8s.io", "addons.cluster.x-k8s.io", "ipam.cluster.x-k8s.io",
            "runtime.cluster.x-k8s.io");
    private static final List<String> ALL = List.of("get", "list", "watch", "create", "update", "patch", "delete");
    private static final Map<String, String> LABELS =
            Collections.unmodifiableSortedMap(new TreeMap<>(Map.of("app.kubernetes.io/name", NAME, "app.kubernetes.io/part-of", "lattice")));

    private DaemonManifests() {
    }

    /** The objects, CRDs and namespace first, for a daemon that manages the LatticeCluster {@code clusterName}. */
    public static List<Map<String, Object>> render(String clusterName, String image) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            out.add(CrdGenerator.crd(kind));
        }
        out.add(object("v1", "Namespace", null, NAMESPACE, LABELS));
        // Its own Cluster API objects move in here; the daemon hands them back from here when it is unpivoted.
        out.add(object("v1", "Namespace", null, ClusterRenderer.namespaceOf(clusterName), LABELS));
        out.add(object("v1", "ServiceAccount", NAMESPACE, NAME, LABELS));
        Map<String, Object> role = object("rbac.authorization.k8s.io/v1", "ClusterRole", null, NAME, LABELS);
        role.put("rules", clusterRules());
        out.add(role);
        out.add(binding("ClusterRoleBinding", null, "ClusterRole", NAME));
        Map<String, Object> secrets = object("rbac.authorization.k8s.io/v1", "ClusterRole", null, SECRETS_ROLE, LABELS);
        secrets.put("rules", List.of(rule("", List.of("secrets"), ALL)));
        out.add(secrets);
        // Secrets only where Lattice keeps them: its own namespace and its Cluster API namespace (a parent binds the
        // same role in each child's namespace as it creates it: secretsBinding).
        out.add(secretsBinding(NAMESPACE));
        out.add(secretsBinding(ClusterRenderer.namespaceOf(clusterName)));
        Map<String, Object> leases = object("rbac.authorization.k8s.io/v1", "Role", NAMESPACE, NAME, LABELS);
        // Leader election: one Lease in its own namespace.
        leases.put("rules", List.of(rule("coordination.k8s.io", List.of("leases"), List.of("get", "list", "watch", "create", "update", "patch"))));
        out.add(leases);
        out.add(binding("RoleBinding", NAMESPACE, "Role", NAME));
        out.add(deployment(clusterName, image));
        return out;
    }

    /** The RoleBinding that lets the daemon use Secrets in {@code namespace}, one Lattice owns. */
    public static Map<String, Object> secretsBinding(String namespace) {
        return binding("RoleBinding", namespace, "ClusterRole", SECRETS_ROLE);
    }

    private static List<Map<String, Object>> clusterRules() {
        List<String> lattice = new ArrayList<>();
        List<String> statuses = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            lattice.add(kind.plural());
            statuses.add(kind.plural() + "/status");
        }
        List<String> apply = List.of("get", "list", "watch", "create", "patch", "delete");
        List<Map<String, Object>> rules = new ArrayList<>(List.of(
                // Informers on every Lattice kind; finalizers on LatticeClusters; status on all. A child's agent
                // applies and deletes what its parent places there.
                rule(Kind.GROUP, lattice, List.of("get", "list", "watch", "update", "patch")),
                rule(Kind.GROUP, statuses, List.of("get", "update", "patch")),
                // Its CRDs, installed on start with server-side apply; a pivot reads which provider CRDs there are.
                rule("apiextensions.k8s.io", List.of("customresourcedefinitions"), List.of("get", "list", "watch", "create", "patch"))));
        // Worker-pool scaling and status from Cluster API, and provisioning, pivoting and unpivoting children: a pivot
        // moves the objects of every provider CRD installed, whatever its kinds, so these groups are whole.
        for (String group : CAPI_GROUPS) {
            rules.add(rule(group, List.of("*"), ALL));
        }
        rules.addAll(List.of(
                // Compiled workloads, in the namespaces of the services placed here, and those namespaces.
                rule("", List.of("namespaces"), List.of("get", "list", "watch", "create", "patch")),
                rule("", List.of("services", "serviceaccounts", "configmaps", "persistentvolumeclaims"), apply),
                rule("apps", List.of("deployments"), apply),
                rule("cilium.io", List.of("ciliumnetworkpolicies"), apply),
                rule("security.istio.io", List.of("authorizationpolicies", "peerauthentications"), apply),
                rule("networking.istio.io", List.of("serviceentries"), apply),
                // Secrets: none here. A parent binds the Secrets role in each child's namespace as it creates it, and
                // may bind that role only.
                rule("rbac.authorization.k8s.io", List.of("rolebindings"), List.of("get", "create", "patch")),
                map("apiGroups", List.of("rbac.authorization.k8s.io"), "resources", List.of("clusterroles"),
                        "verbs", List.of("bind"), "resourceNames", List.of(SECRETS_ROLE)),
                rule("", List.of("nodes"), List.of("get", "list", "watch")),
                rule("", List.of("events"), List.of("create", "patch"))));
        return rules;
    }

    private static Map<String, Object> rule(String group, List<String> resources, List<String> verbs) {
        return map("apiGroups", List.of(group), "resources", resources, "verbs", verbs);
    }

    private static Map<String, Object> binding(String kind, String namespace, String roleKind, String role) {
        Map<String, Object> b = object("rbac.authorization.k8s.io/v1", kind, namespace, role, LABELS);
        b.put("roleRef", map("apiGroup", "rbac.authorization.k8s.io", "kind", roleKind, "name", role));
        b.put("subjects", List.of(map("kind", "ServiceAccount", "name", NAME, "namespace", NAMESPACE)));
        return b;
    }

    private static Map<String, Object> deployment(String clusterName, String image) {
        Map<String, Object> d = object("apps/v1", "Deployment", NAMESPACE, NAME, LABELS);
        Map<String, Object> probe = map("httpGet", map("path", "/healthz", "port", "http"), "periodSeconds", 10);
        Map<String, Object> ready = map("httpGet", map("path", "/readyz", "port", "http"), "periodSeconds", 5);
        Map<String, Object> container = map(
                "name", "daemon",
                "image", image,
                // Its own image is what it installs into the children it provisions.
                "args", List.of("--cluster-name", clusterName, "--daemon-image", image),
                // The replica's name in the leader-election Lease.
                "env", List.of(map("name", "POD_NAME", "valueFrom", map("fieldRef", map("fieldPath", "metadata.name")))),
                "ports", List.of(map("name", "http", "containerPort", HTTP_PORT),
                        // Served only on a parent (spec.parentConfig); its children dial these.
                        map("name", "agent", "containerPort", 50051), map("name", "bootstrap", "containerPort", 8443)),
                "livenessProbe", probe,
                "readinessProbe", ready,
                "resources", map("requests", map("cpu", "100m", "memory", "128Mi"), "limits", map("memory", "256Mi")),
                "securityContext", map("allowPrivilegeEscalation", false, "readOnlyRootFilesystem", true,
                        "runAsNonRoot", true, "capabilities", map("drop", List.of("ALL"))));
        d.put("spec", map(
                // Two replicas, leader-elected, so a node's loss never stops reconciling.
                "replicas", 2,
                "selector", map("matchLabels", Map.of("app.kubernetes.io/name", NAME)),
                "template", map(
                        "metadata", map("labels", LABELS, "annotations", map(
                                "prometheus.io/scrape", "true", "prometheus.io/port", String.valueOf(HTTP_PORT), "prometheus.io/path", "/metrics")),
                        "spec", map("serviceAccountName", NAME, "containers", List.of(container)))));
        return d;
    }
}
