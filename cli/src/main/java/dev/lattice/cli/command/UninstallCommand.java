package dev.lattice.cli.command;

import dev.lattice.cli.complete.Dynamic;
import dev.lattice.cli.output.ProgressPrinter;
import dev.lattice.core.LatticeException;
import dev.lattice.engine.install.RunState;
import dev.lattice.engine.install.Uninstaller;
import dev.lattice.engine.kube.KubeConnection;
import java.io.Console;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lattice uninstall}: deletes a self-managing cluster. */
@Command(name = "uninstall",
        mixinStandardHelpOptions = true,
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.SUCCESS, ExitCodes.FAILURE, ExitCodes.USAGE},
        description = {
            "Delete a self-managing cluster and its machines.",
            "Its Cluster API objects are moved back into a temporary bootstrap cluster (the unpivot), the cluster is "
                    + "deleted from there, and the bootstrap cluster is removed. Asks first on a terminal unless --yes; "
                    + "re-running resumes an interrupted uninstall."})
public final class UninstallCommand implements Callable<Integer> {

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Kubeconfig of the cluster to delete (default: $KUBECONFIG or ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", completionCandidates = Dynamic.Contexts.class, description = "Kubeconfig context to use.")
    String context;

    @Option(names = "--name", paramLabel = "NAME", completionCandidates = Dynamic.Clusters.class,
            description = "The LatticeCluster to delete (default: the one that was pivoted into the cluster).")
    String name;

    @Option(names = {"-y", "--yes"}, description = "Delete without asking.")
    boolean yes;

    @Mixin
    BootstrapOptions bootstrap;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        KubeConnection target = null;
        Uninstaller.Plan plan;
        try {
            target = KubeConnection.open(kubeconfig, context);
            plan = Uninstaller.plan(target, name);
        } catch (LatticeException unreachable) {
            // An uninstall that got past the unpivot has deleted the cluster's API along with it; it resumes without.
            if (name != null && bootstrap.resetState) {
                RunState.setAsideDamaged(RunState.defaultRoot(), "uninstall", name);
            }
            if (name == null || RunState.unfinished(RunState.defaultRoot(), "uninstall", name).filter(RunState::resumed).isEmpty()) {
                throw unreachable;
            }
            plan = Uninstaller.resumed(name);
            target = null;
        }
        Uninstaller uninstaller = new Uninstaller(plan, target, bootstrap.bootstraps(), bootstrap.components(),
                bootstrap.environment(plan.pool(), () -> KubeConnection.open(kubeconfig, context), err),
                bootstrap.runOptions(), new ProgressPrinter(err, ProgressPrinter.terminal()));
        if (target == null && !uninstaller.pastUnpivot()) {
            throw new LatticeException("cannot reach the cluster " + name + ", and its uninstall has not moved its Cluster API "
                    + "objects out yet", "check --kubeconfig and --context");
        }
        if (!yes && !uninstaller.resumes()) {
            confirm(plan.cluster());
        }
        err.println((uninstaller.resumes() ? "Resuming uninstall of " : "Uninstalling ") + plan.cluster() + ", run "
                + uninstaller.runId() + " (state in " + uninstaller.stateDir() + ")");
        err.flush();
        Uninstaller run = uninstaller;
        Interruptible.run(() -> {
            run.run();
            return null;
        }, err);
        err.println(plan.cluster() + " and its machines are deleted.");
        err.flush();
        return 0;
    }

    /** Asks on the terminal for the cluster's name; never prompts where nobody can answer. */
    private void confirm(String cluster) {
        Console console = System.console();
        if (console == null) {
            throw new LatticeException("uninstall deletes the cluster " + cluster + " and all its machines, and there is no "
                    + "terminal to confirm it on", "add --yes to delete it without asking");
        }
        String answer = console.readLine("This deletes the cluster %s, its machines and everything running on it.%n"
                + "Type the cluster's name to confirm: ", cluster);
        if (answer == null || !answer.strip().equals(cluster)) {
            throw new LatticeException("not confirmed; nothing was deleted", null);
        }
    }
}
