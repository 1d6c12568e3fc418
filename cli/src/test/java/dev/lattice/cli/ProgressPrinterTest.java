package dev.lattice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.cli.command.BootstrapOptions;
import dev.lattice.cli.output.ProgressPrinter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class ProgressPrinterTest {
    @Test
    void outsideATerminalEachStepAndEachNewStatusIsOnePlainLine() {
        StringWriter text = new StringWriter();
        ProgressPrinter p = new ProgressPrinter(new PrintWriter(text), false);
        p.done("create the bootstrap cluster", true);
        p.begin("wait for the machines");
        p.update("Cluster Provisioning; control plane 0/1, workers 0/2 machines ready");
        p.update("Cluster Provisioning; control plane 0/1, workers 0/2 machines ready");
        p.update("Cluster Provisioned; control plane 1/1, workers 2/2 machines ready");
        p.done("wait for the machines", false);
        assertThat(text.toString()).doesNotContain("\r", "\033").isEqualTo("""
                ✓ create the bootstrap cluster (done by an earlier run)
                … wait for the machines
                    Cluster Provisioning; control plane 0/1, workers 0/2 machines ready
                    Cluster Provisioned; control plane 1/1, workers 2/2 machines ready
                ✓ wait for the machines (0s)
                """);
    }

    @Test
    void onATerminalTheStatusRewritesTheStepsLine() {
        StringWriter text = new StringWriter();
        ProgressPrinter p = new ProgressPrinter(new PrintWriter(text), true);
        p.begin("pivot");
        p.update("found 25 objects");
        p.warn("careful");
        p.done("pivot", false);
        assertThat(text.toString()).isEqualTo("\r\033[K  … pivot\r\033[K  … pivot: found 25 objects\r\033[Kwarning: careful\n\r\033[K  ✓ pivot (0s)\n");
    }

    @Test
    void durationsAreWrittenAsPeopleWriteThem() {
        BootstrapOptions.DurationConverter convert = new BootstrapOptions.DurationConverter();
        assertThat(convert.convert("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(convert.convert("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(convert.convert("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(convert.convert("PT2M")).isEqualTo(Duration.ofMinutes(2));
        assertThatThrownBy(() -> convert.convert("")).isInstanceOf(TypeConversionException.class);
        assertThatThrownBy(() -> convert.convert("10 minutes")).isInstanceOf(TypeConversionException.class);
    }
}
