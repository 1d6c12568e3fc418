package dev.lattice.daemon.runtime;

import dev.lattice.core.LatticeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * How the daemon was asked to run, as {@link DaemonCommand} parsed it.
 *
 * @param clusterName   the LatticeCluster this daemon manages as its own; null: the only LatticeCluster there is
 * @param httpPort      health, readiness and metrics; 0 picks a free port
 * @param agentPort     overrides the own LatticeCluster's {@code parentConfig.grpcPort}; 0 picks a free port
 * @param bootstrapPort overrides {@code parentConfig.bootstrapPort}; 0 picks a free port
 * @param proxyPort     overrides {@code parentConfig.proxyPort}; 0 picks a free port
 * @param identity      this replica's name in the leader-election Lease
 * @param components    where the Cluster API providers' manifests are looked for before the cache and the download
 * @param charts        the Helm charts of this cluster's and its children's add-ons, looked for there before the cache and the download
 * @param daemonImage   the image of the daemon this one installs into the children it provisions
 * @param provisionTimeout how long one wait of a child's provisioning (machines, providers) may take before it is retried
 * @param bootstrapTokenLifetime how long a child's one-time bootstrap token stays valid
 * @param fips          all cryptography on Bouncy Castle's FIPS provider in approved-only mode (the default), else the JDK's
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
        Integer proxyPort,
        boolean leaderElection,
        String identity,
        Duration heartbeatInterval,
        Duration resync,
        Path components,
        Path charts,
        String daemonImage,
        Duration provisionTimeout,
        Duration bootstrapTokenLifetime,
        boolean fips,
        boolean verbose) {

    /** Parses {@code args} with {@link DaemonCommand}; throws a {@link LatticeException} (exit code 2) naming the bad argument. */
    public static DaemonOptions parse(String[] args, Map<String, String> env) {
        return DaemonCommand.parse(args, env);
    }
}
