package dev.lattice.cli.command;

import dev.lattice.cli.output.PlacementView;
import dev.lattice.cli.output.PlanDigests;
import dev.lattice.cli.output.PoolView;
import dev.lattice.cli.output.Printer;
import dev.lattice.core.LatticeException;
import dev.lattice.core.mesh.MeshCompiler;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.placement.Weights;
import dev.lattice.core.plan.Plan;
import dev.lattice.core.plan.Planner;
import dev.lattice.engine.kube.KubeConnection;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code lattice place}: runs the placement solver over clusters and services. */
@Command(name = "place",
        mixinStandardHelpOptions = true,
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.SUCCESS, ExitCodes.FAILURE, ExitCodes.USAGE, ExitCodes.UNPLACEABLE},
        description = {
            "Place services on clusters and report each decision.",
            "Each service's placement rule (a CEL expression over `cluster`) is evaluated against every "
                    + "cluster; free worker capacity, policies.maxServices and shared volumes narrow the matches; "
                    + "the rest are scored by free capacity, locality to agreed peers, and cost. A cluster its pool "
                    + "cannot hold takes no services. A service already placed stays on its cluster while that cluster "
                    + "can hold it; REASON says why one moves. Exits 3 when some service could not be placed or some "
                    + "cluster does not fit its pool.",
            "Reads files (-f), or else the cluster of the kubeconfig's current context (--kubeconfig, --context); "
                    + "from a cluster, each decision is recorded in the service's status unless --dry-run is given, "
                    + "and --dry-run shows which services would move and why."})
public final class PlaceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SourceOptions source;

    @Mixin
    OutputOptions output;

    @Option(names = "--dry-run", description = "Print the decisions; with --kubeconfig/--context, do not record them in the services' status.")
    boolean dryRun;

    @Option(names = "--explain", description = "Show, per service, every candidate's score and why each other cluster was not one.")
    boolean explain;

    @Option(names = "--weight-capacity", paramLabel = "W", defaultValue = "1.0",
            description = "Weight of free capacity in the score (default: ${DEFAULT-VALUE}).")
    double weightCapacity;

    @Option(names = "--weight-locality", paramLabel = "W", defaultValue = "1.0",
            description = "Weight of closeness to agreed callers and callees (default: ${DEFAULT-VALUE}).")
    double weightLocality;

    @Option(names = "--weight-cost", paramLabel = "W", defaultValue = "1.0",
            description = "Weight of cheaper capacity (default: ${DEFAULT-VALUE}).")
    double weightCost;

    @Override
    public Integer call() {
        Planner planner = new Planner(weights(), explain, MeshCompiler.DEFAULT_TRUST_DOMAIN);
        PrintWriter err = spec.commandLine().getErr();
        if (!source.fromCluster(spec)) {
            Plan plan = place(planner, source.readFiles(), err);
            if (!dryRun) {
                err.println("note: decisions from files are printed, not recorded; --dry-run says so explicitly");
                err.flush();
            }
            return print(plan);
        }
        try (KubeConnection cluster = source.connect()) {
            Plan plan = place(planner, cluster.inputs(), err);
            if (!dryRun) {
                int changed = cluster.record(plan.placements(), Clock.systemUTC());
                err.println("recorded " + changed + " of " + plan.placements().size()
                        + " decisions in the services' status (the rest were already up to date)");
                err.flush();
            }
            return print(plan);
        }
    }

    private Plan place(Planner planner, Inputs inputs, PrintWriter err) {
        Plan plan = planner.plan(inputs);
        plan.placementWarnings().forEach(w -> err.println(w.render()));
        plan.pools().refusals().forEach(r -> err.println(r.location() + ": refused: " + r.message()));
        if (inputs.services().isEmpty()) {
            err.println("note: no LatticeService in the inputs: nothing to place");
        }
        long moving = plan.placements().stream().filter(p -> p.move() != null).count();
        if (moving > 0) {
            err.println("note: " + moving + (moving == 1 ? " service leaves" : " services leave")
                    + " the cluster it was placed on (REASON says why)");
        }
        err.flush();
        return plan;
    }

    private int print(Plan plan) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("plan", PlanDigests.decisions(plan));
        data.put("placements", PlacementView.data(plan.placements(), explain));
        if (!plan.pools().refusals().isEmpty()) {
            data.put("refusals", PoolView.refusals(plan.pools()));
        }
        new Printer(spec.commandLine().getOut(), output.format())
                .print(data, () -> PlacementView.table(plan.placements(), explain));
        return plan.complete() ? 0 : LatticeException.UNPLACEABLE;
    }

    private Weights weights() {
        if (weightCapacity < 0 || weightLocality < 0 || weightCost < 0) {
            throw new ParameterException(spec.commandLine(), "score weights must be zero or more");
        }
        return new Weights(weightCapacity, weightLocality, weightCost);
    }
}
