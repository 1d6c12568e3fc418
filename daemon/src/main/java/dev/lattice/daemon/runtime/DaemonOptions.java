package dev.lattice.daemon.runtime;

import dev.lattice.core.LatticeException;
import dev.lattice.core.install.BootstrapTokens;
import dev.lattice.core.install.DaemonManifests;
import dev.lattice.core.io.Durations;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How the daemon was asked to run. Parsed by hand: the daemon must not depend on the CLI's picocli (STYLE.md).
 *
 * @param clusterName   the LatticeCluster this daemon manages as its own; null: the only LatticeCluster there is
 * @param httpPort      health, readiness and metrics; 0 picks a free port
 * @param agentPort     overrides the own LatticeCluster's {@code parentConfig.grpcPort}; 0 picks a free port
 * @param bootstrapPort overrides {@code parentConfig.bootstrapPort}; 0 picks a free port
 * @param identity      this replica's name in the leader-election Lease
 * @param components    where the Cluster API providers' manifests are looked for before the cache and the download
 * @param daemonImage   the image of the daemon this one installs into the children it provisions
 * @param provisionTimeout how long one wait of a child's provisioning (machines, providers) may take before it is retried
 * @param bootstrapTokenLifetime how long a child's one-time bootstrap token stays valid
 */
public record DaemonOptions(
        Path kubeconfig,
        String context,
        String clusterName,
        boolean installCrds,
        String namespace,
        int httpPort,
        Integer agentPort,
        Integer bootstrapPort,
        boolean leaderElection,
        String identity,
        Duration heartbeatInterval,
        Duration resync,
        Path components,
        String daemonImage,
        Duration provisionTimeout,
        Duration bootstrapTokenLifetime,
        boolean verbose) {

    static final String USAGE = """
            Usage: lattice-daemon [--kubeconfig FILE] [--context NAME] [--cluster-name NAME] [options]

            Runs the Lattice reconcilers (LatticeCluster, StaticPool, CloudPool, LatticeService,
            LatticeExternalService) against a cluster, serves the agent endpoints when the cluster is a parent
            (spec.parentConfig), and connects to its own parent when the Secret lattice-system/lattice-parent says
            where that is. Outside a cluster it talks to the cluster of --kubeconfig (default $KUBECONFIG or
            ~/.kube/config); inside one, to its own.

            Options:
              --kubeconfig FILE          kubeconfig to use
              --context NAME             context of that kubeconfig (default: its current context)
              --cluster-name NAME        the LatticeCluster that is this cluster (default: the only one there is)
              --no-install-crds          do not apply the Lattice CRDs on start
              --namespace NAME           the daemon's namespace: its Lease, CA and parent Secrets (default lattice-system)
              --http-port PORT           /healthz, /readyz and /metrics (default 8080; 0: any free port)
              --agent-port PORT          gRPC agent port instead of parentConfig.grpcPort (0: any free port)
              --bootstrap-port PORT      bootstrap HTTPS port instead of parentConfig.bootstrapPort (0: any free port)
              --no-leader-election       reconcile without taking the Lease (one replica only)
              --identity NAME            this replica's name in the Lease (default $POD_NAME or the host name)
              --heartbeat-interval DUR   how often a child reports to its parent (default 10s)
              --resync DUR               how often everything is reconciled without a change (default 5m)
              --components DIR           Cluster API provider manifests for the children this parent provisions
                                         (looked for there, then in the cache, then downloaded)
              --daemon-image IMAGE       the daemon image installed into provisioned children
                                         (default $LATTICE_DAEMON_IMAGE, else this release's image)
              --provision-timeout DUR    how long a child's machines or providers may take to get ready before the
                                         step is tried again (default 30m)
              --bootstrap-token-ttl DUR  how long a child's one-time bootstrap token stays valid (default 1h); a
                                         child not yet provisioned gets a new one when it expires
              -v, --verbose              debug logging, stack traces on failures
              -h, --help                 this help
              -V, --version              the daemon's version
            """;

    /** Parses {@code args}; throws a {@link LatticeException} naming the bad argument. */
    public static DaemonOptions parse(String[] args, Map<String, String> env) {
        Path kubeconfig = null;
        String context = null;
        String clusterName = env.get("LATTICE_CLUSTER_NAME");
        boolean installCrds = true;
        String namespace = DaemonManifests.NAMESPACE;
        int httpPort = DaemonManifests.HTTP_PORT;
        Integer agentPort = null;
        Integer bootstrapPort = null;
        boolean leaderElection = true;
        String identity = env.getOrDefault("POD_NAME", hostName());
        Duration heartbeat = Duration.ofSeconds(10);
        Duration resync = Duration.ofMinutes(5);
        Path components = null;
        String daemonImage = env.getOrDefault("LATTICE_DAEMON_IMAGE", DaemonManifests.DEFAULT_IMAGE);
        Duration provisionTimeout = Duration.ofMinutes(30);
        Duration tokenLifetime = BootstrapTokens.DEFAULT_LIFETIME;
        boolean verbose = false;
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String arg = rest.remove(0);
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "--kubeconfig" -> kubeconfig = Path.of(value(arg, value, rest));
                case "--context" -> context = value(arg, value, rest);
                case "--cluster-name" -> clusterName = value(arg, value, rest);
                case "--no-install-crds" -> installCrds = false;
                case "--namespace" -> namespace = value(arg, value, rest);
                case "--http-port" -> httpPort = port(arg, value(arg, value, rest));
                case "--agent-port" -> agentPort = port(arg, value(arg, value, rest));
                case "--bootstrap-port" -> bootstrapPort = port(arg, value(arg, value, rest));
                case "--no-leader-election" -> leaderElection = false;
                case "--identity" -> identity = value(arg, value, rest);
                case "--heartbeat-interval" -> heartbeat = duration(arg, value(arg, value, rest));
                case "--resync" -> resync = duration(arg, value(arg, value, rest));
                case "--components" -> components = Path.of(value(arg, value, rest));
                case "--daemon-image" -> daemonImage = value(arg, value, rest);
                case "--provision-timeout" -> provisionTimeout = duration(arg, value(arg, value, rest));
                case "--bootstrap-token-ttl" -> tokenLifetime = duration(arg, value(arg, value, rest));
                case "-v", "--verbose" -> verbose = true;
                default -> throw new LatticeException("unknown option " + arg, "lattice-daemon --help lists the options", 2, null);
            }
        }
        return new DaemonOptions(kubeconfig, context, clusterName, installCrds, namespace, httpPort, agentPort, bootstrapPort,
                leaderElection, identity, heartbeat, resync, components, daemonImage, provisionTimeout, tokenLifetime, verbose);
    }

    private static String value(String option, String inline, List<String> rest) {
        if (inline != null) {
            return inline;
        }
        if (rest.isEmpty() || rest.get(0).startsWith("--")) {
            throw new LatticeException(option + " needs a value", "lattice-daemon --help lists the options", 2, null);
        }
        return rest.remove(0);
    }

    private static int port(String option, String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new LatticeException(option + " takes a port number (0-65535), not " + value, null, 2, null);
    }

    private static Duration duration(String option, String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new LatticeException(option + " takes a duration such as 10s or 5m, not " + value, null, 2, null);
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
