package dev.lattice.cli.command;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lattice.cli.complete.Dynamic;
import dev.lattice.cli.output.Format;
import dev.lattice.cli.output.ManifestView;
import dev.lattice.cli.output.PlacementView;
import dev.lattice.cli.output.PlanDigests;
import dev.lattice.cli.output.PoolView;
import dev.lattice.cli.output.Printer;
import dev.lattice.core.LatticeException;
import dev.lattice.core.capacity.PoolAccounting;
import dev.lattice.core.install.InstallPlan;
import dev.lattice.core.mesh.MeshCompiler;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.ParsedObject;
import dev.lattice.core.parse.Problem;
import dev.lattice.core.placement.Placement;
import dev.lattice.core.placement.Weights;
import dev.lattice.core.plan.Plan;
import dev.lattice.core.plan.Planner;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code lattice plan}: validates the inputs and shows what they hold, changing nothing. */
@Command(name = "plan",
        mixinStandardHelpOptions = true,
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.SUCCESS, ExitCodes.FAILURE, ExitCodes.USAGE, ExitCodes.UNPLACEABLE},
        description = {
            "Validate pools, clusters and services and show what they describe.",
            "Nothing is changed. Shows what each pool would allocate and what is left, and where services "
                    + "would go; exits 3 when a cluster does not fit its pool or its budget (or shares a Dedicated pool), "
                    + "or a service cannot be placed.",
            "Compiles the services into what each cluster would run: workloads, and allow rules (Cilium and Istio) "
                    + "for agreed calls only over a default-deny baseline. -o yaml prints those objects for kubectl apply "
                    + "-f -; a call only one side declares is a warning.",
            "Every problem is reported as FILE:LINE:COL: message; the exit code is 1 if there is any."})
public final class PlanCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InputOptions input;

    @Mixin
    OutputOptions output;

    @Option(names = "--trust-domain", paramLabel = "DOMAIN", defaultValue = MeshCompiler.DEFAULT_TRUST_DOMAIN,
            description = "Istio trust domain of the callers' identities in the policies (default: ${DEFAULT-VALUE}).")
    String trustDomain;

    @Option(names = "--cluster", paramLabel = "NAME", completionCandidates = Dynamic.Clusters.class,
            description = "Show only the objects compiled for this cluster, e.g. for lattice plan -o yaml --cluster prod | "
                    + "kubectl --context prod apply -f -.")
    String cluster;

    @Override
    public Integer call() {
        Inputs inputs = input.read();
        PrintWriter err = spec.commandLine().getErr();
        Plan plan = new Planner(Weights.DEFAULT, false, trustDomain).plan(inputs);
        List<Problem> warnings = plan.warnings();
        warnings.forEach(w -> err.println(w.render()));
        err.flush();
        Printer.Table table = new Printer.Table("KIND", "NAME", "NAMESPACE", "SOURCE");
        List<Listed> objects = new ArrayList<>();
        for (ParsedObject p : inputs.objects()) {
            String namespace = p.object().metadata().namespace();
            table.row(p.object().kind().kindName(), p.object().name(), namespace == null ? "-" : namespace,
                    p.source().document());
            objects.add(new Listed(p.object().kind().kindName(), p.object().name(), namespace, p.file(), p.source().document().line()));
        }
        List<java.util.function.Supplier<String>> text = new ArrayList<>(List.of(table::render));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("plan", PlanDigests.of(plan));
        data.put("objects", objects);
        PoolAccounting.Ledger ledger = plan.pools();
        if (!ledger.pools().isEmpty()) {
            data.put("pools", PoolView.data(ledger));
            text.add(() -> "\n" + PoolView.table(ledger, output.format() == Format.wide));
        }
        if (!ledger.refusals().isEmpty()) {
            data.put("refusals", PoolView.refusals(ledger));
        }
        if (!inputs.clusters().isEmpty()) {
            // What each cluster gets besides its machines: the charts, at the versions this Lattice pins.
            Map<String, List<InstallPlan.Addon>> addons = new TreeMap<>();
            Map<String, List<InstallPlan.AddonRequests>> requests = new TreeMap<>();
            Printer.Table charts = new Printer.Table("CLUSTER", "CHART", "VERSION");
            Printer.Table asks = new Printer.Table("CLUSTER", "ADD-ON", "CPU", "MEMORY", "STORAGE", "WHAT");
            for (var c : inputs.clusters()) {
                addons.put(c.name(), InstallPlan.addons(c));
                requests.put(c.name(), InstallPlan.requests(c));
            }
            addons.forEach((name, list) -> list.forEach(a -> charts.row(name, a.chart(), a.version())));
            requests.forEach((name, list) -> list.forEach(r -> asks.row(name, r.addon(), r.cpu(), r.memory(), r.storage(), r.description())));
            data.put("addons", addons);
            // What the add-ons' pods ask of each cluster's nodes, which placement leaves to them.
            data.put("addonRequests", requests);
            text.add(() -> "\n" + charts.render() + (asks.isEmpty() ? "" : "\n" + asks.render()));
        }
        List<Placement> placements = plan.placed() ? plan.placements() : List.of();
        if (plan.placed()) {
            data.put("placements", PlacementView.data(placements, false));
            text.add(() -> "\n" + PlacementView.table(placements, false));
        }
        MeshCompiler.Result mesh = only(plan.compiled(), inputs);
        if (!inputs.services().isEmpty() || !inputs.externalServices().isEmpty()) {
            data.put("manifests", ManifestView.manifests(mesh));
            data.put("edges", ManifestView.edges(mesh));
            text.add(() -> "\n" + ManifestView.table(mesh));
        }
        data.put("warnings", warnings(warnings));
        err.flush();
        new Printer(spec.commandLine().getOut(), output.format()).print(data,
                () -> text.stream().map(java.util.function.Supplier::get).collect(java.util.stream.Collectors.joining()),
                () -> ManifestView.yaml(mesh, !inputs.clusters().isEmpty()));
        long unplaced = plan.placed() ? plan.unplaced() : 0;
        if (!ledger.refusals().isEmpty() || unplaced > 0) {
            ledger.refusals().forEach(r -> err.println(r.location() + ": " + r.message()));
            int n = ledger.refusals().size();
            if (n > 0) {
                err.println("error: " + n + (n == 1 ? " cluster does" : " clusters do") + " not fit its pool; nothing was changed."
                        + " Give the pool more capacity or budget, or make the cluster smaller");
            }
            if (unplaced > 0) {
                err.println("error: " + unplaced + (unplaced == 1 ? " service" : " services") + " could not be placed (REASON "
                        + "above); lattice place --dry-run --explain shows why each cluster was not one");
            }
            err.flush();
            return LatticeException.UNPLACEABLE;
        }
        if (output.format() == Format.table || output.format() == Format.wide) {
            err.println(summary(inputs));
            err.flush();
        }
        return 0;
    }

    /** The compiled objects of the cluster {@code --cluster} names, or all of them without it. */
    private MeshCompiler.Result only(MeshCompiler.Result all, Inputs inputs) {
        if (cluster == null) {
            return all;
        }
        List<String> known = inputs.clusters().stream().map(c -> c.name()).sorted().toList();
        if (!known.contains(cluster)) {
            throw new ParameterException(spec.commandLine(), "no LatticeCluster named " + cluster + " among the inputs"
                    + (known.isEmpty() ? "" : "; the clusters are: " + String.join(", ", known)));
        }
        return new MeshCompiler.Result(all.manifests().stream().filter(m -> cluster.equals(m.cluster())).toList(),
                all.edges(), all.external(), all.warnings());
    }

    /** An input object as {@code plan -o json} lists it: what it is and where it was read. */
    record Listed(String kind, String name, @JsonInclude(JsonInclude.Include.NON_NULL) String namespace, String file, int line) {
    }

    /** A warning, located. */
    record Warning(String file, int line, int column, String message, @JsonInclude(JsonInclude.Include.NON_NULL) String hint) {
    }

    static List<Warning> warnings(List<Problem> warnings) {
        return warnings.stream().map(w -> new Warning(w.location().file(), w.location().line(), w.location().column(), w.message(),
                w.hint())).toList();
    }

    private static String summary(Inputs inputs) {
        Map<String, Integer> counts = new TreeMap<>();
        inputs.objects().forEach(p -> counts.merge(p.object().kind().kindName(), 1, Integer::sum));
        StringBuilder sb = new StringBuilder("valid: " + inputs.objects().size() + " objects (");
        counts.forEach((k, n) -> sb.append(n).append(' ').append(k).append(", "));
        sb.setLength(sb.length() - 2);
        sb.append(')');

        return sb.toString();
    }
}
