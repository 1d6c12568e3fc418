package dev.lattice.cli.command;

import dev.lattice.cli.complete.Dynamic;
import dev.lattice.core.kube.KubeConnection;
import dev.lattice.core.kube.LiveInputs;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Parser;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Where a command reads its objects: files ({@code -f}) or a cluster ({@code --kubeconfig/--context}), not both. */
public final class SourceOptions {

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE", completionCandidates = Dynamic.Files.class,
            description = "A YAML or JSON file, a directory (read recursively) or - for stdin. Repeatable.")
    List<String> files = new ArrayList<>();

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Read from this cluster instead of files (default kubeconfig: $KUBECONFIG or ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", completionCandidates = Dynamic.Contexts.class, description = "The kubeconfig context to use.")
    String context;

    /** Whether the objects come from a cluster; a usage error unless exactly one source was named. */
    public boolean fromCluster(CommandSpec spec) {
        boolean cluster = kubeconfig != null || context != null;
        if (cluster == !files.isEmpty()) {
            throw new ParameterException(spec.commandLine(), cluster
                    ? "read either files (-f) or a cluster (--kubeconfig/--context), not both"
                    : "name what to read: files with -f, or a cluster with --kubeconfig/--context");
        }
        return cluster;
    }

    public Inputs readFiles() {
        return Parser.read(files, System.in);
    }

    public KubernetesClient connect() {
        return KubeConnection.connect(kubeconfig, context);
    }

    /** The objects from whichever source was named. */
    public Inputs read(CommandSpec spec) {
        if (!fromCluster(spec)) {
            return readFiles();
        }
        try (KubernetesClient client = connect()) {
            return LiveInputs.read(client);
        }
    }
}
