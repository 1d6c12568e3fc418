package dev.lattice.cli.output;

import dev.lattice.core.LatticeException;
import dev.lattice.core.parse.InvalidInputException;
import dev.lattice.core.parse.Problem;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The one place failures become output: {@code error: what: why. what to do next} on stderr, an exit code,
 * and a stack trace only with {@code --verbose}.
 */
public final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        boolean verbose = verbose(parseResult);
        int code;
        if (e instanceof InvalidInputException invalid) {
            for (Problem p : invalid.problems()) {
                err.println(p.render());
            }
            err.println("error: " + invalid.getMessage());
            code = invalid.exitCode();
        } else if (e instanceof LatticeException failure) {
            String next = failure.nextStep() == null ? "" : ". " + capitalise(failure.nextStep());
            err.println("error: " + failure.getMessage() + next);
            code = failure.exitCode();
        } else {
            err.println("error: internal error: " + e + (verbose ? "" : " (run with --verbose for the stack trace)"));
            err.println("  this is a bug in lattice; please report it with the command line and input that caused it");
            code = CommandLine.ExitCode.SOFTWARE;
        }
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("error: " + e.getMessage());
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
            err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
        }
        err.flush();
        return CommandLine.ExitCode.USAGE;
    }

    /** {@code --verbose} is inherited by every subcommand, so look for it on each level of the command line. */
    private static boolean verbose(ParseResult result) {
        for (ParseResult r = result; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
