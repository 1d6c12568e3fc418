package dev.lattice.cli;

import dev.lattice.cli.command.LatticeCommand;
import dev.lattice.cli.output.ErrorHandler;
import dev.lattice.core.LatticeException;
import dev.lattice.core.rule.PlacementRule;
import dev.lattice.engine.crypto.Crypto;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Entry point of the {@code lattice} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (Boolean.getBoolean("lattice.training")) {
            train(args);
            return;
        }
        List<String> words = List.of(args);
        if (words.contains("place") || words.contains("plan")) {
            // Both compile placement rules: CEL's set-up runs on another core while the inputs are read.
            PlacementRule.prepareInBackground();
        }
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * The build's training run for the class cache: the paths a user's commands take (help, each output format, the
     * error report, version, completion) in one JVM, so the cache holds what start-up needs. Output is discarded.
     */
    private static void train(String[] inputs) {
        List<String> files = new ArrayList<>();
        for (String input : inputs) {
            files.add("-f");
            files.add(input);
        }
        List<List<String>> commandLines = List.of(
                List.of("--help"), List.of("--version"), List.of("plan", "--help"), List.of("pool", "status", "--help"),
                List.of("plan", "--no-such-option"), List.of("plan", "-f", "/nonexistent/lattice-training.yaml"),
                List.of("install", "-f", "x.yaml"));
        List<List<String>> withInputs = new ArrayList<>(commandLines);
        withInputs.add(List.of("version"));
        withInputs.add(List.of("completion", "bash"));
        List<String> pools = new ArrayList<>(List.of("pool", "status"));
        pools.addAll(files);
        withInputs.add(pools);
        // what a Tab in the shell runs
        List<String> complete = new ArrayList<>(List.of("__complete", "--", "--cluster", "plan"));
        complete.addAll(files);
        withInputs.add(complete);
        for (String format : List.of("table", "json", "yaml")) {
            List<String> plan = new ArrayList<>(List.of("plan", "-o", format));
            plan.addAll(files);
            withInputs.add(plan);
            List<String> place = new ArrayList<>(List.of("place", "--dry-run", "--explain", "-o", format));
            place.addAll(files);
            withInputs.add(place);
        }
        PrintWriter sink = new PrintWriter(Writer.nullWriter());
        for (List<String> commandLine : withInputs) {
            run(commandLine.toArray(String[]::new), sink, sink);
        }
    }

    /** Runs one command line with the given streams and returns its exit code; used by tests too. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return configure(LatticeCommand.commandLine(args), out, err).execute(args);
    }

    private static boolean matched(CommandLine.ParseResult result, String option) {
        for (CommandLine.ParseResult r = result; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption(option)) {
                return true;
            }
        }
        return false;
    }

    /** The whole command tree (for completion scripts, man pages and tests), writing to the given streams. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return configure(LatticeCommand.commandLine(), out, err);
    }

    private static CommandLine configure(CommandLine cmd, PrintWriter out, PrintWriter err) {
        cmd.setOut(out);
        cmd.setErr(err);
        ErrorHandler handler = new ErrorHandler();
        cmd.setExecutionExceptionHandler(handler);
        cmd.setParameterExceptionHandler(handler);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        // As in kubectl, an option given twice takes its last value (-o json ... -o yaml prints YAML).
        cmd.setOverwrittenOptionsAllowed(true);
        // --fips (on any level) changes the process's providers before the command makes a client or a key.
        cmd.setExecutionStrategy(parseResult -> {
            if (matched(parseResult, LatticeCommand.FIPS)) {
                try {
                    Crypto.enterFips();
                } catch (LatticeException e) {
                    throw new CommandLine.ExecutionException(parseResult.commandSpec().commandLine(), e.getMessage(), e);
                }
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        return cmd;
    }
}
