package dev.lattice.core.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
    void theRunDirectoryAndItsFilesAreTheUsersAlone() throws Exception {
        RunState run = RunState.resumeOrStart(root, "install", "dev", "capi-dev");
        Path kubeconfig = run.writePrivate("cluster.kubeconfig", "secret");
        run.complete("kubeconfig");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(run.dir()))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kubeconfig))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(run.dir().resolve("state.json")))).isEqualTo("rw-------");
    }

    @Test
    void aDamagedStateFileIsNotARunToResume() throws Exception {
        Files.createDirectories(root.resolve("0badf00d"));
        Files.writeString(root.resolve("0badf00d/state.json"), "{\"runId\": \"0badf00d\", \"operation\": \"inst");
        assertThat(RunState.unfinished(root, "install", "dev")).isEmpty();
    }
}
