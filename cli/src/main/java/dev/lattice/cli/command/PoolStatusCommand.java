package dev.lattice.cli.command;

import dev.lattice.cli.complete.Dynamic;
import dev.lattice.cli.output.Format;
import dev.lattice.cli.output.PoolView;
import dev.lattice.cli.output.Printer;
import dev.lattice.core.LatticeException;
import dev.lattice.core.capacity.PoolAccounting;
import dev.lattice.core.model.WarmPool;
import dev.lattice.core.parse.Inputs;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lattice pool status}: capacity and budget of each pool. */
@Command(name = "status",
        mixinStandardHelpOptions = true,
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.SUCCESS, ExitCodes.FAILURE, ExitCodes.USAGE},
        description = {
            "Show each pool's capacity or budget, what its clusters use, and what is left; and each warm pool's clusters by"
                    + " state as its daemon counts them.",
            "A StaticPool is under CapacityPressure from " + PoolAccounting.PRESSURE_PERCENT + "%% of any resource "
                    + "used; a CloudPool's BudgetWarning is True from alertAt%% of its monthly budget (cost = hourly "
                    + "price x " + PoolAccounting.HOURS_PER_MONTH + "). -o wide adds what each cluster holds. "
                    + "Clusters a pool cannot hold are listed on stderr (and under refused with -o json|yaml).",
            "Reads files (-f), or else the cluster of the kubeconfig's current context (--kubeconfig, --context)."})
public final class PoolStatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SourceOptions source;

    @Mixin
    OutputOptions output;

    @Parameters(paramLabel = "POOL", arity = "0..*", completionCandidates = Dynamic.AnyPools.class,
            description = "Show only these pools (default: all).")
    List<String> only = new ArrayList<>();

    @Override
    public Integer call() {
        Inputs inputs = source.read(spec);
        PrintWriter err = spec.commandLine().getErr();
        inputs.warnings().forEach(w -> err.println(w.render()));
        PoolAccounting.Ledger all = PoolAccounting.account(inputs);
        List<WarmPool> warm = inputs.warmPools().stream().filter(w -> only.isEmpty() || only.contains(w.name())).toList();
        PoolAccounting.Ledger ledger = only(all, inputs.warmPools());
        ledger.refusals().forEach(r -> err.println(r.location() + ": refused: " + r.message()));
        if (ledger.pools().isEmpty() && warm.isEmpty()) {
            err.println("note: no StaticPool or CloudPool in the inputs");
        }
        err.flush();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("pools", PoolView.data(ledger));
        data.put("warmPools", PoolView.warmData(warm, all));
        new Printer(spec.commandLine().getOut(), output.format()).print(data, () -> {
            String pools = ledger.pools().isEmpty() ? "" : PoolView.table(ledger, output.format() == Format.wide);
            String warmPools = warm.isEmpty() ? "" : PoolView.warmTable(warm, all);
            return pools.isEmpty() || warmPools.isEmpty() ? pools + warmPools : pools + "\n" + warmPools;
        });
        return 0;
    }

    /**
     * The ledger of the pools named on the command line (capacity or warm pools); a name that is neither is an error,
     * as in kubectl get.
     */
    private PoolAccounting.Ledger only(PoolAccounting.Ledger ledger, List<WarmPool> warmPools) {
        if (only.isEmpty()) {
            return ledger;
        }
        List<String> known = new ArrayList<>(ledger.pools().stream().map(p -> p.pool().name()).toList());
        warmPools.forEach(w -> known.add(w.name()));
        List<String> missing = only.stream().filter(name -> !known.contains(name)).toList();
        if (!missing.isEmpty()) {
            throw new LatticeException("no pool named " + String.join(", ", missing),
                    known.isEmpty() ? "the inputs hold no StaticPool, CloudPool or WarmPool" : "pools: " + String.join(", ", known));
        }
        return new PoolAccounting.Ledger(ledger.pools().stream().filter(p -> only.contains(p.pool().name())).toList(),
                ledger.refusals().stream().filter(r -> only.contains(r.pool())).toList());
    }
}
