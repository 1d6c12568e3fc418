package dev.lattice.cli.command;

import dev.lattice.cli.complete.CompletionScripts;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lattice completion SHELL}: prints a completion script. */
@Command(name = "completion",
        mixinStandardHelpOptions = true,
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.SUCCESS, ExitCodes.FAILURE, ExitCodes.USAGE},
        description = {
            "Print a shell completion script (bash, zsh or fish).",
            "Kubeconfig contexts, and cluster and pool names, complete too: from the -f files on the command line, or "
                    + "from the cluster.",
            "",
            "To load it:",
            "",
            "  bash  source <(lattice completion bash)",
            "        or save it as ~/.local/share/bash-completion/completions/lattice",
            "  zsh   source <(lattice completion zsh)        in ~/.zshrc",
            "  fish  lattice completion fish > ~/.config/fish/completions/lattice.fish",
            ""})
public final class CompletionCommand implements Callable<Integer> {

    /** The shells a script is written for. */
    public enum Shell { bash, zsh, fish }

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SHELL", description = "One of: ${COMPLETION-CANDIDATES}.")
    Shell shell;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.print(script(shell));
        out.flush();
        return 0;
    }

    /** The script for a shell, from the whole command tree. */
    public static String script(Shell shell) {
        CommandLine root = LatticeCommand.commandLine();
        return switch (shell) {
            case bash -> CompletionScripts.bash(root);
            case zsh -> CompletionScripts.zsh(root);
            case fish -> CompletionScripts.fish(root);
        };
    }
}
