package dev.lattice.cli.command;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ScopeType;

/**
 * {@code lattice}: the top-level command; it only lists its subcommands. Its model is written in code rather than
 * read from annotations like the subcommands': every command line builds it, and on a cold JVM picocli's reading of
 * annotations (a proxy class made per annotation type, all of it interpreted) cost a tenth of a second.
 */
public final class LatticeCommand implements Runnable {

    /** The subcommands, in the order help lists them. */
    public static final List<Class<?>> SUBCOMMANDS = List.of(InstallCommand.class, UninstallCommand.class, PlanCommand.class,
            PlaceCommand.class, PoolCommand.class, ClaimCommand.class, VersionCommand.class, CompletionCommand.class, CompleteCommand.class);

    private CommandSpec spec;

    /** The option that puts the process in FIPS mode before the command runs (see Main). */
    public static final String FIPS = "--fips";

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static CommandLine top() {
        LatticeCommand command = new LatticeCommand();
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command).name("lattice").versionProvider(new VersionCommand.Provider());
        command.spec = spec;
        Map<String, String> exitCodes = new LinkedHashMap<>();
        for (String code : List.of(ExitCodes.SUCCESS, ExitCodes.FAILURE, ExitCodes.USAGE, ExitCodes.UNPLACEABLE)) {
            exitCodes.put(code.substring(0, code.indexOf(':')), code.substring(code.indexOf(':') + 1));
        }
        spec.usageMessage()
                .description("Kubernetes clusters that manage themselves, services placed on them by policy, and a "
                        + "service graph compiled into zero-trust network policy.")
                .exitCodeListHeading("%nExit codes:%n")
                .exitCodeList(exitCodes)
                .footerHeading("%n")
                .footer("Run 'lattice COMMAND --help' for more about a command.");
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
                .description("Print version information and exit.").build());
        spec.addOption(OptionSpec.builder("--verbose").scopeType(ScopeType.INHERIT)
                .description("Show details, including stack traces of failures.").build());
        spec.addOption(OptionSpec.builder(FIPS).scopeType(ScopeType.INHERIT)
                .description("All cryptography (TLS to Kubernetes APIs, keys) on Bouncy Castle's FIPS provider in approved-only "
                        + "mode, as the daemon runs by default: TLS 1.2/1.3, ECDHE with AES-GCM; fails rather than fall back.")
                .build());
        return new CommandLine(spec);
    }

    /** The whole command tree. */
    public static CommandLine commandLine() {
        CommandLine top = top();
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
        CommandLine top = top();
        Properties listings = listings();
        for (Class<?> type : SUBCOMMANDS) {
            String key = type.getSimpleName();
            String name = listings.getProperty(key + ".name");
            if (name == null || name.equals(wanted)) {
                top.addSubcommand(new CommandLine(type));
                continue;
            }
            List<String> description = new ArrayList<>();
            for (int i = 0; listings.containsKey(key + ".description." + i); i++) {
                description.add(listings.getProperty(key + ".description." + i));
            }
            top.addSubcommand(new CommandLine(listing(name, description.toArray(String[]::new),
                    Boolean.parseBoolean(listings.getProperty(key + ".hidden")))));
        }
        return top;
    }

    private static CommandSpec listing(String name, String[] description, boolean hidden) {
        CommandSpec spec = CommandSpec.create().name(name);
        spec.usageMessage().description(description).hidden(hidden);
        return spec;
    }

    /** Where the subcommands' names and descriptions are listed for {@link #commandLine(String[])}. */
    public static final String LISTINGS = "/dev/lattice/cli/commands.properties";

    /**
     * The subcommands' names and descriptions, as written at build time from their annotations ({@link #listingsText}):
     * reading a class's annotations on a cold JVM costs 30-70 ms (a proxy class is made for the annotation type),
     * which {@code lattice --help} would otherwise pay just to list them. Empty when the file is missing (each
     * subcommand is then built in full).
     */
    public static Properties listings() {
        Properties p = new Properties();
        try (InputStream in = LatticeCommand.class.getResourceAsStream(LISTINGS)) {
            if (in != null) {
                p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            p.clear();
        }
        return p;
    }

    /** The text of {@link #LISTINGS}, from the commands' annotations; a test keeps the checked-in file equal to it. */
    public static String listingsText() {
        StringBuilder s = new StringBuilder("# The subcommands' names and descriptions for lattice --help, written from their @Command\n"
                + "# annotations (LatticeCommand.listingsText); LatticeCommandTest fails when they drift.\n");
        for (Class<?> type : SUBCOMMANDS) {
            Command command = type.getAnnotation(Command.class);
            String key = type.getSimpleName();
            s.append(key).append(".name=").append(escape(command.name())).append('\n');
            for (int i = 0; i < command.description().length; i++) {
                s.append(key).append(".description.").append(i).append('=').append(escape(command.description()[i])).append('\n');
            }
            if (command.hidden()) {
                s.append(key).append(".hidden=true\n");
            }
        }
        return s.toString();
    }

    /** A properties value: backslashes and line breaks escaped, and a leading blank, which Properties would drop. */
    private static String escape(String value) {
        StringBuilder s = new StringBuilder();
        if (value.startsWith(" ") || value.startsWith("\t")) {
            s.append('\\');
        }
        for (char c : value.toCharArray()) {
            switch (c) {
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                default -> s.append(c);
            }
        }
        return s.toString();
    }
}
