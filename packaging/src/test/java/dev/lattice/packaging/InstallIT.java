package dev.lattice.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.core.LatticeException;
import dev.lattice.core.install.DaemonManifests;
import dev.lattice.core.install.InstallPlan;
import dev.lattice.core.model.Kind;
import dev.lattice.core.parse.Parser;
import dev.lattice.core.plan.Plan;
import dev.lattice.core.plan.Planner;
import dev.lattice.engine.Interrupted;
import dev.lattice.engine.addons.AddonSync;
import dev.lattice.engine.components.Components;
import dev.lattice.engine.install.Installer;
import dev.lattice.engine.install.Progress;
import dev.lattice.engine.install.RunOptions;
import dev.lattice.engine.install.Uninstaller;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.engine.pivot.Mover;
import dev.lattice.testfixtures.Envtest;
import dev.lattice.testfixtures.Examples;
import dev.lattice.testfixtures.FakeCapi;
import dev.lattice.testfixtures.FakeCloud;
import dev.lattice.testfixtures.SharedCharts;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lattice install} and {@code lattice uninstall} end to end without Docker: the bootstrap cluster and the
 * new cluster are real kube-apiservers (envtest), and the fake Cluster API provider plays the controllers in both.
 */
@DisplayName("install and uninstall, end to end on API servers")
class InstallIT {
    @TempDir
    Path dir;
    private Path components;
    private final List<String> said = Collections.synchronizedList(new ArrayList<>());
    private final Progress progress = new Progress() {
        @Override
        public void begin(String step) {
            said.add("begin " + step);
        }

        @Override
        public void update(String status) {
            said.add("update " + status);
        }

        @Override
        public void done(String step, boolean earlier) {
            said.add((earlier ? "earlier " : "done ") + step);
        }

        @Override
        public void warn(String message) {
            said.add("warn " + message);
        }
    };

    @BeforeEach
    void needsApiServers() {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        assumeTrue(SharedCharts.dir().isPresent(), SharedCharts.absence());
        components = FakeCapi.writeComponents(dir.resolve("components"));
    }

    private InstallPlan plan() {
        return InstallPlan.of(Planner.defaults().plan(Parser.read(List.of(Examples.dir().resolve("docker-laptop/cluster.yaml").toString()),
                new ByteArrayInputStream(new byte[0]))), null, System::getenv, components()::source, SharedCharts.helm());
    }

    private RunOptions options() {
        return new RunOptions(Duration.ofMinutes(2), false, Duration.ofMillis(200), dir.resolve("runs"));
    }

    private Components components() {
        return new Components(components, dir.resolve("cache"), c -> {
            throw new AssertionError("a test never downloads: " + c.url());
        });
    }

    /** An install of the docker-laptop example on the fake cloud, with the default daemon image. */
    private Installer installer(FakeCloud cloud, Path kubeconfigOut, RunOptions options, Progress progress) {
        return new Installer(plan(), cloud.bootstraps(), components(), System::getenv, DaemonManifests.DEFAULT_IMAGE,
                kubeconfigOut, options, progress);
    }

    @Test
    @DisplayName("install provisions, pivots and leaves a self-managing cluster; uninstall moves it back and deletes it")
    void installsAndUninstalls() throws Exception {
        try (FakeCloud cloud = new FakeCloud()) {
            Path kubeconfigOut = dir.resolve("dev.kubeconfig");
            Installer installer = installer(cloud, kubeconfigOut, options(), progress);
            Installer.Result result = installer.run();

            assertThat(result.resumed()).isFalse();
            assertThat(cloud.bootstrapsCreated()).isEqualTo(1);
            assertThat(cloud.bootstrapsRunning()).as("the bootstrap cluster is deleted").isZero();
            assertThat(Files.getPosixFilePermissions(kubeconfigOut))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            try (KubernetesClient cluster = new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(Files.readString(kubeconfigOut))).build()) {
                assertThat(cluster.getMasterUrl().toString())
                        .isEqualTo(cloud.workload("dev").orElseThrow().client().getMasterUrl().toString());
                // The Cluster API objects live in the cluster itself now, unpaused.
                GenericKubernetesResource capi = cluster.genericKubernetesResources("cluster.x-k8s.io/v1beta1", "Cluster")
                        .inNamespace("capi-dev").withName("dev").get();
                assertThat(capi).isNotNull();
                assertThat(((Map<?, ?>) capi.getAdditionalProperties().get("spec")).get("paused")).isNotEqualTo(true);
                assertThat(cluster.genericKubernetesResources("cluster.x-k8s.io/v1beta1", "Machine").inNamespace("capi-dev")
                        .list().getItems()).hasSize(3);
                assertThat(capi.getMetadata().getAnnotations()).containsKey(Mover.SOURCE_UID);
                // Its network reached it through the ClusterResourceSet, and the set, its ConfigMap and its binding moved too.
                assertThat(cluster.apps().daemonSets().inNamespace("kube-system").withName("cilium").get()).isNotNull();
                assertThat(cluster.genericKubernetesResources("addons.cluster.x-k8s.io/v1beta1", "ClusterResourceSet")
                        .inNamespace("capi-dev").withName("dev-network").get()).isNotNull();
                assertThat(cluster.configMaps().inNamespace("capi-dev").withName("dev-cilium").get().getData()).containsKey("cilium.yaml");
                assertThat(cluster.genericKubernetesResources("addons.cluster.x-k8s.io/v1beta1", "ClusterResourceSetBinding")
                        .inNamespace("capi-dev").withName("dev").get()).isNotNull();
                // Its mesh (services is on by default): Istio ambient, in the inventory the daemon takes over.
                assertThat(cluster.apps().deployments().inNamespace("istio-system").withName("istiod").get()).isNotNull();
                assertThat(cluster.apps().daemonSets().inNamespace("istio-system").withName("ztunnel").get()).isNotNull();
                assertThat(cluster.configMaps().inNamespace(DaemonManifests.NAMESPACE).withName(AddonSync.INVENTORY).get().getData())
                        .containsOnlyKeys("mesh");
                // The daemon and its CRDs are there, and the LatticeCluster says it was pivoted.
                assertThat(cluster.apps().deployments().inNamespace(DaemonManifests.NAMESPACE).withName(DaemonManifests.NAME).get()
                        .getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo(DaemonManifests.DEFAULT_IMAGE);
                GenericKubernetesResource lc = cluster.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER))
                        .withName("dev").get();
                Map<?, ?> status = (Map<?, ?>) lc.getAdditionalProperties().get("status");
                assertThat(status.get("pivotComplete")).isEqualTo(true);
                assertThat(status.get("bootstrapComplete")).isEqualTo(true);
                assertThat(status.get("phase")).isEqualTo("Ready");
                assertThat(status.get("readyWorkers")).isEqualTo(2);
                // The providers were installed into it, from the components directory.
                assertThat(cluster.apps().deployments().inNamespace("capi-system").withName("cluster-api-controller-manager").get())
                        .isNotNull();
            }
            assertThat(said).anyMatch(s -> s.startsWith("update Cluster Provisioned; control plane 1/1, workers 2/2"));

            // Uninstall, reading the cluster from its own API.
            KubernetesClient target = cloud.workload("dev").orElseThrow().client();
            Uninstaller.Plan plan = Uninstaller.plan(target, null);
            assertThat(plan.cluster()).isEqualTo("dev");
            Uninstaller uninstaller = new Uninstaller(plan, target, cloud.bootstraps(), components(), System::getenv, options(), progress);
            uninstaller.run();
            assertThat(cloud.workload("dev")).as("the fake provider deleted the cluster's machines").isEmpty();
            assertThat(cloud.bootstrapsCreated()).isEqualTo(2);
            assertThat(cloud.bootstrapsRunning()).isZero();
            assertThat(said).contains("done move the Cluster API objects of dev back into the bootstrap cluster");
            assertThat(cloud.failures()).isEmpty();
        }
    }

    /** Progress that does {@code action} when the step starting with {@code prefix} begins, once. */
    private Progress at(String prefix, Runnable action) {
        return new Progress() {
            private boolean fired;

            @Override
            public void begin(String step) {
                progress.begin(step);
                if (!fired && step.startsWith(prefix)) {
                    fired = true;
                    action.run();
                }
            }

            @Override
            public void update(String status) {
                progress.update(status);
            }

            @Override
            public void done(String step, boolean earlier) {
                progress.done(step, earlier);
            }

            @Override
            public void warn(String message) {
                progress.warn(message);
            }
        };
    }

    /** What a kill leaves: an Error, which the install and uninstall never clean up after, as no process can on SIGKILL. */
    private static final class Killed extends Error {
        Killed(String where) {
            super("killed at: " + where, null, false, false);
        }
    }

    /**
     * Progress that kills the run at the first kill point not in {@code killedAt} (and adds it there): the start of a
     * step not done before (the boundary after the previous step's checkpoint), or the first progress inside one (half-way
     * through its work). Run again and again, each run gets one kill point further, until one finishes.
     */
    private Progress killAtNext(List<String> killedAt) {
        return new Progress() {
            private String step;

            private void point(String where) {
                if (!killedAt.contains(where)) {
                    killedAt.add(where);
                    throw new Killed(where);
                }
            }

            @Override
            public void begin(String text) {
                progress.begin(text);
                step = text;
                point("begin " + text);
            }

            @Override
            public void update(String status) {
                progress.update(status);
                if (step != null) {
                    point("inside " + step);
                }
            }

            @Override
            public void done(String text, boolean earlier) {
                progress.done(text, earlier);
                step = null;
            }

            @Override
            public void warn(String message) {
                progress.warn(message);
            }
        };
    }

    @Test
    @DisplayName("an install and an uninstall killed at every step boundary, and inside every step, finish when run again")
    void survivesAKillAtEveryStep() throws Exception {
        try (FakeCloud cloud = new FakeCloud()) {
            Path kubeconfigOut = dir.resolve("dev.kubeconfig");
            List<String> killedAt = new ArrayList<>();
            String runId = null;
            Installer.Result result = null;
            for (int run = 0; result == null; run++) {
                assertThat(run).as("runs before the install finished; killed at " + killedAt).isLessThan(60);
                Installer installer = installer(cloud, kubeconfigOut, options(), killAtNext(killedAt));
                runId = runId == null ? installer.runId() : runId;
                assertThat(installer.runId()).as("every run resumes the first").isEqualTo(runId);
                try {
                    result = installer.run();
                } catch (Killed expected) {
                    assertThat(cloud.bootstrapsRunning()).as("at most the run's one bootstrap cluster").isLessThanOrEqualTo(1);
                }
            }
            assertThat(killedAt).as("killed at every step's start and inside the steps that report progress")
                    .filteredOn(k -> k.startsWith("begin ")).hasSizeGreaterThanOrEqualTo(9);
            assertThat(result.resumed()).isTrue();
            assertThat(cloud.bootstrapsCreated()).as("one bootstrap cluster for the whole install").isEqualTo(1);
            assertThat(cloud.bootstrapsRunning()).as("and it is gone").isZero();
            KubernetesClient cluster = cloud.workload("dev").orElseThrow().client();
            assertThat(cluster.genericKubernetesResources("cluster.x-k8s.io/v1beta1", "Machine").inNamespace("capi-dev")
                    .list().getItems()).as("every machine once").hasSize(3);
            assertThat(cluster.genericKubernetesResources("cluster.x-k8s.io/v1beta1", "Cluster").inNamespace("capi-dev")
                    .list().getItems()).singleElement().satisfies(c -> assertThat(((Map<?, ?>) c.getAdditionalProperties().get("spec"))
                            .get("paused")).isNotEqualTo(true));
            assertThat(kubeconfigOut).exists();
            assertThat(cloud.failures()).isEmpty();

            // Uninstall the same way; once the cluster's API is gone with it, the run resumes without it.
            killedAt.clear();
            String uninstallRun = null;
            boolean finished = false;
            for (int run = 0; !finished; run++) {
                assertThat(run).as("runs before the uninstall finished; killed at " + killedAt).isLessThan(60);
                // As lattice uninstall does: plan from the cluster while it answers, else resume without it.
                KubernetesClient target = cloud.workload("dev").map(Envtest::client).orElse(null);
                Uninstaller.Plan plan;
                try {
                    plan = Uninstaller.plan(target, "dev");
                } catch (RuntimeException gone) {
                    plan = Uninstaller.resumed("dev");
                    target = null;
                }
                Uninstaller uninstaller = new Uninstaller(plan, target, cloud.bootstraps(), components(), System::getenv, options(),
                        killAtNext(killedAt));
                uninstallRun = uninstallRun == null ? uninstaller.runId() : uninstallRun;
                assertThat(uninstaller.runId()).isEqualTo(uninstallRun);
                try {
                    uninstaller.run();
                    finished = true;
                } catch (Killed expected) {
                    assertThat(cloud.bootstrapsRunning()).isLessThanOrEqualTo(1);
                }
            }
            assertThat(killedAt).filteredOn(k -> k.startsWith("begin ")).hasSizeGreaterThanOrEqualTo(4);
            assertThat(cloud.workload("dev")).as("the cluster and its machines are deleted").isEmpty();
            assertThat(cloud.bootstrapsCreated()).as("one more bootstrap cluster, for the uninstall").isEqualTo(2);
            assertThat(cloud.bootstrapsRunning()).isZero();
            assertThat(cloud.failures()).isEmpty();
        }
    }

    @Test
    @DisplayName("an install that dies half-way resumes where it stopped when run again")
    void resumesAfterACrash() {
        try (FakeCloud cloud = new FakeCloud()) {
            Path kubeconfigOut = dir.resolve("dev.kubeconfig");
            // An Error is nothing the installer cleans up after: as if the process were killed.
            Installer first = installer(cloud, kubeconfigOut, options(), at("pivot", () -> {
                        throw new OutOfMemoryError("killed");
                    }));
            assertThatThrownBy(first::run).isInstanceOf(OutOfMemoryError.class);
            assertThat(cloud.bootstrapsRunning()).isEqualTo(1);
            said.clear();

            Installer again = installer(cloud, kubeconfigOut, options(), progress);
            assertThat(again.runId()).isEqualTo(first.runId());
            Installer.Result result = again.run();
            assertThat(result.resumed()).isTrue();
            assertThat(cloud.bootstrapsCreated()).as("the bootstrap cluster of the first run is used again").isEqualTo(1);
            assertThat(said).contains("earlier apply 10 Cluster API objects for dev (namespace capi-dev)",
                    "earlier install cert-manager, the Cluster API providers and the Lattice daemon into dev",
                    "done pivot the Cluster API objects of dev into it");
            assertThat(said).noneMatch(s -> s.startsWith("begin wait for the control plane"));
            assertThat(cloud.bootstrapsRunning()).isZero();
            assertThat(cloud.workload("dev").orElseThrow().client().genericKubernetesResources("cluster.x-k8s.io/v1beta1", "Machine")
                    .inNamespace("capi-dev").list().getItems()).as("every machine once").hasSize(3);
            assertThat(kubeconfigOut).exists();
            // Finished runs are never resumed: the next install of dev is a new run.
            assertThat(installer(cloud, dir.resolve("other.kubeconfig"), options(), progress).runId()).isNotEqualTo(first.runId());
        }
    }

    @Test
    @DisplayName("Ctrl-C after the machines exist deletes the cluster, then the bootstrap cluster; running again starts afresh")
    void interruptedInstallCleansUp() {
        try (FakeCloud cloud = new FakeCloud()) {
            Path kubeconfigOut = dir.resolve("dev.kubeconfig");
            Installer first = installer(cloud, kubeconfigOut, options(), at("install cert-manager, the Cluster API providers and the Lattice daemon",
                            () -> Thread.currentThread().interrupt()));
            assertThatThrownBy(first::run).isInstanceOf(Interrupted.class);
            assertThat(Thread.interrupted()).isFalse();
            assertThat(cloud.workload("dev")).as("the machines went with the Cluster").isEmpty();
            assertThat(cloud.bootstrapsRunning()).as("the bootstrap cluster is deleted").isZero();
            assertThat(said).anyMatch(s -> s.startsWith("warn deleted envtest cluster lattice-bootstrap-"));
            assertThat(kubeconfigOut).doesNotExist();

            said.clear();
            Installer again = installer(cloud, kubeconfigOut, options(), progress);
            again.run();
            assertThat(cloud.bootstrapsCreated()).isEqualTo(2);
            assertThat(said).contains("done create the bootstrap cluster (envtest cluster lattice-bootstrap-" + first.runId() + ")");
            assertThat(kubeconfigOut).exists();
        }
    }

    @Test
    @DisplayName("--keep-bootstrap-on-failure leaves the bootstrap cluster after a failure")
    void keepsTheBootstrapClusterWhenAsked() {
        try (FakeCloud cloud = new FakeCloud()) {
            RunOptions keep = new RunOptions(Duration.ofMinutes(2), true, Duration.ofMillis(200), dir.resolve("runs"));
            Installer installer = installer(cloud, dir.resolve("dev.kubeconfig"), keep, at("apply", () -> {
                        throw new LatticeException("the API server refused", null);
                    }));
            assertThatThrownBy(installer::run).hasMessage("the API server refused");
            assertThat(cloud.bootstrapsRunning()).isEqualTo(1);
            assertThat(said).anyMatch(s -> s.startsWith("warn kept envtest cluster lattice-bootstrap-") && s.contains("bootstrap.kubeconfig"));
        }
    }
}
