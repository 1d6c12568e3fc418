package dev.lattice.cli.command;

import dev.lattice.core.LatticeException;
import dev.lattice.core.io.Durations;
import dev.lattice.core.model.Pool;
import dev.lattice.engine.LocalCache;
import dev.lattice.engine.bootstrap.BootstrapCluster;
import dev.lattice.engine.bootstrap.ExistingCluster;
import dev.lattice.engine.bootstrap.K3sCluster;
import dev.lattice.engine.bootstrap.KindCluster;
import dev.lattice.engine.components.Components;
import dev.lattice.engine.install.RunOptions;
import dev.lattice.engine.kube.KubeConnection;
import dev.lattice.engine.kube.PoolCredentials;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** What install and uninstall share: the bootstrap cluster, provider components, the wait and the clean-up. */
public final class BootstrapOptions {
    /** How the bootstrap cluster is made. */
    public enum Kind { kind, k3s }

    @Option(names = "--bootstrap", paramLabel = "KIND", defaultValue = "kind",
            description = "How to make the temporary bootstrap cluster: ${COMPLETION-CANDIDATES} (k3s runs in Docker and needs "
                    + "no kind binary). Default: ${DEFAULT-VALUE}.")
    Kind kind;

    @Option(names = "--bootstrap-kubeconfig", paramLabel = "FILE",
            description = "Use this existing cluster as the bootstrap cluster instead of making one; it is never deleted.")
    Path bootstrapKubeconfig;

    @Option(names = "--kind-binary", paramLabel = "PATH", description = "The kind binary (default: kind on PATH).")
    Path kindBinary;

    @Option(names = "--components-dir", paramLabel = "DIR",
            description = "Cluster API component manifests to install from, as NAME/VERSION/FILE (for air-gapped use).")
    Path componentsDir;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30m", converter = DurationConverter.class,
            description = "How long any one wait may take (providers, machines, deletion), e.g. 90s, 30m, 1h. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = "--keep-bootstrap-on-failure", description = "Leave the bootstrap cluster for debugging when the run fails.")
    boolean keepBootstrapOnFailure;

    @Option(names = "--reset-state", description = "When the state file of an earlier run is damaged, set it aside "
            + "(as state.json.damaged) and start afresh instead of stopping. Check first that no bootstrap cluster of that run is left.")
    boolean resetState;

    /**
     * The environment the providers' variables come from, with the pool's credentials Secret laid over it when
     * the pool names one and {@code cluster} (the cluster that holds the pool) can be read; else a warning.
     */
    Function<String, String> environment(Pool pool, Supplier<KubeConnection> cluster, PrintWriter err) {
        Function<String, String> environment = System::getenv;
        if (pool == null || pool.credentialsRef() == null) {
            return environment;
        }
        try (KubeConnection connection = cluster.get()) {
            Map<String, String> credentials = connection.poolCredentials(pool);
            err.println("Credentials: " + credentials.size() + " value" + (credentials.size() == 1 ? "" : "s") + " from the Secret of pool "
                    + pool.name() + " (" + String.join(", ", credentials.keySet()) + ")");
            return PoolCredentials.over(environment, credentials);
        } catch (LatticeException e) {
            err.println("warning: " + e.getMessage() + "; the provider's variables come from the environment only");
            return environment;
        } finally {
            err.flush();
        }
    }

    /** Makes the bootstrap cluster of a name. */
    Function<String, BootstrapCluster> bootstraps() {
        if (bootstrapKubeconfig != null) {
            return name -> new ExistingCluster(bootstrapKubeconfig);
        }
        return kind == Kind.k3s ? K3sCluster::new : name -> new KindCluster(kindBinary, name);
    }

    RunOptions runOptions() {
        return new RunOptions(timeout, keepBootstrapOnFailure, null, null, resetState);
    }

    Components components() {
        return Components.fromReleases(componentsDir, LocalCache.components());
    }

    /** {@code 90s}, {@code 30m}, {@code 1h30m}, or an ISO-8601 duration. */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (RuntimeException e) {
                throw new TypeConversionException("'" + value + "' is not a duration; write it as 90s, 30m or 1h30m");
            }
        }
    }
}
