package dev.lattice.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.parse.Inputs;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.testfixtures.Envtest;
import dev.lattice.testfixtures.Examples;
import dev.lattice.testfixtures.Seeds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our CRDs on a real Kubernetes 1.28 API server (it enforces their CEL rules and strict field validation): kubectl
 * takes every example and every seed snippet as written, refuses a short and a canonical form given together with the
 * rule's message, keeps what the user wrote, and the parser the daemon uses reads it into the canonical shape.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("the CRDs on a real API server")
class CrdApplyIT {
    private Envtest api;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Envtest.assets().isPresent(), Envtest.absence());
        api = Envtest.start();
        Envtest.Kubectl crds = api.kubectl("", "apply", "--server-side", "-f", Examples.projectRoot().resolve("packaging/crds").toString());
        assertThat(crds.exitCode()).as(crds.output()).isZero();
        Envtest.Kubectl established = api.kubectl("", "wait", "--for=condition=Established", "--timeout=60s", "crd", "--all");
        assertThat(established.exitCode()).as(established.output()).isZero();
        for (String namespace : List.of("shop", "lattice-system", "training")) {
            api.kubectl("", "create", "namespace", namespace);
        }
    }

    @AfterAll
    void stop() {
        if (api != null) {
            api.close();
        }
    }

    static Stream<Path> files() {
        List<Path> all = new ArrayList<>(Examples.files());
        all.addAll(Seeds.files());
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void kubectlTakesItAsWritten(Path file) {
        Envtest.Kubectl run = api.kubectl("", "apply", "--dry-run=server", "--validate=strict", "-f", file.toString());
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).doesNotContain("Warning: unknown field");
    }

    @Test
    void aShortAndACanonicalFormTogetherAreRefusedSayingWhy() {
        assertRefused("kubernetes: {version: \"1.31\"}\n  provider: {kubernetes: {version: \"1.32\"}}\n  nodes: {controlPlane: 1}",
                "spec.kubernetes and spec.provider.kubernetes say the same thing; keep one");
        assertRefused("provider: {config: {proxmox: {template_id: 9000, templateId: 9001}}}\n  nodes: {controlPlane: 1}",
                "template_id and templateId say the same thing; keep one");
        assertRefused("workers: {replicas: 2}\n  nodes: {controlPlane: 1, workerPools: {default: {replicas: 3}}}",
                "spec.workers makes a worker pool named default, and spec.nodes.workerPools already has one");
        assertRefused("pool: dc", "a cluster needs its nodes");
        assertRefused("controlPlane: {replica: 3}", "unknown field \"spec.controlPlane.replica\""); // the short forms are typed too
    }

    /** kubectl refuses a LatticeCluster with this spec (lines indented two spaces), saying {@code why}. */
    private void assertRefused(String spec, String why) {
        Envtest.Kubectl run = api.kubectl("apiVersion: lattice.dev/v1alpha1\nkind: LatticeCluster\nmetadata: {name: refused}\n"
                + "spec:\n  " + spec + "\n", "apply", "--dry-run=server", "--validate=strict", "-f", "-");
        assertThat(run.exitCode()).as(spec).isNotZero();
        assertThat(run.output()).as(spec).contains(why);
    }

    @Test
    void whatTheUserWroteIsKeptAndTheParserReadsItCanonically() throws Exception {
        Path seed003 = Seeds.files().stream().filter(p -> p.getFileName().toString().startsWith("003-01")).findFirst().orElseThrow();
        Envtest.Kubectl applied = api.kubectl("", "apply", "-f", seed003.toString());
        assertThat(applied.exitCode()).as(applied.output()).isZero();
        Envtest.Kubectl shown = api.kubectl("", "get", "latticecluster", "production", "-o", "yaml");
        assertThat(shown.output()).contains("controlPlane: 3", "workers: 10", "template_id: 9000", "cp_memory_mib: 8192");

        Inputs live = LiveInputs.read(api.client());
        LatticeCluster production = live.clusters().stream().filter(c -> c.name().equals("production")).findFirst().orElseThrow();
        assertThat(production.spec().nodes().controlPlane().replicas()).isEqualTo(3);
        assertThat(production.spec().nodes().workerPools()).containsOnlyKeys("default");
        assertThat(production.spec().nodes().workerPools().get("default").replicas()).isEqualTo(10);
        assertThat(production.spec().provider().config().proxmox().templateId()).isEqualTo(9000);
        assertThat(Files.readString(seed003)).contains("controlPlane: 3");
    }
}
