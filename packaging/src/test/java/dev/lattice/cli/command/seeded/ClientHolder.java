package dev.lattice.cli.command.seeded;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/** A command that talks to Kubernetes itself, on purpose: ArchitectureTest shows its guard catches this. */
public class ClientHolder {
    public String server() {
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            return client.getMasterUrl().toString();
        }
    }
}
