package dev.lattice.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lattice.core.LatticeException;
import dev.lattice.engine.warm.ProxmoxApi;
import dev.lattice.testfixtures.FakeProxmox;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Proxmox client of Snapshot resets against an HTTPS Proxmox API on loopback. */
class ProxmoxApiTest {
    private static final ProxmoxApi.Vm VM = new ProxmoxApi.Vm("pve1", 101);
    @TempDir
    Path dir;
    private FakeProxmox proxmox;

    @BeforeEach
    void start() throws Exception {
        proxmox = new FakeProxmox(dir, Duration.ofMillis(300));
        proxmox.addVm("pve1", 101);
    }

    @AfterEach
    void stop() {
        proxmox.close();
    }

    private ProxmoxApi api(Map<String, String> variables) {
        return new ProxmoxApi(ProxmoxApi.endpoint(variables::get), Duration.ofSeconds(10));
    }

    private Map<String, String> variables(String name, String value) {
        Map<String, String> v = new HashMap<>(proxmox.variables());
        v.put(name, value);
        return v;
    }

    @Test
    void takesASnapshotAndRollsBackToIt() {
        ProxmoxApi api = api(proxmox.variables());
        assertThat(api.snapshots(VM)).isEmpty();
        api.await("pve1", api.snapshot(VM, "lattice-baseline", "a test"), "snapshotting");
        assertThat(api.snapshots(VM)).containsExactly("lattice-baseline");
        assertThat(proxmox.requests()).anySatisfy(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.path()).isEqualTo("nodes/pve1/qemu/101/snapshot");
            assertThat(r.form()).containsEntry("snapname", "lattice-baseline").containsEntry("vmstate", "0");
        });

        long[] rolledBack = {0};
        proxmox.onRollback((node, vmid) -> rolledBack[0] = vmid);
        api.await("pve1", api.rollback(VM, "lattice-baseline"), "rolling back");
        assertThat(rolledBack[0]).as("the rollback's task had ended when await returned").isEqualTo(101);
        assertThat(proxmox.requests()).anySatisfy(r -> assertThat(r.path() + " " + r.form())
                .isEqualTo("nodes/pve1/qemu/101/snapshot/lattice-baseline/rollback {start=1}"));
    }

    @Test
    void saysWhyATaskOrARequestFailed() {
        ProxmoxApi api = api(proxmox.variables());
        LatticeException failed = catchThrowableOfType(LatticeException.class,
                () -> api.await("pve1", api.rollback(VM, "lattice-baseline"), "rolling back VM 101"));
        assertThat(failed).hasMessage("rolling back VM 101 failed on Proxmox node pve1: snapshot 'lattice-baseline' does not exist");

        LatticeException unknown = catchThrowableOfType(LatticeException.class, () -> api.snapshots(new ProxmoxApi.Vm("pve1", 999)));
        assertThat(unknown).hasMessageStartingWith("the Proxmox API refused GET /api2/json/nodes/pve1/qemu/999/snapshot (HTTP 500)")
                .hasMessageContaining("qemu-server/999.conf' does not exist");

        LatticeException refused = catchThrowableOfType(LatticeException.class,
                () -> api(variables("PROXMOX_SECRET", "wrong")).snapshots(VM));
        assertThat(refused).hasMessageContaining("(HTTP 401)").hasMessageNotContaining("wrong");
        assertThat(refused.nextStep()).isEqualTo("check PROXMOX_TOKEN and PROXMOX_SECRET");
    }

    @Test
    void sendsItsTokenOnlyOverTlsItCouldVerify() {
        // Without the CA that signed the server's certificate, the JDK's authorities do not vouch for it: no request is made.
        Map<String, String> untrusted = new HashMap<>(proxmox.variables());
        untrusted.remove("PROXMOX_CA_PEM");
        LatticeException e = catchThrowableOfType(LatticeException.class, () -> api(untrusted).snapshots(VM));
        assertThat(e).hasMessageStartingWith("cannot reach the Proxmox API at " + proxmox.url() + "/api2/json/")
                .hasMessageNotContaining(FakeProxmox.SECRET);
        assertThat(e.nextStep()).contains("PROXMOX_CA_PEM");
        assertThat(proxmox.requests()).isEmpty();

        LatticeException plain = catchThrowableOfType(LatticeException.class,
                () -> ProxmoxApi.endpoint(variables("PROXMOX_URL", "http://127.0.0.1:8006")::get));
        assertThat(plain).hasMessage("PROXMOX_URL must be an https URL with a host, not http://127.0.0.1:8006");

        Map<String, String> missing = new HashMap<>(proxmox.variables());
        missing.remove("PROXMOX_TOKEN");
        missing.remove("PROXMOX_SECRET");
        assertThat(catchThrowableOfType(LatticeException.class, () -> ProxmoxApi.endpoint(missing::get)))
                .hasMessageStartingWith("Snapshot resets reach the Proxmox API with PROXMOX_TOKEN, PROXMOX_SECRET, which neither");
        assertThat(ProxmoxApi.endpoint(proxmox.variables()::get).toString()).doesNotContain(FakeProxmox.SECRET);
    }
}
