package dev.lattice.engine.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.core.LatticeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunStateTest {
    @TempDir
    Path root;

    @Test
    void aRunIsResumedForTheSameClusterUntilItIsFinished() {
        RunState first = RunState.resumeOrStart(root, "install", "dev", "capi-dev");
        assertThat(first.resumed()).isFalse();
        assertThat(first.runId()).matches("[0-9a-f]{8}");
        first.complete("bootstrap");
        first.complete("providers");

        RunState again = RunState.resumeOrStart(root, "install", "dev", "capi-dev");
        assertThat(again.runId()).isEqualTo(first.runId());
        assertThat(again.resumed()).isTrue();
        assertThat(again.done("providers")).isTrue();
        assertThat(RunState.resumeOrStart(root, "install", "prod", "capi-prod").runId()).isNotEqualTo(first.runId());
        assertThat(RunState.resumeOrStart(root, "uninstall", "dev", "capi-dev").runId()).isNotEqualTo(first.runId());

        again.forget(Set.of("providers"));
        assertThat(RunState.resumeOrStart(root, "install", "dev", "capi-dev").done("providers")).isFalse();
        again.finish();
        assertThat(RunState.resumeOrStart(root, "install", "dev", "capi-dev").runId()).isNotEqualTo(first.runId());
    }

    @Test
    void aRunIsRecordedBeforeItsFirstStepSoAKilledOneIsFoundAgain() {
        RunState first = RunState.resumeOrStart(root, "install", "dev", "capi-dev");
        assertThat(first.dir().resolve("state.json")).exists();
        RunState again = RunState.resumeOrStart(root, "install", "dev", "capi-dev");
        assertThat(again.runId()).isEqualTo(first.runId());
        assertThat(again.resumed()).as("nothing was done yet").isFalse();
    }

    @Test
    void theRunDirectoryAndItsFilesAreTheUsersAlone() throws Exception {
        RunState run = RunState.resumeOrStart(root, "install", "dev", "capi-dev");
        Path kubeconfig = run.writePrivate("cluster.kubeconfig", "secret");
        run.complete("kubeconfig");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(run.dir()))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kubeconfig))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(run.dir().resolve("state.json")))).isEqualTo("rw-------");
    }

    @Test
    void aDamagedStateFileStopsTheRunWithWhatToDo() throws Exception {
        RunState earlier = RunState.resumeOrStart(root, "install", "dev", "capi-dev");
        earlier.complete("bootstrap");
        Path state = earlier.dir().resolve("state.json");
        String whole = Files.readString(state);
        for (String damaged : List.of(whole.substring(0, whole.length() / 2), "", whole.replaceFirst("\"completed\" : \\[[^]]*]", "\"completed\" : null"),
                whole.replaceFirst("\"runId\" : \"[0-9a-f]+\"", "\"runId\" : null"), "[1, 2]")) {
            Files.writeString(state, damaged);
            assertThatThrownBy(() -> RunState.resumeOrStart(root, "install", "dev", "capi-dev"))
                    .as(damaged).isInstanceOf(LatticeException.class)
                    .hasMessage("cannot tell where the last install of dev stopped: its state file " + state + " is damaged")
                    .extracting(e -> ((LatticeException) e).nextStep()).asString().contains("--reset-state");
        }
        // Another cluster's or operation's file, whole, is no obstacle; a damaged one that names another cluster neither.
        Files.writeString(state, whole.replace("\"completed\" : [ \"bootstrap\" ]", "\"completed\" : null").replace("\"dev\"", "\"prod\""));
        assertThat(RunState.resumeOrStart(root, "install", "dev", "capi-dev").resumed()).isFalse();
    }

    @Test
    void resettingSetsTheDamagedFileAsideAndStartsAfresh() throws Exception {
        RunState earlier = RunState.resumeOrStart(root, "install", "dev", "capi-dev");
        earlier.complete("bootstrap");
        Path state = earlier.dir().resolve("state.json");
        Files.writeString(state, "{\"runId\": \"0badf00d\", \"operation\": \"inst");
        RunState fresh = RunState.resumeOrStart(root, "install", "dev", "capi-dev", true);
        assertThat(fresh.resumed()).isFalse();
        assertThat(fresh.runId()).isNotEqualTo(earlier.runId());
        assertThat(state).doesNotExist();
        assertThat(earlier.dir().resolve("state.json.damaged")).hasContent("{\"runId\": \"0badf00d\", \"operation\": \"inst");
    }
}
