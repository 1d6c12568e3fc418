package dev.lattice.cli.command;

import dev.lattice.cli.complete.Dynamic;
import dev.lattice.cli.output.Printer;
import dev.lattice.core.render.Tree;
import dev.lattice.engine.crypto.Crypto;
import dev.lattice.engine.kube.KubeConnection;
import dev.lattice.engine.kube.ServerVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lattice version}: this build of lattice and, given a cluster, what runs there. */
@Command(name = "version",
        mixinStandardHelpOptions = true,
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.SUCCESS, ExitCodes.FAILURE, ExitCodes.USAGE},
        description = {
            "Print the version of lattice: its commit, build date and Java runtime.",
            "With --kubeconfig or --context, also the cluster's Kubernetes version and the Lattice daemon's (the tag of "
                    + "the image its Deployment runs)."})
public final class VersionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Also ask this cluster for its versions (default kubeconfig: $KUBECONFIG or ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", completionCandidates = Dynamic.Contexts.class,
            description = "The kubeconfig context of the cluster to ask.")
    String context;

    /** What the build stamped into the jar, and the Java runtime this process runs on. */
    public record Client(String version, String commit, String buildDate, String java, String javaVendor, String javaVm) {

        public static Client current() {
            Properties p = new Properties();
            try (InputStream in = VersionCommand.class.getResourceAsStream("/dev/lattice/cli/version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                // an unreadable stamp only loses the version
            }
            String commit = stamped(p, "commit") + ("true".equals(p.getProperty("dirty")) ? "-dirty" : "");
            return new Client(stamped(p, "version"), commit, stamped(p, "buildDate"),
                    System.getProperty("java.version"), System.getProperty("java.vendor"), System.getProperty("java.vm.name"));
        }

        /** A value the build filled in; "unknown" where it could not (a build outside a git checkout has no commit). */
        private static String stamped(Properties p, String key) {
            String value = p.getProperty(key, "");
            return value.isBlank() || value.startsWith("${") ? "unknown" : value;
        }

        String summary() {
            return "lattice " + version + " (commit " + commit + ", built " + buildDate + ")";
        }

        String runtime() {
            return "java " + java + " (" + javaVm + ", " + javaVendor + ")";
        }
    }

    @Override
    public Integer call() {
        Client client = Client.current();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("client", Tree.map("version", client.version(), "commit", client.commit(), "buildDate", client.buildDate(),
                "java", Tree.map("version", client.java(), "vendor", client.javaVendor(), "vm", client.javaVm()),
                "fips", Crypto.fips(), "cryptography", Crypto.describe()));
        ServerVersion server = null;
        if (kubeconfig != null || context != null) {
            try (KubeConnection cluster = KubeConnection.open(kubeconfig, context)) {
                server = cluster.version();
            }
            data.put("server", Tree.map("url", server.server(), "kubernetes", server.kubernetes(),
                    "daemon", server.daemon().map(d -> Tree.map("version", d.version(), "image", d.image(),
                            "readyReplicas", d.ready(), "replicas", d.replicas(), "fips", d.fips())).orElse(null)));
        }
        ServerVersion shown = server;
        PrintWriter out = spec.commandLine().getOut();
        new Printer(out, output.format()).print(data, () -> table(client, shown));
        return 0;
    }

    private static String table(Client client, ServerVersion server) {
        StringBuilder s = new StringBuilder();
        s.append("lattice ").append(client.version()).append('\n')
                .append("  commit:  ").append(client.commit()).append('\n')
                .append("  built:   ").append(client.buildDate()).append('\n')
                .append("  java:    ").append(client.java()).append(" (").append(client.javaVm()).append(", ")
                .append(client.javaVendor()).append(")\n")
                .append("  crypto:  ").append(Crypto.describe()).append('\n');
        if (server != null) {
            s.append("kubernetes ").append(server.kubernetes()).append(" (").append(server.server()).append(")\n");
            s.append(server.daemon().map(d -> "daemon " + d.version() + " (" + d.image() + ", " + d.ready() + "/" + d.replicas()
                    + " ready" + (d.fips() ? ", FIPS mode" : ", not in FIPS mode: --fips=false") + ")")
                    .orElse("daemon: not installed (no Deployment lattice-system/lattice-daemon)")).append('\n');
        }
        return s.toString();
    }

    /** {@code lattice --version}: the short form. */
    public static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            Client client = Client.current();
            return new String[] {client.summary(), client.runtime()};
        }
    }
}
