package dev.lattice.daemon.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.core.crd.CrdGenerator;
import dev.lattice.core.model.Kind;
import dev.lattice.core.model.Pool;
import dev.lattice.core.model.WarmPool;
import dev.lattice.core.model.WarmPool.State;
import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Parser;
import dev.lattice.engine.kube.Applier;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.engine.kube.Secrets;
import dev.lattice.engine.warm.ProxmoxSnapshots;
import dev.lattice.testfixtures.Envtest;
import dev.lattice.testfixtures.FakeKubelet;
import dev.lattice.testfixtures.FakeProxmox;
import dev.lattice.testfixtures.SharedCrds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Snapshot reset on a parent API server with the real Cluster API Proxmox CRDs, a warm cluster played by an API server
 * of its own, and a Proxmox API over HTTPS on loopback: the cluster's VMs (its ProxmoxMachines) are snapshotted when its
 * baseline is recorded; a reset revokes the claim, rolls every VM back at once, waits while the cluster boots and then
 * verifies it as a Clean reset does, so it also brings back what a session broke (a namespace of the baseline deleted,
 * which no Clean reset can restore); a VM without its snapshot sends the cluster to Error, saying which, with none of its VMs rolled back. What a rollback does to
 * the machines is played here (the fake Proxmox cannot boot disks): the cluster's namespaces go back to the baseline's
 * and its node is NotReady for a moment.
 */
class SnapshotResetIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String MEMBER = "train-x1";
    private static final String NODE = MEMBER + "-node";
    @TempDir
    Path dir;

    @Test
    void rollsTheClustersVmsBackToTheirBaselineSnapshotsAndVerifiesIt() throws Exception {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        assumeTrue(SharedCrds.dir().isPresent(), SharedCrds.absence());
        try (Envtest parentServer = Envtest.start(); Envtest memberServer = Envtest.start();
             FakeProxmox proxmox = new FakeProxmox(dir, Duration.ofMillis(400))) {
            KubernetesClient parent = parentServer.client();
            KubernetesClient member = memberServer.client();
            new Applier(parent).apply(List.of(CrdGenerator.crd(Kind.LATTICE_CLUSTER)), Duration.ofMinutes(1));
            SharedCrds.install(parent, "capi/proxmox/infrastructure.cluster.x-k8s.io_proxmoxmachines.yaml");
            for (String ns : List.of("lattice-system", "capi-" + MEMBER)) {
                parent.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
            }
            parent.secrets().inNamespace("lattice-system").resource(new SecretBuilder().withNewMetadata().withName("px-credentials")
                    .endMetadata().withData(Secrets.data(proxmox.variables())).build()).create();
            Inputs inputs = Parser.parse(List.of(new InputReader.Input("fleet.yaml", """
                    apiVersion: lattice.dev/v1alpha1
                    kind: StaticPool
                    metadata: {name: px}
                    spec:
                      provider: proxmox
                      credentialsRef: {name: px-credentials}
                      capacity: {cores: 64, memory: 256Gi}
                      machineTypes:
                        - {name: small, cores: 4, memory: 16Gi}
                    ---
                    apiVersion: lattice.dev/v1alpha1
                    kind: WarmPool
                    metadata: {name: train}
                    spec:
                      size: 1
                      pool: px
                      template:
                        nodes:
                          controlPlane: {replicas: 1, instanceType: small}
                          workerPools:
                            general: {replicas: 1, instanceType: small}
                      reset: {strategy: Snapshot, timeout: 2m}
                    """)));
            WarmPool pool = inputs.warmPools().get(0);
            Pool capacity = (Pool) inputs.pool("px").orElseThrow();

            // The warm cluster as its parent made it: a LatticeCluster, and its VMs as Cluster API's Proxmox provider records them.
            GenericKubernetesResource cluster = parent.genericKubernetesResources(LiveInputs.context(Kind.LATTICE_CLUSTER))
                    .resource(parent.getKubernetesSerialization().unmarshal("""
                            apiVersion: lattice.dev/v1alpha1
                            kind: LatticeCluster
                            metadata:
                              name: %s
                              labels: {lattice.dev/warm-pool: train}
                            spec:
                              pool: px
                              nodes:
                                controlPlane: {replicas: 1, instanceType: small}
                            """.formatted(MEMBER), GenericKubernetesResource.class)).create();
            proxmoxMachine(parent, MEMBER + "-control-plane-abcde", 101, "pve1");
            proxmoxMachine(parent, MEMBER + "-general-fghij", 102, "pve2");
            proxmox.addVm("pve1", 101);
            proxmox.addVm("pve2", 102);
            FakeKubelet.readyNode(member, NODE);
            member.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("apps").endMetadata().build()).create();
            String kubeconfig = Files.readString(memberServer.kubeconfig());

            try (Members members = new Members(parent, "lattice-system", name -> kubeconfig, name -> null);
                 WarmResets resets = new WarmResets(parent, members, WarmMetrics.NONE, Clock.systemUTC())) {
                // Baseline: every VM snapshotted once, however often it is asked.
                assertThat(members.recordBaseline(cluster, pool, capacity)).isNull();
                assertThat(members.recordBaseline(cluster, pool, capacity)).isNull();
                assertThat(proxmox.snapshots("pve1", 101)).containsExactly(ProxmoxSnapshots.BASELINE);
                assertThat(proxmox.snapshots("pve2", 102)).containsExactly(ProxmoxSnapshots.BASELINE);
                assertThat(proxmox.requests().stream().filter(r -> r.method().equals("POST"))).hasSize(2);
                Set<String> baselineNamespaces = namespaces(member);
                proxmox.onRollback((node, vmid) -> bootFromBaseline(member, baselineNamespaces));

                // A session claims it, adds a namespace, and deletes one of the baseline's.
                cluster = members.mark(members.fresh(MEMBER), State.CLAIMED, "training/alice", "s-alice", null, Clock.systemUTC().instant());
                members.mint(cluster, "training/alice", Duration.ofHours(1));
                member.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("scratch").endMetadata().build()).create();
                member.namespaces().withName("apps").delete();
                FakeKubelet.finishTerminatingNamespaces(member);

                // Released: rolled back, booted, verified, Available again, with the baseline whole.
                members.mark(members.fresh(MEMBER), State.RESETTING, "training/alice", null, "released", Clock.systemUTC().instant());
                List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
                await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> {
                    GenericKubernetesResource now = members.fresh(MEMBER);
                    seen.add(String.valueOf(Members.message(now)));
                    resets.start(pool, capacity, now, after -> { });
                    return Members.state(now) != State.RESETTING;
                });
                GenericKubernetesResource after = members.fresh(MEMBER);
                assertThat(Members.state(after)).as(Members.message(after)).isEqualTo(State.AVAILABLE);
                assertThat(proxmox.requests()).filteredOn(r -> r.path().endsWith("/rollback"))
                        .extracting(r -> r.path() + " " + r.form())
                        .containsExactly("nodes/pve1/qemu/101/snapshot/lattice-baseline/rollback {start=1}",
                                "nodes/pve2/qemu/102/snapshot/lattice-baseline/rollback {start=1}");
                assertThat(seen).anySatisfy(m -> assertThat(m).startsWith("rolled back to its baseline snapshots"));
                assertThat(namespaces(member)).isEqualTo(baselineNamespaces).contains("apps").doesNotContain("scratch");
                assertThat(members.connect(MEMBER).holdsCredentialsOf("training/alice")).isFalse();

                // A VM that lost its snapshot: the reset fails, naming it, and the cluster goes to Error.
                proxmox.deleteSnapshot("pve2", 102, ProxmoxSnapshots.BASELINE);
                members.mark(members.fresh(MEMBER), State.RESETTING, "training/bob", null, "released", Clock.systemUTC().instant());
                await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> {
                    GenericKubernetesResource now = members.fresh(MEMBER);
                    resets.start(pool, capacity, now, a -> { });
                    return Members.state(now) != State.RESETTING;
                });
                after = members.fresh(MEMBER);
                assertThat(Members.state(after)).isEqualTo(State.ERROR);
                assertThat(proxmox.requests()).as("no VM rolled back when one cannot be").filteredOn(r -> r.path().endsWith("/rollback")).hasSize(2);
                assertThat(Members.message(after)).isEqualTo("its reset failed: VM 102 on pve2 (machine " + MEMBER
                        + "-general-fghij) has no snapshot lattice-baseline to roll back to");
            }
        }
    }

    /** A ProxmoxMachine whose VM the provider has made, as it records it. */
    private static void proxmoxMachine(KubernetesClient parent, String name, long vmid, String node) {
        ResourceDefinitionContext machines = new ResourceDefinitionContext.Builder().withGroup("infrastructure.cluster.x-k8s.io")
                .withVersion("v1alpha1").withKind("ProxmoxMachine").withPlural("proxmoxmachines").withNamespaced(true).build();
        GenericKubernetesResource m = parent.getKubernetesSerialization().unmarshal("""
                apiVersion: infrastructure.cluster.x-k8s.io/v1alpha1
                kind: ProxmoxMachine
                metadata:
                  name: %s
                  namespace: capi-%s
                  labels: {cluster.x-k8s.io/cluster-name: %s}
                spec: {sourceNode: pve1, templateID: 100, virtualMachineID: %d, providerID: "proxmox://6c3fa683-bef9-4425-b413-eaa45a9d%04d"}
                """.formatted(name, MEMBER, MEMBER, vmid, vmid), GenericKubernetesResource.class);
        GenericKubernetesResource created = parent.genericKubernetesResources(machines).resource(m).create();
        created.setAdditionalProperty("status", Map.of("proxmoxNode", node, "ready", true));
        parent.genericKubernetesResources(machines).resource(created).updateStatus();
    }

    private static Set<String> namespaces(KubernetesClient cluster) {
        return cluster.namespaces().list().getItems().stream().map(n -> n.getMetadata().getName()).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * What rolling a VM back does to the cluster, as far as this test looks: its objects are the baseline's again (here:
     * its namespaces), and its node is NotReady until the machine has booted.
     */
    private static void bootFromBaseline(KubernetesClient cluster, Set<String> baseline) {
        FakeKubelet.nodeReady(cluster, NODE, false);
        Set<String> now = namespaces(cluster);
        for (String ns : now) {
            if (!baseline.contains(ns)) {
                cluster.namespaces().withName(ns).delete();
            }
        }
        for (String ns : baseline) {
            if (!now.contains(ns)) {
                cluster.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
            }
        }
        cluster.serviceAccounts().inNamespace("kube-system").delete();
        FakeKubelet.finishTerminatingNamespaces(cluster);
        new Thread(() -> {
            try {
                Thread.sleep(1500);
                FakeKubelet.nodeReady(cluster, NODE, true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "booting").start();
    }
}
