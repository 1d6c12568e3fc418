package dev.lattice.daemon.runtime;

import dev.lattice.core.LatticeException;
import dev.lattice.core.install.BootstrapTokens;
import dev.lattice.core.install.DaemonManifests;
import dev.lattice.core.io.Durations;
import dev.lattice.engine.charts.ChartStore;
import dev.lattice.engine.crypto.Crypto;
import dev.lattice.engine.kube.KubeConnection;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code lattice-daemon}: its options, parsed by picocli as the CLI's are, into {@link DaemonOptions}; running it
 * starts the {@link Daemon} and waits for SIGTERM, which stops it cleanly and gives up the Lease so the other replica
 * takes over at once.
 */
@Command(name = "lattice-daemon", mixinStandardHelpOptions = true, versionProvider = DaemonCommand.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Runs the Lattice reconcilers (LatticeCluster, StaticPool, CloudPool, LatticeService, LatticeExternalService) "
                    + "against a cluster, serves the agent endpoints when the cluster is a parent (spec.parentConfig), and "
                    + "connects to its own parent when the Secret lattice-system/lattice-parent says where that is.",
            "Outside a cluster it talks to the cluster of --kubeconfig (default $KUBECONFIG or ~/.kube/config); inside one, "
                    + "to its own."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped by SIGTERM", "1:the daemon failed (Kubernetes restarts it)", "2:invalid options"})
public final class DaemonCommand implements Callable<Integer> {
    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "kubeconfig to use")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", description = "context of that kubeconfig (default: its current context)")
    String context;

    @Option(names = "--cluster-name", paramLabel = "NAME",
            description = "the LatticeCluster that is this cluster (default: $LATTICE_CLUSTER_NAME, else the only one there is)")
    String clusterName;

    @Option(names = "--no-install-crds", negatable = false, description = "do not apply the Lattice CRDs on start")
    boolean noInstallCrds;

    @Option(names = "--namespace", paramLabel = "NAME",
            description = "the daemon's namespace: its Lease, CA and parent Secrets (default: ${DEFAULT-VALUE})")
    String namespace = DaemonManifests.NAMESPACE;

    @Option(names = "--http-port", paramLabel = "PORT", converter = PortConverter.class,
            description = "/healthz, /readyz and /metrics (default: ${DEFAULT-VALUE}; 0: any free port)")
    int httpPort = DaemonManifests.HTTP_PORT;

    @Option(names = "--agent-port", paramLabel = "PORT", converter = PortConverter.class,
            description = "gRPC agent port instead of parentConfig.grpcPort (0: any free port)")
    Integer agentPort;

    @Option(names = "--bootstrap-port", paramLabel = "PORT", converter = PortConverter.class,
            description = "bootstrap HTTPS port instead of parentConfig.bootstrapPort (0: any free port)")
    Integer bootstrapPort;

    @Option(names = "--proxy-port", paramLabel = "PORT", converter = PortConverter.class,
            description = "HTTPS port of the children's Kubernetes APIs instead of parentConfig.proxyPort (0: any free port)")
    Integer proxyPort;

    @Option(names = "--no-leader-election", description = "reconcile without taking the Lease (one replica only)")
    boolean noLeaderElection;

    @Option(names = "--identity", paramLabel = "NAME", description = "this replica's name in the Lease (default: $POD_NAME, else the host name)")
    String identity;

    @Option(names = "--heartbeat-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "how often a child reports to its parent (default: 10s)")
    Duration heartbeatInterval = Duration.ofSeconds(10);

    @Option(names = "--resync", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "how often everything is reconciled without a change (default: 5m)")
    Duration resync = Duration.ofMinutes(5);

    @Option(names = "--components", paramLabel = "DIR",
            description = "Cluster API provider manifests for the children this parent provisions (looked for there, then in "
                    + "the cache, then downloaded)")
    Path components;

    @Option(names = "--charts", paramLabel = "DIR",
            description = "Helm charts of the add-ons: this cluster's (Istio, while services is on) and those of the children "
                    + "this parent provisions (Cilium), checked against the digests pinned in Lattice (default: $LATTICE_CHARTS_DIR, "
                    + "else the cache, else downloaded)")
    Path charts;

    @Option(names = "--daemon-image", paramLabel = "IMAGE",
            description = "the daemon image installed into provisioned children (default: $LATTICE_DAEMON_IMAGE, else this "
                    + "release's image)")
    String daemonImage;

    @Option(names = "--provision-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "how long a child's machines or providers may take to get ready before the step is tried again "
                    + "(default: 30m)")
    Duration provisionTimeout = Duration.ofMinutes(30);

    @Option(names = "--bootstrap-token-ttl", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "how long a child's one-time bootstrap token stays valid (default: 1h); a child not yet provisioned "
                    + "gets a new one when it expires")
    Duration bootstrapTokenLifetime = BootstrapTokens.DEFAULT_LIFETIME;

    @Option(names = "--fips", paramLabel = "BOOL", arity = "0..1", fallbackValue = "true",
            description = "all cryptography (agent stream, bootstrap and API endpoints, every client) on Bouncy Castle's FIPS "
                    + "provider in approved-only mode: TLS 1.2/1.3, ECDHE with AES-GCM, keys and signatures of approved strength; "
                    + "the daemon refuses to start rather than fall back (default: ${DEFAULT-VALUE}; --fips=false: the JDK's own)")
    boolean fips = true;

    @Option(names = {"-v", "--verbose"}, description = "debug logging, stack traces on failures")
    boolean verbose;

    private final Map<String, String> env;

    /** {@code env} supplies the defaults a Deployment sets: POD_NAME, LATTICE_CLUSTER_NAME, LATTICE_DAEMON_IMAGE. */
    public DaemonCommand(Map<String, String> env) {
        this.env = env;
    }

    /** The options given, with the environment's defaults where an option was left out. */
    public DaemonOptions options() {
        return new DaemonOptions(kubeconfig, context, clusterName != null ? clusterName : env.get("LATTICE_CLUSTER_NAME"),
                !noInstallCrds, namespace, httpPort, agentPort, bootstrapPort, proxyPort, !noLeaderElection,
                identity != null ? identity : env.getOrDefault("POD_NAME", hostName()), heartbeatInterval, resync, components,
                charts != null ? charts : Optional.ofNullable(env.get(ChartStore.CHARTS_DIR_ENV)).filter(s -> !s.isBlank()).map(Path::of).orElse(null),
                daemonImage != null ? daemonImage : env.getOrDefault("LATTICE_DAEMON_IMAGE", DaemonManifests.DEFAULT_IMAGE),
                provisionTimeout, bootstrapTokenLifetime, fips, verbose);
    }

    /** Parses {@code args} alone, without running anything; a bad argument is a {@link LatticeException} with exit code 2. */
    static DaemonOptions parse(String[] args, Map<String, String> env) {
        DaemonCommand command = new DaemonCommand(env);
        try {
            new CommandLine(command).parseArgs(args);
        } catch (ParameterException e) {
            throw new LatticeException(e.getMessage(), "lattice-daemon --help lists the options", CommandLine.ExitCode.USAGE, null);
        }
        return command.options();
    }

    /** The command line, its errors printed as {@code error: ...} without a stack trace unless {@code --verbose}. */
    public static CommandLine commandLine(Map<String, String> env) {
        CommandLine cmd = new CommandLine(new DaemonCommand(env));
        cmd.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("error: " + e.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
                err.println("  lattice-daemon --help lists the options");
            }
            return CommandLine.ExitCode.USAGE;
        });
        cmd.setExecutionExceptionHandler((e, command, parseResult) -> {
            PrintWriter err = command.getErr();
            if (e instanceof LatticeException failure) {
                err.println("error: " + failure.getMessage());
                if (failure.nextStep() != null) {
                    err.println("  " + failure.nextStep());
                }
            } else {
                err.println("error: the daemon stopped: " + e.getMessage());
            }
            if (parseResult.hasMatchedOption("--verbose")) {
                e.printStackTrace(err);
            }
            return e instanceof LatticeException failure ? failure.exitCode() : CommandLine.ExitCode.SOFTWARE;
        });
        return cmd;
    }

    @Override
    public Integer call() throws Exception {
        DaemonOptions options = options();
        if (options.fips()) {
            Crypto.enterFips(); // before any client or endpoint exists: each takes its TLS from the mode it finds
        }
        KubernetesClient client = KubeConnection.connect(options.kubeconfig(), options.context());
        Daemon daemon = new Daemon(options, client, reason -> exit());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.close();
            client.close();
            stopped.countDown();
        }, "shutdown"));
        daemon.start();
        stopped.await();
        return CommandLine.ExitCode.OK;
    }

    /**
     * Ends the process with status 1 so that Kubernetes restarts it: from a thread of its own, since the one that asks
     * may hold what the shutdown hook needs, and by force should the hook not finish in 20 s.
     */
    static void exit() {
        Thread halt = new Thread(() -> {
            try {
                Thread.sleep(20_000);
            } catch (InterruptedException e) {
                return;
            }
            Runtime.getRuntime().halt(1);
        }, "halt");
        halt.setDaemon(true);
        halt.start();
        new Thread(() -> System.exit(1), "exit").start();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"lattice-daemon " + Daemon.version()};
        }
    }

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("a duration such as 10s or 5m, not '" + value + "'");
            }
        }
    }

    static final class PortConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                int port = Integer.parseInt(value);
                if (port >= 0 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new TypeConversionException("a port number (0-65535), not '" + value + "'");
        }
    }

    private static String hostName() {
        try {
            return Objects.requireNonNullElse(InetAddress.getLocalHost().getHostName(), "lattice-daemon");
        } catch (UnknownHostException e) {
            return "lattice-daemon";
        }
    }
}
