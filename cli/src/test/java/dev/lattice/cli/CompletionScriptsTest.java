package dev.lattice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.cli.command.CompletionCommand.Shell;
import dev.lattice.testfixtures.Examples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** lattice completion: the scripts, and the copies checked in under completions/. */
class CompletionScriptsTest {

    static String script(Shell shell) {
        CliRun run = CliRun.of("completion", shell.name());
        assertThat(run.exitCode()).as(run.dump()).isZero();
        assertThat(run.err()).isEmpty();
        return run.out();
    }

    /** zsh loads the bash script, so completions/ holds lattice.bash (bash and zsh) and lattice.fish. */
    static Path checkedIn(Shell shell) {
        return Examples.projectRoot().resolve("completions/lattice." + (shell == Shell.fish ? "fish" : "bash"));
    }

    @ParameterizedTest
    @EnumSource(Shell.class)
    void checkedInScriptsAreTheOnesTheCommandsGive(Shell shell) throws IOException {
        Path checkedIn = checkedIn(shell);
        String generated = script(shell);
        if (Boolean.getBoolean("lattice.update-completions")) {
            Files.writeString(checkedIn, generated);
        }
        assertThat(checkedIn).as("completions/ is out of date: ./mvnw -pl cli test -Dtest=CompletionScriptsTest "
                + "-Dlattice.update-completions=true").hasContent(generated);
    }

    @Test
    void bashScriptIsPicoclisWithTheDynamicValuesOnTop() {
        String bash = script(Shell.bash);
        assertThat(bash).contains("function _picocli_lattice_plan()", "local commands=\"install uninstall plan place pool claim version completion\"")
                .contains("FORMAT_option_args=(\"table\" \"wide\" \"json\" \"yaml\")")
                .contains("'--filename'|'-f')", "'--cluster'|'--context'|'--name'|'--pool')", "CompWordsContainsArray pool status",
                        "CompWordsContainsArray claim release")
                .contains("__complete -- \"${prev_word}\"")
                .endsWith("complete -F _lattice_complete -o default lattice\n");
        assertThat(bash).as("the hidden command is not offered").doesNotContain("_picocli_lattice___complete", "cmds7=(__complete)");
    }

    @Test
    void zshLoadsTheBashScript() {
        assertThat(script(Shell.zsh)).isEqualTo(script(Shell.bash)).contains("autoload -U +X bashcompinit && bashcompinit");
    }

    @Test
    void fishScriptCoversEveryCommandOptionAndValue() {
        String fish = script(Shell.fish);
        assertThat(fish).contains("complete -c lattice -n '__fish_use_subcommand' -a plan -d 'Validate pools, clusters and services and show what they describe'")
                .contains("complete -c lattice -n '__fish_seen_subcommand_from pool; and not __fish_seen_subcommand_from status' -a status")
                .contains("complete -c lattice -n '__fish_seen_subcommand_from plan' -s o -l output -x -a 'table wide json yaml'")
                .contains("complete -c lattice -n '__fish_seen_subcommand_from plan' -s f -l filename -r -F")
                .contains("complete -c lattice -n '__fish_seen_subcommand_from plan' -l cluster -x -a '(__lattice_values --cluster)'")
                .contains("-l context -x -a '(__lattice_values --context)'")
                .contains("complete -c lattice -n '__fish_seen_subcommand_from pool; and __fish_seen_subcommand_from status' -x -a '(__lattice_values POOL)'")
                .contains("-l kubeconfig-out -r -F -d 'Where to write the new cluster\\'s kubeconfig")
                .doesNotContain("__complete -d", "-a __complete");
    }
}
