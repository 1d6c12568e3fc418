import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Build step for the lattice launcher's start-up (run by the cli and packaging builds as a single-file program,
 * {@code java scripts/build/StartupCache.java ...}):
 *
 * <ul>
 *   <li>{@code jdk OUT.properties [JDK_HOME]}: picks the JDK the launcher runs on and writes {@code home} and
 *       {@code feature} (its major version). A JDK named on the command line (the build's {@code -Dlattice.jdk})
 *       wins; otherwise the newest JDK 17+ with jlink among the build's own and those installed in the usual places,
 *       because a newer JDK starts the tool faster (JDK 25's ahead-of-time cache). The class cache below only works
 *       with the JVM that made it, so the same JDK makes it and runs it.</li>
 *   <li>{@code train JDK_HOME JAR CACHE WORKDIR [ARGS...]}: runs the jar's training run (the commands a user runs,
 *       see {@code Main.train}) and writes the class cache: {@code CACHE.aot} (JDK 25+ {@code -XX:AOTCacheOutput})
 *       or {@code CACHE.jsa} (older JDKs: a static AppCDS archive from the loaded-class list).</li>
 * </ul>
 *
 * The JVM flags of the training run are the launcher's that shape what the cache holds (the collector, C1 only,
 * native reflection accessors, which spin no classes).
 */
public final class StartupCache {

    /** Flags the launcher passes that a class cache must be made with too. */
    static final List<String> LAUNCHER_FLAGS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Djdk.reflect.useNativeAccessorOnly=true");

    /** Where JDKs are installed on Linux and macOS (package managers, SDKMAN!, Homebrew, vendors' installers). */
    static final List<String> JDK_ROOTS = List.of("/usr/lib/jvm", "/usr/java", "/opt/java", "/opt/jdk",
            System.getProperty("user.home") + "/.sdkman/candidates/java", System.getProperty("user.home") + "/.jdks",
            "/Library/Java/JavaVirtualMachines");

    record Jdk(Path home, Runtime.Version version) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("jdk")) {
            Jdk jdk = args.length > 2 && !args[2].isBlank() ? named(Path.of(args[2])) : newest();
            Properties p = new Properties();
            p.setProperty("home", jdk.home().toString());
            p.setProperty("feature", Integer.toString(jdk.version().feature()));
            try (var out = Files.newBufferedWriter(Path.of(args[1]))) {
                p.store(out, "the JDK the lattice launcher runs on and its class cache is made by");
            }
            System.out.println("lattice launcher: runs on JDK " + jdk.version() + " at " + jdk.home());
        } else if (args.length >= 5 && args[0].equals("train")) {
            Jdk jdk = runtimeAt(Path.of(args[1])).orElseThrow(() -> new IllegalArgumentException(args[1] + " is not a Java 17+ runtime"));
            train(jdk, Path.of(args[2]), Path.of(args[3]), Path.of(args[4]), List.of(args).subList(5, args.length));
        } else {
            System.err.println("usage: StartupCache jdk OUT.properties [JDK_HOME] | train JDK_HOME JAR CACHE WORKDIR [ARGS...]");
            System.exit(2);
        }
    }

    static Jdk named(Path home) {
        return jdkAt(home).orElseThrow(() -> new IllegalArgumentException(
                home + " is not a JDK 17 or newer with jlink (bin/java, bin/jlink and a release file)"));
    }

    static Jdk newest() {
        List<Path> candidates = new ArrayList<>();
        Path self = Path.of(System.getProperty("java.home"));
        candidates.add(self);
        for (String root : JDK_ROOTS) {
            Path dir = Path.of(root);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> homes = Files.list(dir)) {
                    homes.forEach(h -> {
                        candidates.add(h);
                        candidates.add(h.resolve("Contents/Home"));
                    });
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        // The newest version wins; among equals, the build's own JDK, then the first by path, so the pick is stable.
        return candidates.stream().map(StartupCache::jdkAt).flatMap(Optional::stream).distinct()
                .max(Comparator.comparing(Jdk::version)
                        .thenComparing(j -> j.home().equals(realPath(self)))
                        .thenComparing(Jdk::home, Comparator.reverseOrder()))
                .orElseThrow(() -> new IllegalStateException("no JDK 17+ with jlink found; name one with -Dlattice.jdk=DIR"));
    }

    /** A JDK that can make a runtime: java, jlink and a release file saying 17 or newer. */
    static Optional<Jdk> jdkAt(Path home) {
        return Files.isExecutable(home.resolve("bin/jlink")) ? runtimeAt(home) : Optional.empty();
    }

    /** A Java runtime (a JDK, or an image jlink made): java and a release file saying 17 or newer. */
    static Optional<Jdk> runtimeAt(Path home) {
        Path release = home.resolve("release");
        if (!Files.isExecutable(home.resolve("bin/java")) || !Files.isRegularFile(release)) {
            return Optional.empty();
        }
        try (var in = Files.newBufferedReader(release)) {
            Properties p = new Properties();
            p.load(in);
            String version = p.getProperty("JAVA_VERSION", "").replace("\"", "");
            Runtime.Version v = Runtime.Version.parse(version);
            return v.feature() >= 17 ? Optional.of(new Jdk(realPath(home), v)) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    static void train(Jdk jdk, Path jar, Path cache, Path workDir, List<String> trainingArgs) throws Exception {
        String java = jdk.home().resolve("bin/java").toString();
        List<String> base = new ArrayList<>(List.of(java));
        if (jdk.version().feature() >= 24) {
            base.add("--sun-misc-unsafe-memory-access=allow");
        }
        base.addAll(LAUNCHER_FLAGS);
        Path aot = Path.of(cache + ".aot");
        Path jsa = Path.of(cache + ".jsa");
        Files.deleteIfExists(aot);
        Files.deleteIfExists(jsa);
        Path log = Path.of(cache + "-training.log");
        if (jdk.version().feature() >= 25) {
            List<String> run = new ArrayList<>(base);
            // Classes only, no method profiles: replaying the training run's profiles makes the JIT compile its hot
            // methods at every start, which cost a 0.4 s command 13% more CPU and the 10,000-service run 0.15 s.
            run.addAll(List.of("-XX:AOTCacheOutput=" + aot, "-XX:+UnlockDiagnosticVMOptions", "-XX:-AOTRecordTraining",
                    "-Xlog:aot=error", "-Dlattice.training=true", "-jar", jar.toString()));
            run.addAll(trainingArgs);
            exec(run, workDir, log);
            System.out.println("lattice launcher: ahead-of-time cache " + aot + " (" + Files.size(aot) / (1 << 20) + " MiB)");
        } else {
            Path classList = Path.of(cache + ".classlist");
            List<String> list = new ArrayList<>(base);
            list.addAll(List.of("-Xshare:off", "-XX:DumpLoadedClassList=" + classList, "-Dlattice.training=true", "-jar", jar.toString()));
            list.addAll(trainingArgs);
            exec(list, workDir, log);
            List<String> dump = new ArrayList<>(base);
            dump.addAll(List.of("-Xshare:dump", "-XX:SharedClassListFile=" + classList, "-XX:SharedArchiveFile=" + jsa,
                    "-jar", jar.toString()));
            exec(dump, workDir, Path.of(cache + "-dump.log"));
            System.out.println("lattice launcher: class-data archive " + jsa + " (" + Files.size(jsa) / (1 << 20) + " MiB)");
        }
    }

    static void exec(List<String> command, Path workDir, Path log) throws Exception {
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        int code = p.waitFor();
        if (code != 0) {
            throw new IllegalStateException("training run failed with exit code " + code + " (see " + log + "): " + command);
        }
    }
}
