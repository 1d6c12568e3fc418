package dev.lattice.cli;

import dev.lattice.cli.command.CompleteCommand;
import dev.lattice.cli.command.CompletionCommand;
import dev.lattice.cli.command.InstallCommand;
import dev.lattice.cli.command.PlaceCommand;
import dev.lattice.cli.command.PlanCommand;
import dev.lattice.cli.command.PoolCommand;
import dev.lattice.cli.command.UninstallCommand;
import dev.lattice.cli.command.VersionCommand;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
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
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:failure or invalid input",
            "2:usage error (unknown option, missing argument)",
            "3:some service could not be placed"},
        footerHeading = "%n",
        footer = "Run 'lattice COMMAND --help' for more about a command.")
public final class LatticeCommand implements Runnable {

    /** The subcommands, in the order help lists them. */
    static final List<Class<?>> SUBCOMMANDS = List.of(InstallCommand.class, UninstallCommand.class, PlanCommand.class,
            PlaceCommand.class, PoolCommand.class, VersionCommand.class, CompletionCommand.class, CompleteCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Show details, including stack traces of failures.")
    boolean verbose;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The whole command tree. */
    public static CommandLine commandLine() {
        CommandLine top = new CommandLine(new LatticeCommand());
        for (Class<?> type : SUBCOMMANDS) {
            top.addSubcommand(new CommandLine(type));
        }
        return top;
    }

    /**
     * The command tree for one command line: only the subcommand it runs is built in full; the others are listed
     * by name and description for help and typo suggestions. Picocli reads every option of every command by
     * reflection, a third of a short command's start-up when done for all of them.
     */
    public static CommandLine commandLine(String[] args) {
        String wanted = Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse(null);
        CommandLine top = new CommandLine(new LatticeCommand());
        for (Class<?> type : SUBCOMMANDS) {
            Command command = type.getAnnotation(Command.class);
            boolean named = command.name().equals(wanted) || Arrays.asList(command.aliases()).contains(wanted);
            top.addSubcommand(named ? new CommandLine(type) : new CommandLine(listing(command)));
        }
        return top;
    }

    private static CommandSpec listing(Command command) {
        CommandSpec spec = CommandSpec.create().name(command.name()).aliases(command.aliases());
        spec.usageMessage().description(command.description()).header(command.header()).hidden(command.hidden());
        return spec;
    }
}
