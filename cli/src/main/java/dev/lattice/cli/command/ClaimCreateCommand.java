package dev.lattice.cli.command;

import dev.lattice.cli.complete.Dynamic;
import dev.lattice.cli.output.ClaimView;
import dev.lattice.core.LatticeException;
import dev.lattice.core.io.Durations;
import dev.lattice.core.model.ClusterClaim;
import dev.lattice.engine.install.RunState;
import dev.lattice.engine.kube.KubeConnection;
import dev.lattice.engine.warm.Claims;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code lattice claim create}: a ClusterClaim on a warm pool, and, with --wait, its cluster. */
@Command(name = "create",
        mixinStandardHelpOptions = true,
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.SUCCESS, ExitCodes.FAILURE, ExitCodes.USAGE},
        description = {
            "Claim a ready cluster from a warm pool.",
            "The claim is bound at once to the pool's cluster that has been ready longest, or waits in line when none is. "
                    + "Its kubeconfig, made for this claim alone, is in the Secret its status names; it stops working when the "
                    + "claim is released or expires, and the cluster is reset for the next claim.",
            "--wait waits until the claim is bound; --kubeconfig-out writes its kubeconfig to a file (and waits)."})
public final class ClaimCreateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Mixin
    OutputOptions output;

    @Option(names = "--pool", required = true, paramLabel = "POOL", completionCandidates = Dynamic.WarmPools.class,
            description = "The WarmPool to claim a cluster from.")
    String pool;

    @Option(names = "--session", paramLabel = "ID", description = "Who holds the cluster (default: the claim's name).")
    String session;

    @Option(names = "--lifetime", paramLabel = "DURATION", converter = BootstrapOptions.DurationConverter.class,
            description = "How long to hold the cluster, as 90m or 2h (default: the pool's; at most the pool's maximum).")
    Duration lifetime;

    @Option(names = "--name", paramLabel = "NAME", description = "The claim's name (default: the pool's name and a random suffix).")
    String name;

    @Mixin
    ClaimNamespace namespace;

    @Option(names = "--wait", description = "Wait until the claim is bound to a cluster.")
    boolean await;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m", converter = BootstrapOptions.DurationConverter.class,
            description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--kubeconfig-out", paramLabel = "FILE",
            description = "Write the claim's kubeconfig to FILE (readable by its owner only) once bound. Never overwritten.")
    Path kubeconfigOut;

    @Override
    public Integer call() {
        if (lifetime != null && (lifetime.isZero() || lifetime.isNegative())) {
            throw new ParameterException(spec.commandLine(), "--lifetime must be longer than 0s");
        }
        if (kubeconfigOut != null && Files.exists(kubeconfigOut)) {
            throw new LatticeException(kubeconfigOut + " exists, and claim create does not overwrite files", "remove it or name another file");
        }
        PrintWriter err = spec.commandLine().getErr();
        try (KubeConnection connection = cluster.connect()) {
            Claims claims = new Claims(connection.client());
            String ns = namespace.of(claims);
            ClusterClaim claim = claims.create(ns, name, pool, session, lifetime == null ? null : Durations.format(lifetime));
            String id = ns + "/" + claim.name();
            err.println("claim " + id + " made on warm pool " + pool);
            if (await || kubeconfigOut != null) {
                long start = System.nanoTime();
                err.println("waiting up to " + Durations.format(timeout) + " for a cluster");
                err.flush();
                claim = claims.await(ns, claim.name(), c -> c.status().phase() != null && c.status().phase() != ClusterClaim.Phase.PENDING,
                        timeout);
                if (claim.status().phase() != ClusterClaim.Phase.BOUND) {
                    throw new LatticeException("claim " + id + " is " + Claims.phase(claim) + ": " + claim.status().message(), null);
                }
                err.printf("bound to %s in %.1f s, until %s%n", claim.status().cluster(), (System.nanoTime() - start) / 1e9,
                        claim.status().expiresAt());
                if (kubeconfigOut != null) {
                    RunState.writeAtomically(kubeconfigOut, claims.kubeconfig(claim));
                    err.println("its kubeconfig: " + kubeconfigOut + "\n  kubectl --kubeconfig " + kubeconfigOut + " get nodes");
                }
            }
            err.flush();
            ClaimView.print(spec.commandLine().getOut(), output.format(), List.of(claim));
        }
        return 0;
    }
}
