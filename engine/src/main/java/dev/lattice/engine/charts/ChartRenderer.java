package dev.lattice.engine.charts;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import dev.lattice.core.LatticeException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * Renders a chart as {@code helm template} does, through the Java Helm binding (helm-java), for one Kubernetes version:
 * offline (values that would make a template look up a live cluster are the caller's to avoid) and, for the same
 * chart and values, the same text every time.
 *
 * <p>helm-java runs Helm as a Go library inside this process, and the Go runtime, as it loads, takes SIGTERM, SIGINT
 * and SIGHUP from the JVM and then does nothing with them: a daemon that had rendered a chart no longer stopped when
 * Kubernetes asked it to, nor a CLI on Ctrl-C. After the first render they are handed back ({@link #restoreSignals}):
 * each ends the process through its shutdown hooks, with 128 + the signal's number, as the JVM does.
 */
public final class ChartRenderer {
    private static final AtomicBoolean SIGNALS_RESTORED = new AtomicBoolean();
    /** Why the Helm library could not be loaded, once it could not: the JVM never tries a failed class's loading again. */
    private static volatile String unloadable;

    private ChartRenderer() {
    }

    /**
     * The chart's manifests: {@code chart} is an archive or an unpacked chart directory; {@code values} are
     * {@code --set} pairs, applied in order; {@code kubeVersion} as {@code v1.28.7} (Helm otherwise assumes v1.20).
     */
    public static String render(Path chart, String release, String namespace, String kubeVersion, Map<String, String> values) {
        try {
            TemplateCommand template = new Helm(chart).template().withName(release).withNamespace(namespace).withKubeVersion(kubeVersion);
            values.forEach(template::set);
            return template.call();
        } catch (RuntimeException e) {
            throw new LatticeException("cannot render the chart " + chart.getFileName() + ": " + e.getMessage(), null);
        } catch (LinkageError e) {
            // The first failure says why; every later one would only say "Could not initialize class".
            if (unloadable == null) {
                unloadable = e.getMessage() != null ? e.getMessage() : e.toString();
            }
            throw new LatticeException("cannot render the chart " + chart.getFileName() + ": the Helm library cannot be loaded ("
                    + unloadable + "); it unpacks itself into JNA's directory (-Djna.tmpdir, else $XDG_CACHE_HOME/JNA or "
                    + "~/.cache/JNA), which must be writable and allow executables", null);
        } finally {
            if (SIGNALS_RESTORED.compareAndSet(false, true)) {
                restoreSignals();
            }
        }
    }

    /** Gives the JVM back the signals that ask a process to end (see the class comment). */
    @SuppressWarnings("restriction")
    static void restoreSignals() {
        for (String name : List.of("TERM", "INT", "HUP")) {
            try {
                Signal.handle(new Signal(name), signal -> System.exit(128 + signal.getNumber()));
            } catch (IllegalArgumentException e) {
                // The JVM runs with -Xrs, or the platform has no such signal: nothing to hand back.
            }
        }
    }
}
