package dev.lattice.daemon;

import dev.lattice.testfixtures.Examples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The daemon run as users run it ({@code daemon/target/lattice-daemon}), for the benches: its process, log and memory. */
final class DaemonProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private DaemonProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static Path launcher() {
        return Examples.projectRoot().resolve("daemon/target/lattice-daemon");
    }

    /**
     * Starts the daemon of {@code cluster} against the API server of {@code kubeconfig}, health on {@code httpPort}, with
     * the arguments in {@code -Dbench.daemon.args} (space-separated; {@code --fips=false} for the JDK's cryptography).
     */
    static DaemonProcess start(Path kubeconfig, String cluster, int httpPort) throws IOException {
        Path log = Files.createTempFile("lattice-daemon", ".log");
        List<String> command = new java.util.ArrayList<>(List.of(launcher().toString(), "--kubeconfig", kubeconfig.toString(),
                "--cluster-name", cluster, "--http-port", String.valueOf(httpPort)));
        String extra = System.getProperty("bench.daemon.args", "").strip();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new DaemonProcess(process, log);
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    boolean alive() {
        return process.isAlive();
    }

    String rss() throws IOException {
        return status("VmRSS:");
    }

    /** The peak resident set so far. */
    String hwm() throws IOException {
        return status("VmHWM:");
    }

    /** The peak resident set so far, in KiB; 0 once the process is gone. */
    long hwmKb() throws IOException {
        String hwm = status("VmHWM:");
        return hwm.endsWith(" kB") ? Long.parseLong(hwm.substring(0, hwm.length() - 3).trim()) : 0;
    }

    /** The log's lines at WARN or ERROR. */
    List<String> complaints() throws IOException {
        return Files.readAllLines(log).stream().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).toList();
    }

    /** Runs {@code jcmd} on the daemon's JVM (as {@code JFR.start ...}); its output. */
    String jcmd(String... command) throws IOException, InterruptedException {
        List<String> args = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(process.pid())));
        args.addAll(List.of(command));
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    /** The JVM is the launcher's exec'd child, so the pid is the JVM's. */
    private String status(String name) throws IOException {
        Path status = Path.of("/proc/" + process.pid() + "/status");
        if (!Files.exists(status)) {
            return "?";
        }
        return Files.readAllLines(status).stream().filter(l -> l.startsWith(name))
                .map(l -> l.substring(name.length()).trim()).findFirst().orElse("?");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
