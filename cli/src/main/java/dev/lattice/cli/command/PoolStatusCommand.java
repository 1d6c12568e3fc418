package dev.lattice.cli.command;

import dev.lattice.cli.output.Format;
import dev.lattice.cli.output.PoolView;
import dev.lattice.cli.output.Printer;
import dev.lattice.core.capacity.PoolAccounting;
import dev.lattice.core.kube.KubeConnection;
import dev.lattice.core.kube.LiveInputs;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Parser;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code lattice pool status}: capacity and budget of each pool. */
@Command(name = "status",
        mixinStandardHelpOptions = true,
        description = {
            "Show each pool's capacity or budget, what its clusters use, and what is left.",
            "A StaticPool is under CapacityPressure from " + PoolAccounting.PRESSURE_PERCENT + "% of any resource used; a",
            "CloudPool's BudgetWarning is True from alertAt% of its monthly budget (cost = hourly price x "
                    + PoolAccounting.HOURS_PER_MONTH + ").",
            "-o wide adds what each cluster holds. Clusters a pool cannot hold are listed on stderr."})
public final class PoolStatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE",
            description = "A YAML or JSON file, a directory (read recursively) or - for stdin. Repeatable.")
    List<String> files = new ArrayList<>();

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "Read pools and clusters from this cluster instead of files.")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", description = "The kubeconfig context to use.")
    String context;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        boolean fromCluster = kubeconfig != null || context != null;
        if (fromCluster == !files.isEmpty()) {
            throw new ParameterException(spec.commandLine(), fromCluster
                    ? "read either files (-f) or a cluster (--kubeconfig/--context), not both"
                    : "name what to show: files with -f, or a cluster with --kubeconfig/--context");
        }
        Inputs inputs;
        if (fromCluster) {
            try (KubernetesClient client = KubeConnection.connect(kubeconfig, context)) {
                inputs = LiveInputs.read(client);
            }
        } else {
            inputs = Parser.read(files, System.in);
        }
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
