package dev.lattice.engine.kube;

import dev.lattice.core.LatticeException;
import dev.lattice.core.model.Kind;
import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Parser;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the Lattice objects of a cluster through the same parser as files: each live object is written out as
 * YAML and parsed, so live objects are held to every rule a file is, and problems name the object.
 */
public final class LiveInputs {
    private LiveInputs() {
    }

    /** The API coordinates of a kind, without discovery. */
    public static ResourceDefinitionContext context(Kind kind) {
        return new ResourceDefinitionContext.Builder()
                .withGroup(Kind.GROUP)
                .withVersion(Kind.VERSION)
                .withKind(kind.kindName())
                .withPlural(kind.plural())
                .withNamespaced(kind.namespaced())
                .build();
    }

    /** The API coordinates of any kind, from its {@code apiVersion} ({@code group/version}, or {@code v1}) and resource name. */
    public static ResourceDefinitionContext context(String apiVersion, String kind, String plural, boolean namespaced) {
        int slash = apiVersion.indexOf('/');
        return new ResourceDefinitionContext.Builder()
                .withGroup(slash < 0 ? "" : apiVersion.substring(0, slash))
                .withVersion(apiVersion.substring(slash + 1))
                .withKind(kind)
                .withPlural(plural)
                .withNamespaced(namespaced)
                .build();
    }

    /** Every object of every Lattice kind in the cluster; a kind whose CRD is not installed has none. */
    public static Inputs read(KubernetesClient client) {
        List<InputReader.Input> texts = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            List<GenericKubernetesResource> items = list(client, kind);
            items.sort(LiveInputs::byNamespaceAndName);
            for (GenericKubernetesResource item : items) {
                texts.add(new InputReader.Input(name(kind, item), client.getKubernetesSerialization().asYaml(item)));
            }
        }
        if (texts.isEmpty()) {
            throw new LatticeException("the cluster at " + client.getMasterUrl() + " holds no Lattice objects",
                    "apply pools, clusters and services first (kubectl apply -f), or read files with -f");
        }
        return Parser.parse(texts);
    }

    /**
     * The order live objects are read in: by namespace (cluster-scoped ones as "null"), then name. Written out rather
     * than chained comparators, since the daemon sorts a fleet's objects with it.
     */
    public static int byNamespaceAndName(GenericKubernetesResource a, GenericKubernetesResource b) {
        int byNamespace = String.valueOf(a.getMetadata().getNamespace()).compareTo(String.valueOf(b.getMetadata().getNamespace()));
        return byNamespace != 0 ? byNamespace : a.getMetadata().getName().compareTo(b.getMetadata().getName());
    }

    /** The names of the cluster's objects of one kind, sorted; none where its CRD is not installed. */
    public static List<String> names(KubernetesClient client, Kind kind) {
        return list(client, kind).stream().map(r -> r.getMetadata().getName()).sorted().distinct().toList();
    }

    private static List<GenericKubernetesResource> list(KubernetesClient client, Kind kind) {
        try {
            return new ArrayList<>(client.genericKubernetesResources(context(kind)).inAnyNamespace().list().getItems());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return List.of();
            }
            throw unreachable(client, "list " + kind.plural(), e);
        }
    }

    /** One live object read into the model on its own (the references between objects unchecked), named by {@link #id}. */
    public static Parser.Read read(KubernetesClient client, Kind kind, GenericKubernetesResource object) {
        String id = id(kind, object.getMetadata().getNamespace(), object.getMetadata().getName());
        return Parser.read(new InputReader.Input(id, client.getKubernetesSerialization().asJson(object)));
    }

    /** How problems in a live object are located: {@code cluster:Kind/namespace/name}. */
    static String name(Kind kind, GenericKubernetesResource item) {
        return id(kind, item.getMetadata().getNamespace(), item.getMetadata().getName());
    }

    /** How a live object is named as an input, and so how its problems are located: {@code cluster:Kind/namespace/name}. */
    public static String id(Kind kind, String namespace, String name) {
        return "cluster:" + kind.kindName() + "/" + (kind.namespaced() ? namespace + "/" : "") + name;
    }

    static LatticeException unreachable(KubernetesClient client, String what, KubernetesClientException e) {
        String why = e.getCode() == 401 || e.getCode() == 403 ? "access denied (HTTP " + e.getCode() + ")"
                : e.getCode() > 0 ? "HTTP " + e.getCode() + ": " + e.getStatus().getMessage()
                : String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        return new LatticeException("cannot " + what + " in the cluster at " + client.getMasterUrl() + ": " + why,
                "check --kubeconfig and --context, and that the cluster is reachable", 1, e);
    }
}
