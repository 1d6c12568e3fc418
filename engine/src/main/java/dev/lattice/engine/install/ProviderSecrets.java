package dev.lattice.engine.install;

import dev.lattice.core.LatticeException;
import dev.lattice.core.capi.CapiVersions;
import dev.lattice.core.model.Provider;
import dev.lattice.core.render.Manifests;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The Secrets a provider's controller reads beside a cluster's Cluster API objects, from clusterctl's usual variables:
 * for OpenStack, {@code <cluster>-cloud-config} with {@code clouds.yaml} (and a CA) that the OpenStackCluster's
 * identityRef names. Labelled to move with the cluster in a pivot. The values are never printed.
 */
final class ProviderSecrets {
    private ProviderSecrets() {
    }

    /** The Secrets {@code provider} needs for {@code cluster} in {@code namespace}; none for most providers. */
    static List<Secret> of(Provider provider, String cluster, String namespace, Function<String, String> environment) {
        if (provider != Provider.OPENSTACK) {
            return List.of();
        }
        String clouds = environment.apply("OPENSTACK_CLOUD_YAML_B64");
        if (clouds == null || clouds.isBlank()) {
            throw new LatticeException("OpenStack needs its clouds.yaml, and OPENSTACK_CLOUD_YAML_B64 is not set",
                    "set OPENSTACK_CLOUD_YAML_B64=$(base64 -w0 clouds.yaml), as for clusterctl: in the environment, or in the "
                            + "Secret the pool's credentialsRef names");
        }
        Map<String, String> data = new LinkedHashMap<>();
        data.put("clouds.yaml", clouds.strip());
        String ca = environment.apply("OPENSTACK_CLOUD_CACERT_B64");
        data.put("cacert", ca == null || ca.isBlank() ? Base64.getEncoder().encodeToString(new byte[0]) : ca.strip());
        Map<String, String> labels = new TreeMap<>(Map.of(CapiVersions.CLUSTER_NAME_LABEL, cluster, "clusterctl.cluster.x-k8s.io/move", ""));
        return List.of(new SecretBuilder().withMetadata(Manifests.meta(namespace, cluster + "-cloud-config", labels))
                .withType("Opaque").withData(data).build());
    }
}
