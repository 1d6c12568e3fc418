package dev.lattice.cli.command;

import dev.lattice.cli.complete.Dynamic;
import dev.lattice.core.LatticeException;
import dev.lattice.engine.kube.KubeConnection;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The cluster a command talks to: the kubeconfig's current context, as kubectl reads it ({@code --kubeconfig},
 * {@code $KUBECONFIG}, {@code ~/.kube/config}; {@code --context} picks another).
 */
public final class ClusterOptions {

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "The kubeconfig of the cluster (default: $KUBECONFIG or ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", completionCandidates = Dynamic.Contexts.class,
            description = "The kubeconfig context to use (default: its current context).")
    String context;

    /** Whether either option was given. */
    boolean named() {
        return kubeconfig != null || context != null;
    }

    public KubeConnection connect() {
        if (!named() && !KubeConnection.hasDefaultConfig()) {
            throw new LatticeException("no cluster to talk to: $KUBECONFIG is unset and ~/.kube/config does not exist",
                    "name one with --kubeconfig/--context");
        }
        return KubeConnection.open(kubeconfig, context);
    }
}
