package dev.lattice.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.testfixtures.Examples;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The daemon image (Jib, configured in the daemon module's pom) runs the JVM as the measured launcher does. */
class DaemonImageTest {

    @Test
    void theImageUsesTheLaunchersJvmFlagsMallocArenasAndGoMemoryLimit() throws Exception {
        String pom = Files.readString(Examples.projectRoot().resolve("daemon/pom.xml"));
        String launcher = Files.readString(Examples.projectRoot().resolve("daemon/src/main/launcher/lattice-daemon"));
        List<String> image = all(Pattern.compile("<jvmFlag>([^<]+)</jvmFlag>"), pom);
        String exec = launcher.substring(launcher.indexOf("exec \"$java\""));
        List<String> flags = all(Pattern.compile("\\s(-[XD][^\\s\\\\]+)"), exec.substring(0, exec.indexOf("-jar ")));
        // The launcher adds the native-heap trim only where the JVM knows it; the image's JVM does.
        flags.add(all(Pattern.compile("trim=(-XX:TrimNativeHeapInterval=\\d+)"), launcher).get(0));
        // Outside a container the launcher stands in a memory limit (MaxRAM) for the one the image takes from its container.
        assertThat(flags).contains("-XX:MaxRAM=${LATTICE_DAEMON_MEMORY:-384m}");
        flags.remove("-XX:MaxRAM=${LATTICE_DAEMON_MEMORY:-384m}");
        assertThat(image).containsExactlyInAnyOrderElementsOf(flags).contains("-XX:MaxRAMPercentage=50").noneMatch(f -> f.startsWith("-Xmx"));
        assertThat(pom).contains("<MALLOC_ARENA_MAX>2</MALLOC_ARENA_MAX>", "<GOMEMLIMIT>40MiB</GOMEMLIMIT>", "<GOGC>25</GOGC>");
        assertThat(launcher).contains("MALLOC_ARENA_MAX:-2", "GOMEMLIMIT:-40MiB", "GOGC:-25");
    }

    private static List<String> all(Pattern pattern, String text) {
        List<String> out = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
