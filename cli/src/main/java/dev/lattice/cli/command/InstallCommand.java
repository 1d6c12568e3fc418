package dev.lattice.cli.command;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lattice install}: creates a self-managing cluster. */
@Command(name = "install",
        mixinStandardHelpOptions = true,
        description = {
            "Create a self-managing cluster from a LatticeCluster file.",
            "A temporary kind bootstrap cluster provisions it through Cluster API, the Cluster API objects are "
                    + "pivoted into it, and the bootstrap cluster is deleted. Re-running with the same file resumes "
                    + "an interrupted install."})
public final class InstallCommand implements Callable<Integer> {

    @Mixin
    InputOptions input;

    @Option(names = "--kind-binary", paramLabel = "PATH", description = "The kind binary (default: kind on PATH).")
    Path kindBinary;

    @Option(names = "--components-dir", paramLabel = "DIR",
            description = "Cluster API component manifests to install from (for air-gapped use).")
    Path componentsDir;

    @Option(names = "--kubeconfig-out", paramLabel = "FILE",
            description = "Where to write the new cluster's kubeconfig (default: ./<cluster>.kubeconfig).")
    Path kubeconfigOut;

    @Option(names = "--keep-bootstrap-on-failure", description = "Leave the bootstrap cluster for debugging when the install fails.")
    boolean keepBootstrapOnFailure;

    @Override
    public Integer call() {
        throw new NotBuiltYet("install", "'lattice plan -f FILE' validates the cluster file today");
    }
}
