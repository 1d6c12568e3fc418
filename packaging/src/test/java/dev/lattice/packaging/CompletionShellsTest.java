package dev.lattice.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.packaging.Processes.Result;
import dev.lattice.testfixtures.Examples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checked-in completion scripts loaded by the shells themselves, completing against the built launcher
 * (cli/target/lattice) for the values only it knows. zsh and fish are checked where they are installed.
 */
class CompletionShellsTest {
    static final Path SCRIPTS = Examples.projectRoot().resolve("completions");
    static final Path LAUNCHER = Examples.projectRoot().resolve("cli/target/lattice");

    static Result run(Path dir, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(Examples.projectRoot().toFile());
        pb.environment().put("HOME", dir.toString());
        pb.environment().put("PATH", dir + ":" + System.getenv("PATH"));
        Files.deleteIfExists(dir.resolve("lattice"));
        Files.createSymbolicLink(dir.resolve("lattice"), LAUNCHER);
        return Processes.run(pb, Duration.ofMinutes(2));
    }

    static boolean installed(String shell) {
        return Stream.of(System.getenv("PATH").split(":")).anyMatch(dir -> Files.isExecutable(Path.of(dir, shell)));
    }

    /** What bash's completion function offers for a command line whose last word is being completed. */
    static List<String> bashCompletes(Path dir, String... words) throws Exception {
        String script = """
                source completions/lattice.bash
                COMP_WORDS=(%s)
                COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
                COMP_LINE="${COMP_WORDS[*]}"
                COMP_POINT=${#COMP_LINE}
                _lattice_complete 2>/dev/null
                printf '%%s\\n' "${COMPREPLY[@]}"
                """.formatted(String.join(" ", Stream.of(words).map(w -> "'" + w + "'").toList()));
        Result r = run(dir, List.of("bash", "-c", script));
        assertThat(r.exitCode()).as(r.err()).isZero();
        return r.out().lines().filter(l -> !l.isEmpty()).toList();
    }

    @Test
    void bashLoadsTheScriptAndRegistersTheCompletion(@TempDir Path dir) throws Exception {
        Result syntax = run(dir, List.of("bash", "-n", SCRIPTS.resolve("lattice.bash").toString()));
        assertThat(syntax.exitCode()).as(syntax.err()).isZero();
        Result loaded = run(dir, List.of("bash", "-c", "source completions/lattice.bash && complete -p lattice"));
        assertThat(loaded.exitCode()).as(loaded.err()).isZero();
        assertThat(loaded.out().strip()).isEqualTo("complete -o default -F _lattice_complete lattice");
    }

    @Test
    void bashCompletesCommandsFormatsAndNamesFromTheFilesOnTheLine(@TempDir Path dir) throws Exception {
        assertThat(bashCompletes(dir, "lattice", "pl")).containsExactly("plan", "place");
        assertThat(bashCompletes(dir, "lattice", "plan", "-o", "")).containsExactly("table", "wide", "json", "yaml");
        assertThat(bashCompletes(dir, "lattice", "plan", "-f", "examples/dc-chicago", "--cluster", "prod"))
                .containsExactly("prod-critical", "prod-general");
        assertThat(bashCompletes(dir, "lattice", "pool", "status", "-f", "examples/multi-pool", "hv-pool-"))
                .contains("hv-pool-a", "hv-pool-b");
        assertThat(bashCompletes(dir, "lattice", "plan", "-f", "examples/dc-chi")).containsExactly("examples/dc-chicago");
        assertThat(bashCompletes(dir, "lattice", "completion", "")).containsExactly("bash", "zsh", "fish");
    }

    @Test
    void bashCompletesContextsFromTheKubeconfig(@TempDir Path dir) throws Exception {
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: a, cluster: {server: "https://127.0.0.1:1"}}]
                contexts: [{name: staging, context: {cluster: a, user: u}}, {name: prod, context: {cluster: a, user: u}}]
                current-context: prod
                users: [{name: u, user: {token: t}}]
                """);
        assertThat(bashCompletes(dir, "lattice", "place", "--kubeconfig", kubeconfig.toString(), "--context", ""))
                .containsExactlyInAnyOrder("prod", "staging");
    }

    @Test
    void zshLoadsTheScriptThroughBashcompinit(@TempDir Path dir) throws Exception {
        assumeTrue(installed("zsh"), "zsh is not installed here");
        Result syntax = run(dir, List.of("zsh", "-n", SCRIPTS.resolve("lattice.bash").toString()));
        assertThat(syntax.exitCode()).as(syntax.err()).isZero();
        Result loaded = run(dir, List.of("zsh", "-f", "-c", "source completions/lattice.bash && print -r -- ${_comps[lattice]}"));
        assertThat(loaded.exitCode()).as(loaded.err()).isZero();
        assertThat(loaded.out()).contains("_bash_complete -F _lattice_complete");
    }

    @Test
    void fishLoadsTheScriptAndCompletesValues(@TempDir Path dir) throws Exception {
        assumeTrue(installed("fish"), "fish is not installed here");
        Result syntax = run(dir, List.of("fish", "-n", SCRIPTS.resolve("lattice.fish").toString()));
        assertThat(syntax.exitCode()).as(syntax.err()).isZero();
        Result formats = run(dir, List.of("fish", "-c", "source completions/lattice.fish; complete -C 'lattice plan -o '"));
        assertThat(formats.out().lines().map(l -> l.split("\t")[0]).toList()).containsExactlyInAnyOrder("table", "wide", "json", "yaml");
        Result clusters = run(dir, List.of("fish", "-c",
                "source completions/lattice.fish; complete -C 'lattice plan -f examples/dc-chicago --cluster prod'"));
        assertThat(clusters.out().lines().map(l -> l.split("\t")[0]).toList()).containsExactlyInAnyOrder("prod-critical", "prod-general");
        Result commands = run(dir, List.of("fish", "-c", "source completions/lattice.fish; complete -C 'lattice pool '"));
        assertThat(commands.out()).startsWith("status\t");
    }
}
