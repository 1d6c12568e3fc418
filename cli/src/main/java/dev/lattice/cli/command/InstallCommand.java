package dev.lattice.cli.command;

import dev.lattice.cli.complete.Dynamic;
import dev.lattice.cli.output.PlanDigests;
import dev.lattice.cli.output.Printer;
import dev.lattice.cli.output.ProgressPrinter;
import dev.lattice.core.install.DaemonManifests;
import dev.lattice.core.install.InstallPlan;
import dev.lattice.core.io.Documents;
import dev.lattice.core.plan.Plan;
import dev.lattice.core.plan.Planner;
import dev.lattice.engine.charts.ChartStore;
import dev.lattice.engine.charts.HelmCharts;
import dev.lattice.engine.install.Installer;
import dev.lattice.engine.kube.KubeConnection;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lattice install}: creates a self-managing cluster. */
@Command(name = "install",
        mixinStandardHelpOptions = true,
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.SUCCESS, ExitCodes.FAILURE, ExitCodes.USAGE, ExitCodes.UNPLACEABLE},
        description = {
            "Create a self-managing cluster from a LatticeCluster file.",
            "A temporary kind bootstrap cluster provisions it through Cluster API, the Cluster API objects are "
                    + "pivoted into it, and the bootstrap cluster is deleted. Re-running with the same file resumes "
                    + "an interrupted install."})
public final class InstallCommand implements Callable<Integer> {
    /** A component the install would put in place, and where its manifest comes from (in {@code --dry-run -o json|yaml}). */
    public record ComponentEntry(String name, String type, String version, String from) {
    }

    @Mixin
    InputOptions input;

    @Mixin
    BootstrapOptions bootstrap;

    @Option(names = "--kubeconfig-out", paramLabel = "FILE",
            description = "Where to write the new cluster's kubeconfig (default: ./<cluster>.kubeconfig). Never overwritten.")
    Path kubeconfigOut;

    @Option(names = "--daemon-image", paramLabel = "IMAGE", defaultValue = DaemonManifests.DEFAULT_IMAGE,
            description = "The Lattice daemon image to run in the new cluster. Default: ${DEFAULT-VALUE}.")
    String daemonImage;

    @Option(names = "--pool-kubeconfig", paramLabel = "FILE",
            description = "Kubeconfig of the cluster holding the pool's credentials Secret (default: $KUBECONFIG or ~/.kube/config).")
    Path poolKubeconfig;

    @Option(names = "--charts-dir", paramLabel = "DIR",
            description = "Helm charts to install from (for air-gapped use): each pinned chart's archive, or the chart unpacked "
                    + "as PROJECT/VERSION/NAME; checked against the digests pinned in Lattice. Default: $" + ChartStore.CHARTS_DIR_ENV
                    + ", else the cache (~/.cache/lattice/charts), filled from the charts' repositories on first use.")
    Path chartsDir;

    @Mixin
    OutputOptions output;

    @Option(names = "--dry-run", description = "Print the steps the install would take (-o yaml or json: also every object "
            + "it would apply to the bootstrap cluster, providers aside, then those it applies to the new cluster for its add-ons) "
            + "and change nothing; needs no Docker.")
    boolean dryRun;

    @Option(names = "--name", paramLabel = "NAME", completionCandidates = Dynamic.Clusters.class, description = "The LatticeCluster to install when the files hold several.")
    String name;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Plan decided = Planner.defaults().plan(input.read());
        InstallPlan plan = InstallPlan.of(decided, name, System::getenv, bootstrap.components()::source,
                HelmCharts.of(chartsDir, System::getenv));
        PrintWriter err = spec.commandLine().getErr();
        if (!plan.missingVariables().isEmpty()) {
            err.println("warning: " + plan.cluster().name() + " leaves " + String.join(", ", plan.missingVariables())
                    + " to the environment, and they are not set: set them, or give the values in the cluster's "
                    + "spec.provider.config." + plan.provider().wire());
            err.flush();
        }
        if (!dryRun) {
            return install(plan, err);
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("plan", PlanDigests.of(decided));
        data.put("cluster", plan.cluster().name());
        data.put("provider", plan.provider().wire());
        data.put("bootstrap", plan.cluster().spec().provider().kubernetes().bootstrap().wire());
        data.put("components", plan.components().stream().map(s -> new ComponentEntry(s.component().name(),
                s.component().type().wire(), s.component().version(), s.from())).toList());
        data.put("addons", plan.addons());
        data.put("addonRequests", InstallPlan.requests(plan.cluster()));
        data.put("steps", plan.steps());
        data.put("missingVariables", List.copyOf(plan.missingVariables()));
        data.put("objects", plan.objects());
        data.put("addonObjects", plan.allAddonObjects());
        new Printer(spec.commandLine().getOut(), output.format()).print(data, () -> table(plan),
                () -> yaml(plan));
        return 0;
    }

    private int install(InstallPlan plan, PrintWriter err) {
        Path out = kubeconfigOut != null ? kubeconfigOut : Path.of(plan.cluster().name() + ".kubeconfig");
        Function<String, String> environment = bootstrap.environment(plan.pool(), () -> KubeConnection.open(poolKubeconfig, null), err);
        Installer installer = new Installer(plan, bootstrap.bootstraps(), bootstrap.components(), environment, daemonImage,
                out, bootstrap.runOptions(), new ProgressPrinter(err, ProgressPrinter.terminal()));
        err.println((installer.resumes() ? "Resuming install " : "Installing ") + plan.cluster().name() + " ("
                + plan.provider().wire() + "), run " + installer.runId() + " (state in " + installer.stateDir() + ")");
        err.flush();
        Installer.Result result = Interruptible.run(installer::run, err);
        err.println(plan.cluster().name() + " is self-managing. Its kubeconfig: " + result.kubeconfig());
        err.println("  kubectl --kubeconfig " + result.kubeconfig() + " get latticeclusters");
        err.flush();
        spec.commandLine().getOut().println(result.kubeconfig());
        return 0;
    }

    /** The bootstrap cluster's objects, then (in a part of their own) those the install applies to the new cluster. */
    private static String yaml(InstallPlan plan) {
        String name = plan.cluster().name();
        StringBuilder out = new StringBuilder("# lattice install --dry-run: " + name + ", " + plan.objects().size()
                + " objects for the bootstrap cluster (providers aside)\n" + Documents.yamlStream(plan.objects()));
        List<HasMetadata> addons = plan.allAddonObjects();
        if (!addons.isEmpty()) {
            out.append("# ").append(addons.size()).append(" objects for ").append(name)
                    .append(" itself once it is up, its add-ons (not for the bootstrap cluster)\n").append(Documents.yamlStream(addons));
        }
        return out.toString();
    }

    private static String table(InstallPlan plan) {
        StringBuilder out = new StringBuilder("Install " + plan.cluster().name() + " (" + plan.provider().wire() + ", "
                + plan.cluster().spec().provider().kubernetes().bootstrap().wire() + "), dry run: nothing is changed.\n");
        for (int i = 0; i < plan.steps().size(); i++) {
            out.append(String.format("%3d. %s%n", i + 1, plan.steps().get(i)));
        }
        Printer.Table charts = new Printer.Table("CHART", "VERSION", "HOW");
        plan.addons().forEach(a -> charts.row(a.chart(), a.version(), a.delivery()));
        out.append('\n').append(charts.render());
        List<InstallPlan.AddonRequests> requests = InstallPlan.requests(plan.cluster());
        if (!requests.isEmpty()) {
            // Requests at most: a DaemonSet counted on every node, an autoscaled pool at its max.
            Printer.Table asks = new Printer.Table("ADD-ON", "CPU", "MEMORY", "STORAGE", "WHAT");
            requests.forEach(r -> asks.row(r.addon(), r.cpu(), r.memory(), r.storage(), r.description()));
            out.append('\n').append(asks.render());
        }
        return out.toString();
    }
}
