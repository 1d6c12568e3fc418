package dev.lattice.engine.bootstrap;

import dev.lattice.core.LatticeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A cluster someone already runs, used as the bootstrap cluster ({@code --bootstrap-kubeconfig}); never deleted. */
public final class ExistingCluster implements BootstrapCluster {
    private final Path kubeconfig;

    public ExistingCluster(Path kubeconfig) {
        this.kubeconfig = kubeconfig;
    }

    @Override
    public String name() {
        return kubeconfig.toString();
    }

    @Override
    public String describe() {
        return "the existing cluster of " + kubeconfig;
    }

    @Override
    public boolean exists() {
        return Files.isReadable(kubeconfig);
    }

    @Override
    public String create(Duration timeout) {
        try {
            return Files.readString(kubeconfig);
        } catch (IOException e) {
            throw new LatticeException("cannot read the bootstrap kubeconfig " + kubeconfig + ": " + e.getMessage(),
                    "check the path given to --bootstrap-kubeconfig");
        }
    }

    @Override
    public void delete() {
        // Not ours to delete.
    }

    @Override
    public boolean owned() {
        return false;
    }
}
