package dev.lattice.engine.kube;

import dev.lattice.core.LatticeException;
import dev.lattice.core.model.Pool;
import dev.lattice.core.model.SecretRef;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import java.util.function.Function;

/**
 * A pool's credentials: the Secret its {@code credentialsRef} names, holding the provider's clusterctl variables by
 * name ({@code AWS_B64ENCODED_CREDENTIALS}, {@code OPENSTACK_CLOUD_YAML_B64}, {@code PROXMOX_URL}, ...). Laid over
 * the environment, so the pool's values win. Values are never printed.
 */
public final class PoolCredentials {
    /** Where a credentialsRef without a namespace points. */
    public static final String DEFAULT_NAMESPACE = "lattice-system";

    private PoolCredentials() {
    }

    /** Reads the pool's credentials Secret; an empty map when the pool names none. */
    public static Map<String, String> read(KubernetesClient client, Pool pool) {
        SecretRef ref = pool.credentialsRef();
        if (ref == null) {
            return Map.of();
        }
        String namespace = ref.namespace() == null ? DEFAULT_NAMESPACE : ref.namespace();
        Secret secret;
        try {
            secret = client.secrets().inNamespace(namespace).withName(ref.name()).get();
        } catch (KubernetesClientException e) {
            throw new LatticeException("cannot read the credentials Secret " + namespace + "/" + ref.name() + " of pool "
                    + pool.name() + " at " + client.getMasterUrl() + ": " + Applier.reason(e), null, 1, e);
        }
        if (secret == null) {
            throw new LatticeException("pool " + pool.name() + " names the credentials Secret " + namespace + "/"
                    + ref.name() + ", and " + client.getMasterUrl() + " has no such Secret", null);
        }
        Map<String, String> values = Secrets.text(secret);
        return values;
    }

    /** The environment with {@code credentials} laid over it. */
    public static Function<String, String> over(Function<String, String> environment, Map<String, String> credentials) {
        return name -> credentials.containsKey(name) ? credentials.get(name) : environment.apply(name);
    }
}
