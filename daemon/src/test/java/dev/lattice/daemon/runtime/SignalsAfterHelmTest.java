package dev.lattice.daemon.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lattice.core.addons.Chart;
import dev.lattice.testfixtures.SharedCharts;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * helm-java loads Helm's Go runtime into the process, which takes the signals that ask a process to end: a daemon
 * that had rendered Istio ignored Kubernetes' SIGTERM until it was killed. A JVM that has rendered a chart still ends
 * on SIGTERM, through its shutdown hooks, with 143.
 */
class SignalsAfterHelmTest {
    @Test
    void aProcessThatRenderedAChartStillEndsOnSigterm() throws Exception {
        assumeTrue(SharedCharts.dir().isPresent(), SharedCharts.absence());
        Path hooked = Files.createTempFile("shutdown-hook", ".txt");
        Files.delete(hooked);
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), RenderThenWait.class.getName(), hooked.toString())
                .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("rendered")) {
                // what it says before
            }
            assertThat(line).as("the child rendered the chart").isEqualTo("rendered");
            child.destroy(); // SIGTERM
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).as("ended on SIGTERM").isTrue();
            assertThat(child.exitValue()).isEqualTo(143);
            assertThat(hooked).as("its shutdown hook ran").exists();
        } finally {
            child.destroyForcibly();
        }
    }

    /** Renders Istio's base chart, then waits to be told to end. */
    public static final class RenderThenWait {
        public static void main(String[] args) throws Exception {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Files.writeString(Path.of(args[0]), "ran");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
            SharedCharts.helm().render(Chart.ISTIO_BASE, "base", "istio-system", "v1.28.7", Map.of());
            System.out.println("rendered");
            Thread.sleep(60_000);
            System.exit(3);
        }
    }
}
