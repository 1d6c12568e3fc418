package dev.lattice.engine.warm;

import dev.lattice.core.LatticeException;
import dev.lattice.core.model.ClusterClaim;
import dev.lattice.core.model.Kind;
import dev.lattice.core.model.LatticeObject;
import dev.lattice.core.model.ObjectMeta;
import dev.lattice.engine.kube.Applier;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.engine.kube.Secrets;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * ClusterClaims as a user makes, lists and gives them back ({@code lattice claim}); the daemon of the cluster that holds
 * the warm pool binds them, hands out their kubeconfigs and resets their clusters.
 */
public final class Claims {
    /** The key of the kubeconfig in a claim's Secret. */
    public static final String KUBECONFIG_KEY = "kubeconfig";

    private final KubernetesClient client;

    public Claims(KubernetesClient client) {
        this.client = client;
    }

    /** The namespace claims go in when none is named: the kubeconfig context's, else {@code default}. */
    public String defaultNamespace() {
        String ns = client.getNamespace();
        return ns == null || ns.isBlank() ? "default" : ns;
    }

    /**
     * Makes a claim on warm pool {@code pool} (refused when the cluster has none of that name); {@code name} null: one is
     * made from the pool's name; {@code session} and {@code lifetime} null: the defaults.
     */
    public ClusterClaim create(String namespace, String name, String pool, String session, String lifetime) {
        List<String> pools = LiveInputs.names(client, Kind.WARM_POOL);
        if (!pools.contains(pool)) {
            throw new LatticeException("no warm pool named \"" + pool + "\" in the cluster at " + client.getMasterUrl(),
                    pools.isEmpty() ? "make one first (kubectl apply -f, see examples/warm-pool)" : "warm pools: " + String.join(", ", pools));
        }
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("pool", pool);
        if (session != null) {
            spec.put("session", session);
        }
        if (lifetime != null) {
            spec.put("lifetime", lifetime);
        }
        GenericKubernetesResource claim = new GenericKubernetesResource();
        claim.setApiVersion(LatticeObject.API_VERSION);
        claim.setKind(Kind.CLUSTER_CLAIM.kindName());
        ObjectMetaBuilder meta = new ObjectMetaBuilder().withNamespace(namespace);
        claim.setMetadata(name != null ? meta.withName(name).build() : meta.withGenerateName(pool + "-").build());
        claim.setAdditionalProperty("spec", spec);
        try {
            return model(claims(namespace).resource(claim).create());
        } catch (KubernetesClientException e) {
            throw refused("create the claim", e);
        }
    }

    /** The claims in {@code namespace} (null: all), by namespace and name. */
    public List<ClusterClaim> list(String namespace) {
        var all = client.genericKubernetesResources(LiveInputs.context(Kind.CLUSTER_CLAIM));
        try {
            List<GenericKubernetesResource> items = (namespace == null ? all.inAnyNamespace() : all.inNamespace(namespace)).list().getItems();
            return items.stream().sorted(LiveInputs::byNamespaceAndName).map(this::model).toList();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return List.of(); // no ClusterClaim CRD: no claims
            }
            throw refused("list claims", e);
        }
    }

    /** Gives the claim's cluster back: it is reset for the next claim, and the claim's credentials stop working. */
    public ClusterClaim release(String namespace, String name) {
        get(namespace, name);
        try {
            return model(claims(namespace).withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"released\":true}}"));
        } catch (KubernetesClientException e) {
            throw refused("release the claim", e);
        }
    }

    /** The claim, or a refusal that names the claims there are. */
    public ClusterClaim get(String namespace, String name) {
        GenericKubernetesResource live = claims(namespace).withName(name).get();
        if (live == null) {
            List<String> there = list(namespace).stream().map(ClusterClaim::name).toList();
            throw new LatticeException("no claim named \"" + name + "\" in namespace " + namespace,
                    there.isEmpty() ? "lattice claim list -A lists the claims of every namespace" : "claims there: " + String.join(", ", there));
        }
        return model(live);
    }

    /**
     * Waits (watching, not polling) until the claim's status satisfies {@code until}; refused when it does not within
     * {@code timeout}, saying where the claim stands.
     */
    public ClusterClaim await(String namespace, String name, Predicate<ClusterClaim> until, Duration timeout) {
        try {
            return model(claims(namespace).withName(name).waitUntilCondition(r -> r != null && until.test(model(r)),
                    timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (KubernetesClientTimeoutException e) {
            ClusterClaim now = get(namespace, name);
            String message = now.status().message();
            throw new LatticeException("claim " + namespace + "/" + name + " is still " + phase(now) + " after " + timeout.toSeconds() + " s"
                    + (message == null ? "" : ": " + message), "lattice claim list shows where it stands; wait longer with --timeout");
        }
    }

    /** The kubeconfig handed out to a bound claim (a secret: never printed or logged). */
    public String kubeconfig(ClusterClaim claim) {
        String secret = claim.status().kubeconfigSecret();
        Secret s = secret == null ? null : client.secrets().inNamespace(claim.metadata().namespace()).withName(secret).get();
        String kubeconfig = s == null ? null : Secrets.text(s).get(KUBECONFIG_KEY);
        if (kubeconfig == null) {
            throw new LatticeException("claim " + claim.metadata().namespace() + "/" + claim.name() + " has no kubeconfig"
                    + (claim.status().phase() == ClusterClaim.Phase.BOUND ? " yet" : ": it is " + phase(claim)),
                    "its kubeconfig is handed out while it is Bound; wait for that with --wait");
        }
        return kubeconfig;
    }

    /** The claim's phase as its status says, Pending before it has one. */
    public static String phase(ClusterClaim claim) {
        return claim.status().phase() == null ? ClusterClaim.Phase.PENDING.wire() : claim.status().phase().wire();
    }

    private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> claims(
            String namespace) {
        return client.genericKubernetesResources(LiveInputs.context(Kind.CLUSTER_CLAIM)).inNamespace(namespace);
    }

    private static LatticeException refused(String what, KubernetesClientException e) {
        return new LatticeException("cannot " + what + ": " + Applier.reason(e), e.getCode() == 403 ? "ask for access to clusterclaims in that namespace" : null);
    }

    /** The claim as the model reads it, its status with it; a claim the parser refuses keeps what could be read. */
    private ClusterClaim model(GenericKubernetesResource live) {
        return LiveInputs.read(client, Kind.CLUSTER_CLAIM, live).objects().stream().map(p -> (ClusterClaim) p.object()).findFirst()
                .orElseGet(() -> new ClusterClaim(new ObjectMeta(live.getMetadata().getName(),
                        live.getMetadata().getNamespace(), null, null, live.getMetadata().getUid(), null, null,
                        live.getMetadata().getCreationTimestamp()), new ClusterClaim.Spec("?", null, null, null), null));
    }
}
