package dev.lattice.cli.command;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lattice place}: runs the placement solver over clusters and services. */
@Command(name = "place",
        mixinStandardHelpOptions = true,
        description = {
            "Place services on clusters and report each decision.",
            "Evaluates each service's CEL placement requirement against every cluster, applies capacity",
            "and policy constraints, and scores the survivors.",
            "Exits 3 when some service could not be placed."})
public final class PlaceCommand implements Callable<Integer> {

    @Mixin
    InputOptions input;

    @Mixin
    OutputOptions output;

    @Option(names = "--dry-run", description = "Print the decisions without recording them anywhere.")
    boolean dryRun;

    @Option(names = "--explain", description = "Show, per service, why each cluster was kept or dropped.")
    boolean explain;

    @Override
    public Integer call() {
        throw new NotBuiltYet("place", "'lattice plan -f FILE...' validates services and clusters today");
    }
}
