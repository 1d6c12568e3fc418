package dev.lattice.daemon.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.core.mesh.Piece;
import dev.lattice.core.parse.Parser;
import dev.lattice.core.plan.Planner;
import dev.lattice.engine.kube.RequestPool;
import dev.lattice.testfixtures.Envtest;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A pass over many services lets a change in: it sends {@value ObjectSync#CHUNK} services at a time, stops when asked
 * between chunks, and the next pass sends what changed meanwhile before what it left over, deleting nothing of those.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("ObjectSync in chunks")
class ObjectSyncIT {
    private static final int SERVICES = ObjectSync.CHUNK * 2 + 10;

    private Envtest envtest;
    private KubernetesClient client;
    private RequestPool requests;

    @BeforeAll
    void start() {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        envtest = Envtest.start();
        client = envtest.client();
        requests = new RequestPool("test", 8);
    }

    @AfterAll
    void stop() {
        if (requests != null) {
            requests.close();
        }
        if (envtest != null) {
            envtest.close();
        }
    }

    /** The pieces of {@code home}: every service's image at v1, those in {@code changed} at v2. */
    private static List<Piece> pieces(Set<Integer> changed) throws Exception {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: lattice.dev/v1alpha1
                kind: StaticPool
                metadata: {name: lab}
                spec:
                  provider: docker
                  capacity: {cores: 4096, memory: 16384Gi}
                  machineTypes: [{name: big, cores: 64, memory: 256Gi}]
                ---
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: home}
                spec:
                  pool: lab
                  nodes:
                    controlPlane: {replicas: 1, instanceType: big}
                    workerPools: {general: {replicas: 60, instanceType: big}}
                """);
        for (int i = 0; i < SERVICES; i++) {
            yaml.append("""
                    ---
                    apiVersion: lattice.dev/v1alpha1
                    kind: LatticeService
                    metadata: {name: s%d, namespace: bulk}
                    spec:
                      containers:
                        main: {image: "app:%s", resources: {requests: {cpu: 10m, memory: 16Mi}}}
                    """.formatted(i, changed.contains(i) ? "v2" : "v1"));
        }
        Path file = Files.createTempFile("fleet", ".yaml");
        Files.writeString(file, yaml);
        var inputs = Parser.read(List.of(file.toString()), new ByteArrayInputStream(new byte[0]));
        var plan = Planner.defaults().plan(inputs);
        return plan.compiled().manifests().stream().filter(m -> "home".equals(m.cluster())).findFirst().orElseThrow().pieces();
    }

    private String image(int service) {
        Deployment d = client.apps().deployments().inNamespace("bulk").withName("s" + service).get();
        return d == null ? null : d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    @Test
    void stopsBetweenChunksAndSendsAChangeBeforeWhatItLeftOver() throws Exception {
        // A bare API server: the mesh's kinds wait.
        ObjectSync sync = new ObjectSync(client, ref -> ref.apiVersion().contains("istio.io") || ref.apiVersion().contains("cilium.io")
                ? "not served here" : null, requests);
        AtomicInteger asked = new AtomicInteger();
        // Asked to stop after the first chunk: the rest is left over, and nothing of it sent.
        List<ObjectSync.Chunk> chunks = new java.util.ArrayList<>();
        ObjectSync.Pass first = sync.sync("home", pieces(Set.of()), true, () -> asked.incrementAndGet() > 0, chunks::add);
        assertThat(asked).hasValue(1);
        // Told of the chunk as it went out: its services, with their objects and their namespace's.
        assertThat(chunks).hasSize(1);
        assertThat(chunks.get(0).services()).hasSize(ObjectSync.CHUNK);
        assertThat(chunks.get(0).objects()).anyMatch(t -> t.service() == null && t.ref().kind().equals("Namespace"))
                .anyMatch(t -> t.ref().kind().equals("Deployment") && chunks.get(0).services().contains("bulk/" + t.service()));
        assertThat(first.deferred()).hasSize(SERVICES - ObjectSync.CHUNK);
        long applied = client.apps().deployments().inNamespace("bulk").list().getItems().size();
        assertThat(applied).isEqualTo(ObjectSync.CHUNK);
        assertThat(first.objects().stream().map(t -> t.service()).filter(s -> s != null).collect(Collectors.toSet())).hasSize(ObjectSync.CHUNK);

        // Meanwhile the first service (sent) and the last (left over) change: both go out first, then the left-over ones
        // as they were, a chunk in all.
        int last = first.deferred().stream().mapToInt(d -> Integer.parseInt(d.substring("bulk/s".length()))).max().orElseThrow();
        ObjectSync.Pass second = sync.sync("home", pieces(Set.of(0, last)), false, () -> true, chunk -> { });
        assertThat(image(0)).isEqualTo("app:v2");
        assertThat(image(last)).isEqualTo("app:v2");
        int leftOver = SERVICES - ObjectSync.CHUNK - 1; // those the first pass left over, but the one that changed
        assertThat(second.deferred()).hasSize(leftOver - (ObjectSync.CHUNK - 2)).doesNotContain("bulk/s0", "bulk/s" + last);
        assertThat(second.outcome().failed()).isEmpty();

        // Never asked to stop: everything is there.
        ObjectSync.Pass third = sync.sync("home", pieces(Set.of(0, last)), false, () -> false, chunk -> { });
        assertThat(third.deferred()).isEmpty();
        assertThat(client.apps().deployments().inNamespace("bulk").list().getItems()).hasSize(SERVICES);
        assertThat(image(1)).isEqualTo("app:v1");

        // More changes than a chunk (s1 to s<CHUNK + 50>; s0 is at v2 already) while one service goes away: the dropped one's objects are deleted, and the changed
        // services left for later keep their objects as they were until their pass.
        Set<Integer> many = java.util.stream.IntStream.range(0, ObjectSync.CHUNK + 51).boxed().collect(Collectors.toSet());
        List<Piece> fewer = pieces(many).stream()
                .filter(p -> !(p instanceof Piece.Workload w && w.service().name().equals("s" + last))).toList();
        ObjectSync.Pass fourth = sync.sync("home", fewer, false, () -> true, chunk -> { });
        long changedNow = many.stream().filter(i -> i > 0 && i != last).count(); // s0 is at v2 already, the last one goes
        assertThat(fourth.deferred()).hasSize((int) changedNow - ObjectSync.CHUNK);
        assertThat(image(last)).isNull();
        int waiting = Integer.parseInt(fourth.deferred().iterator().next().substring("bulk/s".length()));
        int sent = many.stream().filter(i -> i > 0 && !fourth.deferred().contains("bulk/s" + i)).findFirst().orElseThrow();
        assertThat(image(sent)).isEqualTo("app:v2");
        assertThat(image(waiting)).isEqualTo("app:v1");
        sync.sync("home", fewer, false, () -> false, chunk -> { });
        assertThat(image(waiting)).isEqualTo("app:v2");
        assertThat(client.apps().deployments().inNamespace("bulk").list().getItems()).hasSize(SERVICES - 1);

        // A service that goes while more than a chunk of others change, in a pass never asked to stop: its objects are
        // gone before the first chunk is out, not after the last.
        List<Piece> back = pieces(Set.of()).stream().filter(p -> !(p instanceof Piece.Workload w
                && (w.service().name().equals("s1") || w.service().name().equals("s" + last)))).toList();
        List<String> atFirstChunk = new java.util.ArrayList<>();
        ObjectSync.Pass fifth = sync.sync("home", back, false, () -> false, chunk -> {
            if (atFirstChunk.isEmpty()) {
                atFirstChunk.add(String.valueOf(image(1)));
            }
        });
        assertThat(fifth.outcome().changed()).isGreaterThan(ObjectSync.CHUNK);
        assertThat(atFirstChunk).containsExactly("null");
        assertThat(client.apps().deployments().inNamespace("bulk").list().getItems()).hasSize(SERVICES - 2);
    }
}
