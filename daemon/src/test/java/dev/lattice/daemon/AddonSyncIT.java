package dev.lattice.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.core.addons.ClusterAddons;
import dev.lattice.core.addons.ClusterAddons.Addon;
import dev.lattice.core.install.DaemonManifests;
import dev.lattice.core.render.Manifests;
import dev.lattice.engine.addons.AddonSync;
import dev.lattice.testfixtures.Envtest;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What a new Lattice release does to an add-on it renders differently, as Helm's upgrade does: what the new version
 * adds is applied, what it leaves out is deleted (found in the inventory), what it keeps is left in place; and an
 * add-on whose render fails stops no other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("add-ons across a Lattice upgrade")
class AddonSyncIT {
    private Envtest api;
    private KubernetesClient client;

    @BeforeAll
    void start() {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        api = Envtest.start();
        client = api.client();
    }

    @AfterAll
    void stop() {
        if (api != null) {
            api.close();
        }
    }

    /** The monitoring add-on as a release might render it: its namespace and these ConfigMaps in it. */
    private static List<HasMetadata> release(String... configMaps) {
        List<HasMetadata> objects = new ArrayList<>();
        objects.add(new NamespaceBuilder().withMetadata(Manifests.meta(null, "monitoring", null)).build());
        for (String name : configMaps) {
            objects.add(new ConfigMapBuilder().withMetadata(Manifests.meta("monitoring", name, null)).withData(Map.of("v", name)).build());
        }
        return objects;
    }

    private boolean present(String name) {
        return client.configMaps().inNamespace("monitoring").withName(name).get() != null;
    }

    @Test
    void anUpgradeAppliesWhatIsNewDeletesWhatIsGoneAndOneFailureStopsNoOther() {
        AddonSync sync = new AddonSync(client, Duration.ofSeconds(30));
        List<Addon> wanted = List.of(ClusterAddons.MESH, ClusterAddons.MONITORING);
        Map<Addon, List<HasMetadata>> v1 = Map.of(ClusterAddons.MONITORING, release("agent", "rules"),
                ClusterAddons.MESH, List.of(new NamespaceBuilder().withMetadata(Manifests.meta(null, "istio-system", null)).build()));
        AddonSync.Outcome first = sync.sync(wanted, v1::get);
        assertThat(first.failed()).isEmpty();
        assertThat(first.applied()).containsEntry("monitoring", 3).containsEntry("mesh", 1);
        assertThat(present("agent") && present("rules")).isTrue();

        // The next release renders monitoring without "rules" and with "dashboards"; the mesh's render fails.
        AddonSync.Outcome second = sync.sync(wanted, addon -> {
            if (addon == ClusterAddons.MESH) {
                throw new IllegalStateException("cannot render the chart istiod: boom");
            }
            return release("agent", "dashboards");
        });
        assertThat(second.failed()).containsOnlyKeys("mesh");
        assertThat(second.applied()).containsEntry("monitoring", 3);
        assertThat(present("agent")).isTrue();
        assertThat(present("dashboards")).isTrue();
        assertThat(present("rules")).as("what the new version leaves out is deleted").isFalse();
        String inventory = client.configMaps().inNamespace(DaemonManifests.NAMESPACE).withName(AddonSync.INVENTORY).get().getData()
                .get("monitoring");
        assertThat(inventory).contains("monitoring dashboards").doesNotContain("monitoring rules");
        // The failed add-on keeps what it had, still listed, for the next pass to finish.
        assertThat(client.namespaces().withName("istio-system").get()).isNotNull();
        assertThat(client.configMaps().inNamespace(DaemonManifests.NAMESPACE).withName(AddonSync.INVENTORY).get().getData())
                .containsKey("mesh");
    }
}
