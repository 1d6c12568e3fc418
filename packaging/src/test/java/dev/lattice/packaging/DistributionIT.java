package dev.lattice.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.packaging.Processes.Result;
import dev.lattice.testfixtures.Examples;
import dev.lattice.testfixtures.SharedCharts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive this module's package phase built (lattice-VERSION-linux-x86_64.tar.gz), unpacked elsewhere and run
 * the way a user would: no Maven, no repository, no JAVA_HOME, only what the archive holds.
 */
class DistributionIT {
    @TempDir
    static Path unpacked;

    static Path home;

    static Path examples;

    static Path archive() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(p -> p.getFileName().toString().matches("lattice-.+-linux-x86_64\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new AssertionError("no lattice-*-linux-x86_64.tar.gz in target: ./mvnw package builds it"));
        }
    }

    @BeforeAll
    static void unpack() throws Exception {
        Path archive = archive().toAbsolutePath();
        Process tar = new ProcessBuilder("tar", "xzf", archive.toString()).directory(unpacked.toFile()).inheritIO().start();
        assertThat(tar.waitFor()).isZero();
        try (Stream<Path> dirs = Files.list(unpacked)) {
            home = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        assertThat(home.getFileName().toString()).isEqualTo(archive.getFileName().toString().replace("-linux-x86_64.tar.gz", ""));
        examples = unpacked.resolve("examples");
        copy(Examples.dir(), examples);
    }

    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /** Runs bin/lattice from a directory of its own, with an environment that names no Java and no project. */
    static Result lattice(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/lattice").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(unpacked.toFile());
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().put("HOME", unpacked.toString());
        pb.environment().putAll(env);
        return Processes.run(pb, Duration.ofMinutes(2));
    }

    static Result lattice(String... args) throws IOException, InterruptedException {
        return lattice(Map.of(), args);
    }

    @Test
    void holdsTheLauncherTheJarTheRuntimeTheCacheCompletionsAndManPages() {
        assertThat(home.resolve("bin/lattice")).isExecutable();
        assertThat(home.resolve("lib/lattice.jar")).isRegularFile();
        assertThat(home.resolve("runtime/bin/java")).isExecutable();
        assertThat(home.resolve("runtime/lib/jspawnhelper")).as("Process needs it to start kind and docker").isExecutable();
        assertThat(Stream.of("lib/lattice.aot", "lib/lattice.jsa").map(home::resolve).filter(Files::isRegularFile)).hasSize(1);
        assertThat(home.resolve("completions")).isDirectoryContaining("glob:**/lattice.bash")
                .isDirectoryContaining("glob:**/lattice.fish");
        for (String page : List.of("lattice", "lattice-install", "lattice-uninstall", "lattice-plan", "lattice-place",
                "lattice-pool", "lattice-pool-status", "lattice-version", "lattice-completion")) {
            // the footer: the build date and "lattice VERSION"
            assertThat(home.resolve("man/man1/" + page + ".1")).as(page).content().containsPattern("(?m)^\\.TH \""
                    + page.toUpperCase().replace("-", "\\\\-") + "\" \"1\" \"[0-9\\\\-]+\" \"lattice [^ \"]+\" ");
        }
    }

    @Test
    void versionAndPlacementRunOnTheBundledRuntime() throws Exception {
        Result version = lattice(Map.of("LATTICE_JAVA_OPTS", "-XshowSettings:properties"), "--version");
        assertThat(version.exitCode()).as(version.err()).isZero();
        assertThat(version.out()).startsWith("lattice ").contains("(commit ");
        assertThat(version.err()).contains("java.home = " + home.resolve("runtime").toRealPath());

        Result fips = lattice("--fips", "version");
        assertThat(fips.exitCode()).as(fips.err()).isZero();
        assertThat(fips.out()).contains("crypto:  FIPS (BouncyCastle Security Provider (FIPS edition) v2.1.3, approved-only mode");

        Result place = lattice("place", "--dry-run", "-f", examples.resolve("dc-chicago").toString());
        assertThat(place.exitCode()).as(place.err()).isZero();
        assertThat(place.out()).startsWith("SERVICE").contains("patient-api   default     prod-critical");
        assertThat(place.err()).as("no warning of any kind").isEmpty();
    }

    @Test
    void theClassCacheStillServesAfterTheArchiveMoved() throws Exception {
        Result run = lattice(Map.of("LATTICE_JAVA_OPTS", "-Xlog:class+load=info:stdout"), "plan", "-f", examples.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("dev.lattice.cli.Main source: shared objects file",
                "dev.lattice.core.parse.Parser source: shared objects file");
    }

    @Test
    void theRuntimeHoldsWhatTheHeavierCommandsNeed() throws Exception {
        // install --dry-run renders Cluster API objects through fabric8 and Jackson, and Cilium's chart through the Helm
        // binding's native library: modules a smaller runtime lacks show up here as NoClassDefFoundError.
        assumeTrue(SharedCharts.dir().isPresent(), SharedCharts.absence());
        Result install = lattice(Map.of("LATTICE_CHARTS_DIR", SharedCharts.dir().get().toString()),
                "install", "--dry-run", "-o", "yaml", "-f", examples.resolve("docker-laptop").toString());
        assertThat(install.exitCode()).as(install.err()).isZero();
        assertThat(install.out()).contains("kind: Cluster", "kind: ClusterResourceSet", "kind: DaemonSet");
        Result modules = Processes.run(new ProcessBuilder(home.resolve("runtime/bin/java").toString(), "--list-modules"),
                Duration.ofMinutes(1));
        assertThat(modules.exitCode()).as(modules.err()).isZero();
        assertThat(modules.out()).contains("java.base@", "java.net.http@", "jdk.crypto.ec@").doesNotContain("jdk.compiler@", "jdk.jshell@");
    }

    @Test
    void theCompletionScriptsAreTheCheckedInOnes() throws Exception {
        for (String shell : List.of("bash", "fish")) {
            assertThat(home.resolve("completions/lattice." + shell)).as(shell)
                    .hasSameTextualContentAs(Examples.projectRoot().resolve("completions/lattice." + shell));
        }
        Result bash = lattice("completion", "bash");
        assertThat(bash.out()).isEqualTo(Files.readString(home.resolve("completions/lattice.bash")));
    }
}
