package dev.lattice.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.core.model.ClusterClaim;
import dev.lattice.core.model.Kind;
import dev.lattice.engine.warm.Claims;
import dev.lattice.testfixtures.Envtest;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not part of the test run (no *Test/*IT name): how long claims take, as {@code lattice claim create --wait} sees it, on a
 * parent daemon with the fake Cluster API provider and a warm pool of {@code bench.pool} clusters (each its own API
 * server): {@code bench.claims} claims one after another, each made, awaited until Bound with its kubeconfig Secret
 * there, then released at once (its cluster reset in the background while the next claims go on). A claim is made only
 * once a cluster is Available, so the figures are the binding's, not a wait for a reset. Prints p50, p90, p99 and max,
 * and what the daemon's metrics say of the resets. Run: {@code ./mvnw -B -pl daemon verify -Dtest=NONE
 * -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ClaimBench -Dbench.claims=100}.
 */
class ClaimBench {
    private static final int CLAIMS = Integer.getInteger("bench.claims", 100);
    private static final int POOL = Integer.getInteger("bench.pool", 4);

    @TempDir
    Path dir;

    @Test
    void claimLatency() throws Exception {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        try (WarmParent warm = new WarmParent(dir)) {
            KubernetesClient parent = warm.client();
            long filling = System.nanoTime();
            Kube.apply(parent, WarmParent.fleet(POOL, POOL, "Clean"));
            await().atMost(Duration.ofMinutes(5)).until(() -> available(parent) == POOL);
            System.out.printf("pool of %d filled in %.1f s%n", POOL, (System.nanoTime() - filling) / 1e9);
            Claims claims = new Claims(parent);
            String ns = WarmParent.NAMESPACE;
            List<Long> millis = new ArrayList<>();
            for (int i = 0; i < CLAIMS; i++) {
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20)).until(() -> available(parent) > 0);
                String name = "c" + i;
                long start = System.nanoTime();
                claims.create(ns, name, WarmParent.POOL, null, "1h");
                ClusterClaim bound = claims.await(ns, name, c -> c.status().phase() == ClusterClaim.Phase.BOUND
                        && parent.secrets().inNamespace(ns).withName(c.status().kubeconfigSecret()).get() != null, Duration.ofMinutes(1));
                millis.add((System.nanoTime() - start) / 1_000_000);
                assertThat(bound.status().cluster()).isNotNull();
                claims.release(ns, name);
            }
            Collections.sort(millis);
            System.out.printf("%d claims, made to Bound with a kubeconfig Secret (ms): p50 %d, p90 %d, p99 %d, max %d, min %d%n",
                    CLAIMS, pct(millis, 50), pct(millis, 90), pct(millis, 99), millis.get(millis.size() - 1), millis.get(0));
            System.out.println(resets(warm.daemon().httpPort()));
            assertThat(warm.failures()).isEmpty();
        }
    }

    private static int available(KubernetesClient parent) {
        Object n = Kube.status(Kube.get(parent, Kind.WARM_POOL, null, WarmParent.POOL)).get("available");
        return n instanceof Number number ? number.intValue() : 0;
    }

    private static long pct(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    /** The daemon's own figures for resets and claims, from its /metrics. */
    private static String resets(int port) throws Exception {
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString());
        StringBuilder out = new StringBuilder("daemon metrics:");
        metrics.body().lines().filter(l -> l.startsWith("lattice_warm_") && (l.contains("_sum") || l.contains("_count") || l.startsWith("lattice_warm_clusters")))
                .forEach(l -> out.append("\n  ").append(l));
        return out.toString();
    }
}
