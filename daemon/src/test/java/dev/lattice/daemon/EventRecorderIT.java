package dev.lattice.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.engine.kube.EventRecorder;
import dev.lattice.testfixtures.Envtest;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Events as the daemon writes them, under its own RBAC on a real API server: found by the object's uid as kubectl
 * describe finds them, a repeat raising the count of the one Event, a cluster-scoped object's Events in default, and a
 * burst beyond the bucket dropped and counted instead of sent.
 */
class EventRecorderIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void eventsAreWrittenOncePerRepeatAndBoundedInRate() {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        try (Envtest api = Envtest.start()) {
            KubernetesClient admin = api.client();
            KubernetesClient daemon = Kube.asDaemon(admin, "home");
            Kube.namespace(admin, "shop");
            ConfigMap about = admin.configMaps().resource(new ConfigMapBuilder().withNewMetadata().withNamespace("shop").withName("web")
                    .endMetadata().build()).create();
            Namespace clusterScoped = admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("far").endMetadata().build())
                    .create();
            try (EventRecorder events = new EventRecorder(daemon, "lattice-daemon", "replica-a", Clock.systemUTC(), 3, 0.001)) {
                events.emit(about, true, "Unreachable", "cluster far is out of reach");
                events.emit(about, true, "Unreachable", "cluster far is out of reach");
                events.emit(about, false, "Placed", "Placed on far");
                events.emit(clusterScoped, false, "Placed", "a cluster-scoped object");
                await().atMost(WAIT).untilAsserted(() -> {
                    List<Event> written = of(admin, "shop", about.getMetadata().getUid());
                    assertThat(written).hasSize(2);
                    assertThat(written).anySatisfy(e -> {
                        assertThat(e.getType()).isEqualTo("Warning");
                        assertThat(e.getReason()).isEqualTo("Unreachable");
                        assertThat(e.getCount()).isEqualTo(2);
                        assertThat(e.getReportingInstance()).isEqualTo("replica-a");
                        assertThat(e.getInvolvedObject().getKind()).isEqualTo("ConfigMap");
                    }).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("Placed"));
                    assertThat(of(admin, "default", clusterScoped.getMetadata().getUid())).singleElement()
                            .satisfies(e -> assertThat(e.getMessage()).isEqualTo("a cluster-scoped object"));
                });
                // The normal bucket held 3 and has given out 2; of 10 more, one goes out and 9 are dropped.
                for (int i = 0; i < 10; i++) {
                    events.emit(about, false, "Applied", "change " + i);
                }
                assertThat(events.dropped()).isEqualTo(9);
                await().atMost(WAIT).until(() -> of(admin, "shop", about.getMetadata().getUid()).size() == 3);
            }
        }
    }

    private static List<Event> of(KubernetesClient client, String namespace, String uid) {
        return client.v1().events().inNamespace(namespace).withField("involvedObject.uid", uid).list().getItems();
    }
}
