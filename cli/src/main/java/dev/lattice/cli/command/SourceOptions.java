package dev.lattice.cli.command;

import dev.lattice.cli.complete.Dynamic;
import dev.lattice.core.LatticeException;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Parser;
import dev.lattice.engine.kube.KubeConnection;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Where a command reads its objects: files ({@code -f}) or a cluster, not both. Without {@code -f} it is the cluster of
 * the kubeconfig's current context, as kubectl reads it ({@code --kubeconfig}, {@code $KUBECONFIG}, {@code
 * ~/.kube/config}; {@code --context} picks another).
 */
public final class SourceOptions {

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE", completionCandidates = Dynamic.Files.class,
            description = "A YAML or JSON file, a directory (read recursively) or - for stdin. Repeatable.")
    List<String> files = new ArrayList<>();

    @Mixin
    ClusterOptions cluster;

    /** Whether the objects come from a cluster (no {@code -f}); a usage error when both sources are named. */
    public boolean fromCluster(CommandSpec spec) {
        if (cluster.named() && !files.isEmpty()) {
            throw new ParameterException(spec.commandLine(),
                    "read either files (-f) or a cluster (--kubeconfig/--context), not both");
        }
        return files.isEmpty();
    }

    public Inputs readFiles() {
        return Parser.read(files, System.in, InputLimit.from(System.getenv()));
    }

    public KubeConnection connect() {
        if (!cluster.named() && !KubeConnection.hasDefaultConfig()) {
            throw new LatticeException("nothing to read: no -f files, and no kubeconfig ($KUBECONFIG is unset and "
                    + "~/.kube/config does not exist)", "name files with -f, or a cluster with --kubeconfig/--context");
        }
        return cluster.connect();
    }

    /** The objects from whichever source was named. */
    public Inputs read(CommandSpec spec) {
        if (!fromCluster(spec)) {
            return readFiles();
        }
        try (KubeConnection cluster = connect()) {
            return cluster.inputs();
        }
    }
}
