package dev.lattice.cli;

import dev.lattice.cli.command.InstallCommand;
import dev.lattice.cli.command.PlaceCommand;
import dev.lattice.cli.command.PlanCommand;
import dev.lattice.cli.command.PoolCommand;
import dev.lattice.cli.command.UninstallCommand;
import dev.lattice.cli.command.VersionCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code lattice}: the top-level command; it only lists its subcommands. */
@Command(name = "lattice",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "Kubernetes clusters that manage themselves, services placed on them by policy, and a "
                + "service graph compiled into zero-trust network policy.",
        subcommands = {
            InstallCommand.class,
            UninstallCommand.class,
            PlanCommand.class,
            PlaceCommand.class,
            PoolCommand.class,
            VersionCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:failure or invalid input",
            "2:usage error (unknown option, missing argument)",
            "3:some service could not be placed"},
        footerHeading = "%n",
        footer = "Run 'lattice COMMAND --help' for more about a command.")
public final class LatticeCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Show details, including stack traces of failures.")
    boolean verbose;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
