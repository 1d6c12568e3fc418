package dev.lattice.cli.command;

import dev.lattice.cli.output.Format;
import dev.lattice.cli.output.PoolView;
import dev.lattice.cli.output.Printer;
import dev.lattice.core.capacity.PoolAccounting;
import dev.lattice.core.parse.Inputs;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code lattice pool status}: capacity and budget of each pool. */
@Command(name = "status",
        mixinStandardHelpOptions = true,
        description = {
            "Show each pool's capacity or budget, what its clusters use, and what is left.",
            "A StaticPool is under CapacityPressure from " + PoolAccounting.PRESSURE_PERCENT + "%% of any resource "
                    + "used; a CloudPool's BudgetWarning is True from alertAt%% of its monthly budget (cost = hourly "
                    + "price x " + PoolAccounting.HOURS_PER_MONTH + "). -o wide adds what each cluster holds. "
                    + "Clusters a pool cannot hold are listed on stderr."})
public final class PoolStatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SourceOptions source;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        Inputs inputs = source.read(spec);
        PrintWriter err = spec.commandLine().getErr();
        inputs.warnings().forEach(w -> err.println(w.render()));
        PoolAccounting.Ledger ledger = PoolAccounting.account(inputs);
        ledger.refusals().forEach(r -> err.println(r.location() + ": refused: " + r.message()));
        if (ledger.pools().isEmpty()) {
            err.println("note: no StaticPool or CloudPool in the inputs");
        }
        err.flush();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("pools", PoolView.data(ledger));
        new Printer(spec.commandLine().getOut(), output.format()).print(data, () -> PoolView.table(ledger, output.format() == Format.wide));
        return 0;
    }
}
