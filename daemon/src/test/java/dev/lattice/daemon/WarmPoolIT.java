package dev.lattice.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.core.model.ClusterClaim;
import dev.lattice.core.model.Kind;
import dev.lattice.daemon.reconciler.Members;
import dev.lattice.daemon.reconciler.Provisioning;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.engine.warm.Claims;
import dev.lattice.testfixtures.Envtest;
import dev.lattice.testfixtures.FakeCloud;
import dev.lattice.testfixtures.FakeKubelet;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A warm pool end to end on a parent daemon with the fake Cluster API provider, each warm cluster a real API server of
 * its own (the test plays the kubelets and namespace controllers there): the pool fills to 3; a claim is bound at once
 * with a kubeconfig of its own that works; released, the claim's credentials stop working and a Clean reset removes what
 * the session added, verified, before the cluster is offered again; a claim expires; a cluster that fails its health
 * check when claimed goes to Error, the claim takes the next, and the broken one is replaced; with every cluster taken a
 * claim queues, the pool says Exhausted, and the claim is bound as soon as a cluster comes back.
 */
class WarmPoolIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    @TempDir
    Path dir;

    @Test
    void claimsAreBoundAtOnceAndTheirClustersResetForTheNext() throws Exception {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        try (WarmParent warm = new WarmParent(dir)) {
            KubernetesClient parent = warm.client();
            FakeCloud cloud = warm.cloud();
            Kube.apply(parent, WarmParent.fleet(3, 4, "Clean"));

            // The pool fills: three clusters provisioned by this parent (never pivoted), healthy, baselines recorded.
            await().atMost(WAIT).untilAsserted(() -> assertThat(pool(parent)).containsEntry("available", 3));
            assertThat(Kube.condition(parent, Kind.WARM_POOL, null, "train", "Ready")).containsEntry("status", "True");
            List<GenericKubernetesResource> members = warm.members();
            assertThat(members).hasSize(3).allSatisfy(m -> {
                assertThat(Kube.status(m)).containsEntry("phase", "Ready").doesNotContainKey("pivotComplete");
                assertThat(m.getMetadata().getFinalizers()).contains(Provisioning.FINALIZER);
                assertThat(m.getMetadata().getAnnotations()).containsEntry(Members.STATE, "Available");
            });

            // A claim is bound at once to the oldest ready cluster, with a kubeconfig for it alone.
            // (Made, awaited and released as lattice claim does.)
            String oldest = oldestAvailable(warm.members());
            Claims claims = new Claims(parent);
            long start = System.nanoTime();
            claims.create("training", "alice", "train", "s-alice", "30m");
            ClusterClaim bound = claims.await("training", "alice", c -> c.status().phase() == ClusterClaim.Phase.BOUND, WAIT);
            String kubeconfig = claims.kubeconfig(bound);
            long boundMillis = (System.nanoTime() - start) / 1_000_000;
            System.out.println("claim to Bound with its kubeconfig: " + boundMillis + " ms");
            Map<String, Object> alice = claimStatus(parent, "alice");
            assertThat(alice).containsEntry("cluster", oldest).containsEntry("kubeconfigSecret", "alice-kubeconfig").containsKey("expiresAt");
            // kubectl wait --for=condition=Bound works, and kubectl describe shows it happen.
            await().atMost(WAIT).untilAsserted(() -> assertThat(Kube.condition(parent, Kind.CLUSTER_CLAIM, "training", "alice", "Bound"))
                    .containsEntry("status", "True"));
            await().atMost(WAIT).untilAsserted(() -> assertThat(parent.v1().events().inNamespace("training").list().getItems())
                    .anySatisfy(e -> assertThat(List.of(e.getInvolvedObject().getName(), e.getReason(), e.getType()))
                            .containsExactly("alice", "Bound", "Normal")));
            assertThat(member(parent, oldest).getMetadata().getAnnotations()).containsEntry(Members.STATE, "Claimed")
                    .containsEntry(Members.CLAIM, "training/alice").containsEntry(Members.SESSION, "s-alice");
            KubernetesClient workload = cloud.workload(oldest).orElseThrow().client();
            try (KubernetesClient session = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build()) {
                assertThat(session.nodes().list().getItems()).hasSize(1);
                session.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("scratch").endMetadata().build()).create();
                session.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("notes").endMetadata()
                        .addToData("a", "b").build()).create();
                // Below size now: a fourth cluster (maxSize) is provisioned to keep three available.
                await().atMost(WAIT).untilAsserted(() -> assertThat(pool(parent)).containsEntry("available", 3).containsEntry("claimed", 1));

                // Released: the claim's credentials stop working, its cluster is reset to the baseline and offered again.
                claims.release("training", "alice");
                claims.await("training", "alice", c -> c.status().phase() == ClusterClaim.Phase.RELEASED, WAIT);
                await().atMost(Duration.ofSeconds(30)).until(() -> refused(session));
                await().atMost(WAIT).until(() -> "Available".equals(member(parent, oldest).getMetadata().getAnnotations().get(Members.STATE)));
                assertThat(workload.namespaces().withName("scratch").get()).isNull();
                assertThat(workload.configMaps().inNamespace("default").withName("notes").get()).isNull();
                assertThat(parent.secrets().inNamespace("training").withName("alice-kubeconfig").get()).isNull();
            }

            // A claim that runs out of lifetime expires, and its cluster is reset; the daemon restarting meanwhile
            // loses nothing, since all it knows is in the objects.
            claim(parent, "bob", "lifetime: 3s");
            await().atMost(WAIT).until(() -> "Bound".equals(claimStatus(parent, "bob").get("phase")));
            String bobs = (String) claimStatus(parent, "bob").get("cluster");
            warm.stopDaemon();
            claim(parent, "carl", "lifetime: 1h"); // made while no daemon runs
            warm.startDaemon();
            await().atMost(WAIT).until(() -> "Bound".equals(claimStatus(parent, "carl").get("phase")));
            assertThat(claimStatus(parent, "carl").get("cluster")).isNotEqualTo(bobs);
            await().atMost(WAIT).until(() -> "Expired".equals(claimStatus(parent, "bob").get("phase")));
            await().atMost(WAIT).until(() -> "Available".equals(member(parent, bobs).getMetadata().getAnnotations().get(Members.STATE)));
            claims.release("training", "carl");
            await().atMost(WAIT).untilAsserted(() -> assertThat(pool(parent)).containsEntry("available", 4));

            // The cluster a claim would take fails its health check: it goes to Error, the claim takes the next one,
            // and the broken cluster is replaced.
            String broken = oldestAvailable(warm.members());
            FakeKubelet.nodeReady(cloud.workload(broken).orElseThrow().client(), broken + "-node", false);
            claim(parent, "carol", "lifetime: 1h");
            await().atMost(WAIT).until(() -> "Bound".equals(claimStatus(parent, "carol").get("phase")));
            assertThat(claimStatus(parent, "carol").get("cluster")).isNotEqualTo(broken);
            await().atMost(WAIT).until(() -> member(parent, broken) == null);
            await().atMost(WAIT).untilAsserted(() -> assertThat(pool(parent)).containsEntry("available", 3).containsEntry("claimed", 1));
            assertThat(pool(parent)).containsEntry("consecutiveFailures", 0)
                    .hasEntrySatisfying("lastFailure", m -> assertThat((String) m).contains(broken, "nodes not Ready"));

            // Every cluster taken (maxSize 4): the next claim waits, first in the queue, and the pool says Exhausted.
            for (String name : List.of("dave", "erin")) {
                claim(parent, name, "lifetime: 1h");
            }
            String generated = claims.create("training", null, "train", null, null).name();
            assertThat(generated).startsWith("train-");
            await().atMost(WAIT).untilAsserted(() -> assertThat(pool(parent)).containsEntry("claimed", 4));
            claim(parent, "gina", "lifetime: 1h");
            await().atMost(WAIT).untilAsserted(() -> assertThat(claimStatus(parent, "gina")).containsEntry("phase", "Pending")
                    .containsEntry("position", 0));
            claim(parent, "hank", "lifetime: 1h");
            await().atMost(WAIT).untilAsserted(() -> assertThat(claimStatus(parent, "hank")).containsEntry("phase", "Pending")
                    .containsEntry("position", 1));
            assertThat(Kube.condition(parent, Kind.WARM_POOL, null, "train", "Exhausted")).containsEntry("status", "True");
            assertThat(Kube.condition(parent, Kind.WARM_POOL, null, "train", "CapacityPressure")).containsEntry("reason", "AtMaxSize");
            assertThat(pool(parent).get("queue")).isEqualTo(List.of("training/gina", "training/hank"));
            // Deleting a claim gives its cluster back: reset, then bound to the claim that waited longest; the next
            // one moves up, and is served when the next cluster comes back.
            parent.genericKubernetesResources(LiveInputs.context(Kind.CLUSTER_CLAIM)).inNamespace("training").withName("dave").delete();
            await().atMost(WAIT).until(() -> "Bound".equals(claimStatus(parent, "gina").get("phase")));
            await().atMost(WAIT).untilAsserted(() -> assertThat(claimStatus(parent, "hank")).containsEntry("phase", "Pending")
                    .containsEntry("position", 0));
            claims.release("training", "erin");
            await().atMost(WAIT).until(() -> "Bound".equals(claimStatus(parent, "hank").get("phase")));
            await().atMost(WAIT).untilAsserted(() -> assertThat(Kube.condition(parent, Kind.WARM_POOL, null, "train", "Exhausted"))
                    .containsEntry("status", "False"));
            // Never a cluster held twice, nor a claim bound twice.
            List<String> holders = warm.members().stream().map(m -> m.getMetadata().getAnnotations().get(Members.CLAIM))
                    .filter(java.util.Objects::nonNull).toList();
            assertThat(holders).doesNotHaveDuplicates().hasSize(4);
            List<Object> held = parent.genericKubernetesResources(LiveInputs.context(Kind.CLUSTER_CLAIM)).inNamespace("training").list()
                    .getItems().stream().map(Kube::status).filter(st -> "Bound".equals(st.get("phase"))).map(st -> st.get("cluster")).toList();
            assertThat(held).doesNotHaveDuplicates().hasSize(4);
            assertThat(warm.failures()).isEmpty();
        }
    }

    @Test
    void aRecreateResetReplacesTheClusterInsteadOfCleaningItAndASmallerPoolLetsClustersGo() throws Exception {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        try (WarmParent warm = new WarmParent(dir)) {
            KubernetesClient parent = warm.client();
            FakeCloud cloud = warm.cloud();
            Kube.apply(parent, WarmParent.fleet(1, 1, "Recreate"));
            await().atMost(WAIT).untilAsserted(() -> assertThat(pool(parent)).containsEntry("available", 1));
            String first = warm.members().get(0).getMetadata().getName();
            Claims claims = new Claims(parent);
            claims.create("training", "ivy", "train", null, "1h");
            ClusterClaim bound = claims.await("training", "ivy", c -> c.status().phase() == ClusterClaim.Phase.BOUND, WAIT);
            assertThat(bound.status().cluster()).isEqualTo(first);
            try (KubernetesClient session = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(claims.kubeconfig(bound))).build()) {
                assertThat(session.nodes().list().getItems()).hasSize(1);
                claims.release("training", "ivy");
                // Its credentials end first; then the cluster goes, its machines with it, and a new one takes its place.
                await().atMost(Duration.ofSeconds(30)).until(() -> refused(session) || cloud.workload(first).isEmpty());
            }
            await().atMost(WAIT).until(() -> member(parent, first) == null && cloud.workload(first).isEmpty());
            await().atMost(WAIT).untilAsserted(() -> assertThat(pool(parent)).containsEntry("available", 1));
            assertThat(warm.members()).singleElement().satisfies(m -> assertThat(m.getMetadata().getName()).isNotEqualTo(first));
            assertThat(claimStatus(parent, "ivy")).containsEntry("phase", "Released");

            // A smaller pool lets the clusters it no longer keeps go, their machines with them.
            String second = warm.members().get(0).getMetadata().getName();
            Kube.apply(parent, WarmParent.fleet(0, 0, "Recreate"));
            await().atMost(WAIT).until(() -> warm.members().isEmpty() && cloud.workload(second).isEmpty());
            await().atMost(WAIT).untilAsserted(() -> assertThat(pool(parent)).containsEntry("available", 0).containsEntry("provisioning", 0));
            assertThat(warm.failures()).isEmpty();
        }
    }

    @Test
    void clustersBeyondTheSizeThatTheCapacityPoolCannotHoldAreNotMadeOverAndOver() throws Exception {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        try (WarmParent warm = new WarmParent(dir)) {
            KubernetesClient parent = warm.client();
            // 12 cores: the parent (4), the warm pool's size (1 cluster, 4) and one cluster more; maxSize asks for two more.
            Kube.apply(parent, WarmParent.fleet(1, 3, "Clean").replace("cores: 64", "cores: 12"));
            await().atMost(WAIT).untilAsserted(() -> assertThat(pool(parent)).containsEntry("available", 1));
            for (String name : List.of("a", "b", "c")) {
                claim(parent, name, "lifetime: 1h");
            }
            await().atMost(WAIT).untilAsserted(() -> assertThat(Kube.condition(parent, Kind.WARM_POOL, null, "train", "CapacityPressure"))
                    .containsEntry("status", "True").containsEntry("reason", "PoolFull"));
            await().atMost(WAIT).untilAsserted(() -> assertThat(pool(parent)).containsEntry("claimed", 2).containsEntry("error", 0)
                    .containsEntry("consecutiveFailures", 0));
            Map<String, Object> waiting = claimStatus(parent, "c");
            assertThat(waiting).containsEntry("phase", "Pending");
            assertThat((String) waiting.get("message")).contains("cannot hold another", "pool lab cannot hold");
            // The refused cluster may have begun (its finalizer on) before the pool's accounting saw both new clusters:
            // then it is gone once its machines are.
            await().atMost(WAIT).untilAsserted(() -> assertThat(warm.members()).hasSize(2));
            // That race, made certain: a member the capacity pool refuses after it began is let go.
            Kube.apply(parent, """
                    apiVersion: lattice.dev/v1alpha1
                    kind: LatticeCluster
                    metadata:
                      name: late
                      finalizers: [lattice.dev/child-cluster]
                      labels: {lattice.dev/warm-pool: train}
                    spec:
                      pool: lab
                      provider: {kubernetes: {version: "1.32.0", bootstrap: kubeadm}}
                      nodes:
                        controlPlane: {replicas: 1, instanceType: small}
                    """);
            await().atMost(WAIT).until(() -> member(parent, "late") == null);
            assertThat(warm.members()).hasSize(2);

            // A claim on a pool that is not there waits for one, and says so; a claim the parser refuses says why.
            Kube.apply(parent, """
                    apiVersion: lattice.dev/v1alpha1
                    kind: ClusterClaim
                    metadata: {name: lost, namespace: training}
                    spec: {pool: trian}
                    ---
                    apiVersion: lattice.dev/v1alpha1
                    kind: ClusterClaim
                    metadata: {name: odd, namespace: training}
                    spec: {pool: train, lifetime: forever}
                    """);
            await().atMost(WAIT).untilAsserted(() -> assertThat(Kube.condition(parent, Kind.CLUSTER_CLAIM, "training", "lost", "Bound"))
                    .containsEntry("status", "False").containsEntry("reason", "NoSuchPool"));
            assertThat(claimStatus(parent, "lost")).containsEntry("phase", "Pending");
            await().atMost(WAIT).untilAsserted(() -> assertThat(Kube.condition(parent, Kind.CLUSTER_CLAIM, "training", "odd", "Bound"))
                    .containsEntry("reason", "InvalidSpec").hasEntrySatisfying("message", m -> assertThat((String) m)
                            .contains("\"forever\" is not a duration")));
            // The warm pool deleted: the claims bound to its clusters have ended with it, and their kubeconfigs are gone.
            parent.genericKubernetesResources(LiveInputs.context(Kind.WARM_POOL)).withName("train").delete();
            for (String name : List.of("a", "b")) {
                await().atMost(WAIT).untilAsserted(() -> assertThat(claimStatus(parent, name)).containsEntry("phase", "Expired")
                        .hasEntrySatisfying("message", m -> assertThat((String) m).startsWith("its warm pool train is gone")));
                await().atMost(WAIT).until(() -> parent.secrets().inNamespace("training").withName(name + "-kubeconfig").get() == null);
            }
            assertThat(warm.failures()).isEmpty();

        }
    }

    private static boolean refused(KubernetesClient session) {
        try {
            session.namespaces().list();
            return false;
        } catch (KubernetesClientException e) {
            return e.getCode() == 401 || e.getCode() == 403;
        }
    }

    private static void claim(KubernetesClient parent, String name, String spec) {
        Kube.apply(parent, """
                apiVersion: lattice.dev/v1alpha1
                kind: ClusterClaim
                metadata: {name: %s, namespace: training}
                spec:
                  pool: train
                  %s
                """.formatted(name, spec));
    }

    private static Map<String, Object> claimStatus(KubernetesClient parent, String name) {
        return Kube.status(Kube.get(parent, Kind.CLUSTER_CLAIM, "training", name));
    }

    private static Map<String, Object> pool(KubernetesClient parent) {
        return Kube.status(Kube.get(parent, Kind.WARM_POOL, null, "train"));
    }

    private static GenericKubernetesResource member(KubernetesClient parent, String name) {
        return Kube.get(parent, Kind.LATTICE_CLUSTER, null, name);
    }

    /** The Available cluster a claim takes first: the one Available longest. */
    private static String oldestAvailable(List<GenericKubernetesResource> members) {
        return members.stream().filter(m -> "Available".equals(m.getMetadata().getAnnotations().get(Members.STATE)))
                .min(Comparator.comparing((GenericKubernetesResource m) -> Instant.parse(m.getMetadata().getAnnotations().get(Members.SINCE)))
                        .thenComparing(m -> m.getMetadata().getName()))
                .map(m -> m.getMetadata().getName()).orElseThrow();
    }
}
