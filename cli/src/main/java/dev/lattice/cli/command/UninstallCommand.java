package dev.lattice.cli.command;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lattice uninstall}: deletes a self-managing cluster. */
@Command(name = "uninstall",
        mixinStandardHelpOptions = true,
        description = {
            "Delete a self-managing cluster.",
            "Its Cluster API objects are moved back into a temporary bootstrap cluster, the infrastructure is "
                    + "deleted, and the bootstrap cluster is removed."})
public final class UninstallCommand implements Callable<Integer> {

    @Option(names = "--kubeconfig", paramLabel = "FILE", required = true, description = "Kubeconfig of the cluster to delete.")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", description = "Kubeconfig context to use.")
    String context;

    @Option(names = "--kind-binary", paramLabel = "PATH", description = "The kind binary (default: kind on PATH).")
    Path kindBinary;

    @Override
    public Integer call() {
        throw new NotBuiltYet("uninstall", "delete the cluster with your provider's tools until it is");
    }
}
