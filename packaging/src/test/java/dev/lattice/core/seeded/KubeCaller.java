package dev.lattice.core.seeded;

import io.fabric8.kubernetes.client.KubernetesClient;

/** Breaks the purity of core on purpose: ArchitectureTest shows its guard catches this. */
public class KubeCaller {
    public String server(KubernetesClient client) {
        return client.getMasterUrl().toString();
    }
}
