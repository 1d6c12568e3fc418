package dev.lattice.daemon;

import dev.lattice.core.model.Kind;
import dev.lattice.core.model.WarmPool;
import dev.lattice.daemon.runtime.Daemon;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.testfixtures.FakeCapi;
import dev.lattice.testfixtures.FakeCloud;
import dev.lattice.testfixtures.FakeKubelet;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A parent daemon with the fake Cluster API provider on a real API server, for warm pool tests: every warm cluster it
 * provisions is an API server of its own, where this plays the kubelet (one Ready node, registered once the API server
 * is up) and the namespace controller (Terminating namespaces finished), as a real cluster's own processes would. The
 * warm pool is {@code train}; claims go in namespace {@code training}.
 */
final class WarmParent implements AutoCloseable {
    static final String POOL = "train";
    static final String NAMESPACE = "training";

    private final FakeCloud cloud = new FakeCloud();
    private final Path components;
    private final KubernetesClient client;
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final Thread kubelets;
    private Daemon daemon;

    WarmParent(Path dir) throws Exception {
        components = FakeCapi.writeComponents(dir.resolve("components"));
        client = cloud.existing().client();
        new FakeCapi(client).installCrds();
        Kube.namespace(client, NAMESPACE);
        kubelets = new Thread(this::playKubelets, "fake-kubelets");
        kubelets.setDaemon(true);
        kubelets.start();
        startDaemon();
    }

    /** The capacity pool, the parent, and warm pool train: {@code size} clusters, up to {@code maxSize}, reset by {@code strategy}. */
    static String fleet(int size, int maxSize, String strategy) {
        return Kube.parentOnLab() + """
                ---
                apiVersion: lattice.dev/v1alpha1
                kind: WarmPool
                metadata: {name: train}
                spec:
                  size: %d
                  maxSize: %d
                  pool: lab
                  template:
                    nodes:
                      controlPlane: {replicas: 1, instanceType: small}
                  reset: {strategy: %s, timeout: 2m}
                  claimLifetime: {default: 1h, maximum: 2h}
                  maxConcurrent: 4
                """.formatted(size, maxSize, strategy);
    }

    KubernetesClient client() {
        return client;
    }

    FakeCloud cloud() {
        return cloud;
    }

    Daemon daemon() {
        return daemon;
    }

    void startDaemon() throws Exception {
        daemon = new Daemon(Kube.provisioning("parent", components, "registry.example/lattice-daemon:test"), Kube.asDaemon(client, "parent"));
        daemon.start();
    }

    void stopDaemon() {
        daemon.close();
    }

    /** The pool's clusters, as the API server holds them now. */
    List<GenericKubernetesResource> members() {
        return client.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER)).withLabel(WarmPool.MEMBER_LABEL, POOL)
                .list().getItems();
    }

    /** What went wrong playing the clusters' processes or the Cluster API controllers. */
    List<Throwable> failures() {
        List<Throwable> all = new ArrayList<>(failures);
        all.addAll(cloud.failures());
        return all;
    }

    private void playKubelets() {
        List<String> registered = new ArrayList<>();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                for (GenericKubernetesResource m : members()) {
                    String name = m.getMetadata().getName();
                    var server = cloud.workload(name);
                    if (server.isEmpty()) {
                        continue;
                    }
                    KubernetesClient workload = server.get().client();
                    if (!registered.contains(name)) {
                        FakeKubelet.readyNode(workload, name + "-node");
                        registered.add(name);
                    }
                    FakeKubelet.finishTerminatingNamespaces(workload);
                }
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            } catch (KubernetesClientException e) {
                // a cluster being torn down; the next round sees it gone
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
    }

    @Override
    public void close() {
        try {
            daemon.close();
        } finally {
            kubelets.interrupt();
            try {
                kubelets.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            cloud.close();
        }
    }
}
