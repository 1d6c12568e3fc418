package dev.lattice.cli.command;

import dev.lattice.cli.complete.CompletionScripts;
import dev.lattice.cli.complete.Dynamic;
import dev.lattice.core.model.Kind;
import dev.lattice.core.parse.Parser;
import dev.lattice.engine.kube.KubeConnection;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lattice __complete -- OPTION WORDS...}: the values the completion scripts offer for an option (or, with
 * {@code OPTION} a positional's label, for that positional), given the words typed so far. Prints one per line;
 * prints nothing, quietly, when it cannot tell: completion never shows an error.
 */
@Command(name = CompletionScripts.COMPLETE_COMMAND, hidden = true,
        description = "Values for shell completion (the completion scripts call this).")
public final class CompleteCommand implements Callable<Integer> {
    /** A Tab must answer quickly, even when the cluster does not. */
    static final Duration CLUSTER_TIMEOUT = Duration.ofSeconds(3);

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "OPTION")
    String option;

    @Parameters(index = "1..*", paramLabel = "WORDS")
    List<String> words = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            values().forEach(out::println);
        } catch (RuntimeException e) {
            // nothing to offer
        }
        out.flush();
        return 0;
    }

    List<String> values() {
        CommandLine cmd = LatticeCommand.commandLine(words.toArray(String[]::new));
        for (String word : words) {
            if (word.startsWith("-")) {
                continue;
            }
            CommandLine sub = cmd.getSubcommands().get(word);
            if (sub == null) {
                break;
            }
            cmd = sub;
        }
        CommandSpec command = cmd.getCommandSpec();
        ArgSpec arg = command.findOption(option);
        if (arg == null) {
            arg = command.positionalParameters().stream().filter(p -> p.paramLabel().equals(option)).findFirst().orElse(null);
        }
        if (arg == null || !(arg.completionCandidates() instanceof Dynamic dynamic)) {
            return List.of();
        }
        return switch (dynamic.kind()) {
            case FILE -> List.of();
            case CONTEXT -> KubeConnection.contextNames(path(valueOf("--kubeconfig")));
            case CLUSTER -> names(command, List.of(Kind.LATTICE_CLUSTER));
            case POOL -> names(command, List.of(Kind.STATIC_POOL, Kind.CLOUD_POOL));
            case WARM_POOL -> names(command, List.of(Kind.WARM_POOL));
            case ANY_POOL -> names(command, List.of(Kind.STATIC_POOL, Kind.CLOUD_POOL, Kind.WARM_POOL));
            case CLAIM -> names(command, List.of(Kind.CLUSTER_CLAIM));
        };
    }

    /** From the -f files typed so far; else, for a command that reads a cluster, from the cluster. */
    private List<String> names(CommandSpec command, List<Kind> kinds) {
        List<String> files = valuesOf("-f", "--filename").stream().map(CompleteCommand::expandHome).toList();
        if (!files.isEmpty()) {
            return kinds.stream().flatMap(kind -> Parser.names(files, kind).stream()).sorted().distinct().toList();
        }
        if (command.findOption("--kubeconfig") == null && command.findOption("--context") == null) {
            return List.of();
        }
        try (KubeConnection cluster = KubeConnection.open(path(valueOf("--kubeconfig")), valueOf("--context"), CLUSTER_TIMEOUT)) {
            return kinds.stream().flatMap(kind -> cluster.names(kind).stream()).sorted().distinct().toList();
        }
    }

    private String valueOf(String name) {
        List<String> values = valuesOf(name);
        return values.isEmpty() ? null : values.get(values.size() - 1);
    }

    /** Every value given to an option, as {@code -f x}, {@code --filename=x} or {@code -fx}. */
    private List<String> valuesOf(String... names) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            for (String name : names) {
                if (word.equals(name) && i + 1 < words.size()) {
                    values.add(words.get(i + 1));
                } else if (name.startsWith("--") && word.startsWith(name + "=")) {
                    values.add(word.substring(name.length() + 1));
                } else if (!name.startsWith("--") && word.startsWith(name) && word.length() > name.length()) {
                    values.add(word.substring(name.length()));
                }
            }
        }
        return values;
    }

    private static Path path(String value) {
        return value == null ? null : Path.of(expandHome(value));
    }

    /** The shell has not expanded a {@code ~} still being typed. */
    private static String expandHome(String value) {
        return value.equals("~") || value.startsWith("~/") ? System.getProperty("user.home") + value.substring(1) : value;
    }
}
