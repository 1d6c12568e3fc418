package dev.lattice.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.packaging.Processes.Result;
import dev.lattice.testfixtures.Examples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher the README tells users to run, built by the cli module's package phase, run as a user would. */
class LauncherTest {

    static Result run(Path workDir, String... args) throws IOException, InterruptedException {
        return runWithJavaOpts(workDir, "", args);
    }

    static Result runWithJavaOpts(Path workDir, String javaOpts, String... args) throws IOException, InterruptedException {
        return runOn(null, workDir, javaOpts, args);
    }

    /** Runs the launcher on the JVM at {@code javaHome} ({@code LATTICE_JAVA_HOME}), or, given null, the one it picks. */
    static Result runOn(String javaHome, Path workDir, String javaOpts, String... args) throws IOException, InterruptedException {
        Path launcher = Examples.projectRoot().resolve("cli/target/lattice");
        assertThat(launcher).as("built by ./mvnw package in the cli module").isExecutable();
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().remove("LATTICE_JAVA_HOME");
        if (javaHome != null) {
            pb.environment().put("LATTICE_JAVA_HOME", javaHome);
        }
        pb.environment().put("LATTICE_JAVA_OPTS", javaOpts);
        return Processes.run(pb, Duration.ofMinutes(1));
    }

    @Test
    void runsFromAnyDirectory(@TempDir Path elsewhere) throws Exception {
        Result help = run(elsewhere, "--help");
        assertThat(help.exitCode()).as(help.err()).isZero();
        assertThat(help.out()).startsWith("Usage: lattice");
        assertThat(help.err()).as("nothing on stderr, not even a class-data-sharing warning").isEmpty();
    }

    @Test
    void validatesTheExamplesAndRefusesBadInputWithExitOne(@TempDir Path elsewhere) throws Exception {
        Result ok = run(elsewhere, "plan", "-f", Examples.dir().toString());
        assertThat(ok.exitCode()).as(ok.err()).isZero();
        Path bad = elsewhere.resolve("bad.yaml");
        Files.writeString(bad, "apiVersion: lattice.dev/v1alpha1\nkind: StaticPool\nmetadata: {name: x}\nspec: {provider: vmware}\n");
        Result refused = run(elsewhere, "plan", "-f", "bad.yaml");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("bad.yaml:4:18: unknown value \"vmware\" in spec.provider")
                .doesNotContain("\tat ").endsWith("error: invalid input: 2 problems found; nothing was changed\n");
    }

    @Test
    void runsInFipsModeWhenAskedOnTheFipsJarsBesideIt(@TempDir Path elsewhere) throws Exception {
        // The provider's self-test checks its own jar: it passes only on the jar as released, beside the shaded one.
        Result fips = run(elsewhere, "--fips", "version", "-o", "json");
        assertThat(fips.exitCode()).as(fips.err()).isZero();
        assertThat(fips.out()).containsPattern("\"fips\"\\s*:\\s*true").contains("approved-only mode");
        assertThat(fips.err()).isEmpty();
        Result standard = run(elsewhere, "version", "-o", "json");
        assertThat(standard.exitCode()).as(standard.err()).isZero();
        assertThat(standard.out()).containsPattern("\"fips\"\\s*:\\s*false").contains("standard (the JDK's providers; not FIPS)");
        // The option is the whole command line's: after the command too.
        assertThat(run(elsewhere, "version", "--fips").out()).contains("crypto:  FIPS (BouncyCastle Security Provider (FIPS edition)");
    }

    @Test
    void startsFromTheClassCacheTheBuildMade(@TempDir Path elsewhere) throws Exception {
        // The JDK's own archive would serve JDK classes anyway: what shows the build's cache is in use is that the
        // application's classes come from it instead of from the jar.
        Result run = runWithJavaOpts(elsewhere, "-Xlog:class+load=info:stdout", "plan", "-f", Examples.dir().toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("dev.lattice.cli.Main source: shared objects file",
                "dev.lattice.core.parse.Parser source: shared objects file");
    }

    @Test
    void runsOnTheJdkTheBuildPickedWhateverJavaHomeSays(@TempDir Path elsewhere) throws Exception {
        String picked = Files.readString(Examples.projectRoot().resolve("cli/target/lattice.jdk")).strip();
        Result run = runWithJavaOpts(elsewhere, "-XshowSettings:properties", "--version");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("java.home = " + Path.of(picked).toRealPath());
    }

    @Test
    void reflectsThroughNativeAccessorsAsTheCacheWasTrained(@TempDir Path elsewhere) throws Exception {
        // Without it, JDK 18+ spins method-handle classes for each record constructor the parser calls (about 80
        // classes, 25 ms, for place), and the training run (StartupCache.LAUNCHER_FLAGS) would not match.
        Result run = runWithJavaOpts(elsewhere, "-XshowSettings:properties", "--version");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("jdk.reflect.useNativeAccessorOnly = true");
    }

    /** Other JDKs installed here (the picked JDK made the cache; these must run without it, and quietly). */
    static java.util.stream.Stream<Path> otherJdks() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return java.util.stream.Stream.empty();
        }
        Path self = Path.of(Files.readString(Examples.projectRoot().resolve("cli/target/lattice.jdk")).strip()).toRealPath();
        try (var list = Files.list(jvms)) {
            return list.filter(p -> Files.isExecutable(p.resolve("bin/java")) && Files.exists(p.resolve("release")))
                    .filter(p -> {
                        try {
                            return !p.toRealPath().equals(self);
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .sorted().toList().stream();
        }
    }

    // A machine with only the build's JDK has nothing to check here.
    @org.junit.jupiter.params.ParameterizedTest(allowZeroInvocations = true)
    @org.junit.jupiter.params.provider.MethodSource("otherJdks")
    void runsQuietlyOnOtherJdks(Path jdk, @TempDir Path elsewhere) throws Exception {
        // place loads CEL and protobuf, which JDK 24+ would warn about without the launcher's flag.
        Result run = runOn(jdk.toString(), elsewhere, "", "place", "--dry-run", "-f", Examples.dir().resolve("dc-chicago").toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).as("stderr on " + jdk).isEmpty();
        assertThat(run.out()).contains("patient-api");
    }

    @Test
    void worksThroughASymlink(@TempDir Path elsewhere) throws Exception {
        Path link = elsewhere.resolve("lattice");
        Files.createSymbolicLink(link, Examples.projectRoot().resolve("cli/target/lattice"));
        Result run = Processes.run(new ProcessBuilder(link.toString(), "--version").directory(elsewhere.toFile()), Duration.ofMinutes(1));
        assertThat(run.out()).startsWith("lattice ");
    }
}
