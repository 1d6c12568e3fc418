package dev.lattice.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.daemon.runtime.Daemon;
import dev.lattice.testfixtures.Envtest;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A leader whose Lease another replica holds (as after a partition longer than its renew deadline) does not go on as a
 * replica that will never lead again: it stops reconciling, says why, fails its liveness probe and asks to end, so that
 * Kubernetes starts it afresh.
 */
class LeaseLossIT {
    @Test
    void aLeaderThatLosesItsLeaseEndsAndFailsItsLiveness() throws Exception {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        try (Envtest api = Envtest.start()) {
            KubernetesClient client = api.client();
            List<String> fatal = new CopyOnWriteArrayList<>();
            try (Daemon daemon = new Daemon(Kube.options("home", "replica-a", true, null, null), Kube.asDaemon(client, "home"), fatal::add)) {
                daemon.start();
                await().atMost(Duration.ofSeconds(60)).until(daemon::isLeader);
                HttpClient http = HttpClient.newHttpClient();
                URI healthz = URI.create("http://127.0.0.1:" + daemon.httpPort() + "/healthz");
                assertThat(http.send(HttpRequest.newBuilder(healthz).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

                client.leases().inNamespace("lattice-system").withName(Daemon.LEASE).edit(lease -> new LeaseBuilder(lease).editSpec()
                        .withHolderIdentity("replica-b").withRenewTime(ZonedDateTime.now()).withLeaseDurationSeconds(120).endSpec().build());

                await().atMost(Duration.ofSeconds(60)).until(() -> !fatal.isEmpty());
                assertThat(fatal).singleElement().asString().contains("lost the Lease lattice-system/" + Daemon.LEASE);
                assertThat(daemon.isLeader()).isFalse();
                assertThat(daemon.fatal()).isEqualTo(fatal.get(0));
                HttpResponse<String> dead = http.send(HttpRequest.newBuilder(healthz).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(dead.statusCode()).isEqualTo(503);
                assertThat(dead.body()).contains("lost the Lease");
            }
            assertThat(fatal).as("closing is not a failure").hasSize(1);
        }
    }
}
