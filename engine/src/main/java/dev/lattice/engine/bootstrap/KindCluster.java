package dev.lattice.engine.bootstrap;

import dev.lattice.core.LatticeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * A kind cluster, driven through the {@code kind} binary. Its node mounts the Docker socket, so the Cluster API
 * Docker provider (CAPD) running in it can create the new cluster's machines as containers.
 */
public final class KindCluster implements BootstrapCluster {
    /** The kind configuration: one node with the host's Docker socket, as CAPD's quick start has it. */
    static final String CONFIG = """
            kind: Cluster
            apiVersion: kind.x-k8s.io/v1alpha4
            nodes:
            - role: control-plane
              extraMounts:
              - hostPath: /var/run/docker.sock
                containerPath: /var/run/docker.sock
            """;
    private static final Duration QUICK = Duration.ofMinutes(2);

    private final Path binary;
    private final String name;

    /**
     * @param binary the kind binary, or null to find {@code kind} on PATH
     * @param name   the cluster's name
     */
    public KindCluster(Path binary, String name) {
        this.binary = binary;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String describe() {
        return "kind cluster " + name;
    }

    @Override
    public boolean exists() {
        DockerEngine.require();
        return Command.run(List.of(kind(), "get", "clusters"), QUICK).lines().anyMatch(name::equals);
    }

    @Override
    public String create(Duration timeout) {
        if (!exists()) {
            Path config = null;
            try {
                config = Files.createTempFile("lattice-kind", ".yaml",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(config, CONFIG);
                Command.run(List.of(kind(), "create", "cluster", "--name", name, "--config", config.toString(),
                        "--wait", timeout.toSeconds() + "s"), timeout.plusMinutes(1));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                if (config != null) {
                    config.toFile().delete();
                }
            }
        }
        return Command.run(List.of(kind(), "get", "kubeconfig", "--name", name), QUICK);
    }

    @Override
    public void delete() {
        Command.run(List.of(kind(), "delete", "cluster", "--name", name), QUICK.multipliedBy(2));
    }

    private String kind() {
        if (binary != null) {
            if (!Files.isExecutable(binary)) {
                throw new LatticeException("the kind binary " + binary + " is not an executable file", "check --kind-binary");
            }
            return binary.toString();
        }
        Path found = Command.onPath("kind");
        if (found == null) {
            throw new LatticeException("kind is not on PATH",
                    "install kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation), name it with --kind-binary, "
                            + "or use --bootstrap k3s, which needs only Docker");
        }
        return found.toString();
    }
}
