package dev.lattice.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.testfixtures.Examples;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon as users run it ({@code daemon/target/lattice-daemon}, its jars in {@code lib/}) refuses to start in FIPS
 * mode when the FIPS provider's self-tests fail, saying why, and never falls back to the JDK's providers; with
 * {@code --fips=false} it does not touch that provider at all. The failing self-test is the real one: the provider's
 * jar with one byte of one class changed, which its integrity check over its own classes finds.
 */
class FipsStartIT {
    @Test
    void refusesToStartWhenTheProvidersSelfTestFailsAndSaysWhy(@TempDir Path dir) throws Exception {
        Path target = Examples.projectRoot().resolve("daemon/target");
        Files.copy(target.resolve("lattice-daemon.jar"), dir.resolve("lattice-daemon.jar"));
        Files.copy(target.resolve("lattice-daemon"), dir.resolve("lattice-daemon"));
        dir.resolve("lattice-daemon").toFile().setExecutable(true);
        Path lib = Files.createDirectories(dir.resolve("lib"));
        try (Stream<Path> jars = Files.list(target.resolve("lib"))) {
            for (Path jar : jars.toList()) {
                if (jar.getFileName().toString().startsWith("bc-fips-")) {
                    tamper(jar, lib.resolve(jar.getFileName()));
                } else {
                    Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        Path kubeconfig = dir.resolve("nowhere.yaml"); // never read when FIPS mode refuses first

        String[] refused = run(dir, "--kubeconfig", kubeconfig.toString());
        assertThat(refused[0]).isEqualTo("1");
        assertThat(refused[1]).contains("error: FIPS mode cannot start: the Bouncy Castle FIPS provider did not load",
                "Module checksum failed", "--fips=false").doesNotContain("\tat ", "kubeconfig");

        String[] optedOut = run(dir, "--fips=false", "--kubeconfig", kubeconfig.toString());
        assertThat(optedOut[0]).isEqualTo("1");
        assertThat(optedOut[1]).as("on to the next thing, the kubeconfig").contains("nowhere.yaml").doesNotContain("FIPS");
    }

    /** Copies the jar {@code from}, changing one byte of one of its classes. */
    private static void tamper(Path from, Path to) throws IOException {
        boolean changed = false;
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(from)); ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(to))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                byte[] bytes = in.readAllBytes();
                if (!changed && entry.getName().startsWith("org/bouncycastle/crypto/fips/FipsDSA") && entry.getName().endsWith(".class")) {
                    String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
                    int at = text.indexOf("DSA");
                    bytes[at] = 'X';
                    changed = true;
                }
                out.putNextEntry(new ZipEntry(entry.getName()));
                out.write(bytes);
                out.closeEntry();
            }
        }
        assertThat(changed).as("a class to change in " + from).isTrue();
    }

    /** The exit code and what the daemon printed, stdout and stderr together. */
    private static String[] run(Path dir, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(dir.resolve("lattice-daemon").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out;
        try (InputStream in = process.getInputStream()) {
            out = new String(in.readAllBytes());
        }
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as(out).isTrue();
        return new String[] {String.valueOf(process.exitValue()), out};
    }
}
