package dev.lattice.cli.command;

import dev.lattice.cli.complete.Dynamic;
import dev.lattice.cli.output.ClaimView;
import dev.lattice.core.model.ClusterClaim;
import dev.lattice.engine.kube.KubeConnection;
import dev.lattice.engine.warm.Claims;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lattice claim release}: gives a claim's cluster back. */
@Command(name = "release",
        mixinStandardHelpOptions = true,
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.SUCCESS, ExitCodes.FAILURE, ExitCodes.USAGE},
        description = {
            "Give a claim's cluster back.",
            "Its kubeconfig stops working and the cluster is reset for the next claim; the claim stays, Released, until "
                    + "deleted (kubectl delete clusterclaim). A claim still waiting in line leaves it."})
public final class ClaimReleaseCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Mixin
    OutputOptions output;

    @Parameters(paramLabel = "NAME", completionCandidates = Dynamic.Claims.class, description = "The claim to release.")
    String name;

    @Mixin
    ClaimNamespace namespace;

    @Option(names = "--wait", description = "Wait until the daemon has taken the cluster back (the claim is Released).")
    boolean await;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "2m", converter = BootstrapOptions.DurationConverter.class,
            description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try (KubeConnection connection = cluster.connect()) {
            Claims claims = new Claims(connection.client());
            String ns = namespace.of(claims);
            ClusterClaim claim = claims.release(ns, name);
            err.println("claim " + ns + "/" + name + " released" + (claim.status().cluster() == null ? ""
                    : "; cluster " + claim.status().cluster() + " is reset for the next claim"));
            if (await) {
                claim = claims.await(ns, name, c -> c.status().phase() == ClusterClaim.Phase.RELEASED
                        || c.status().phase() == ClusterClaim.Phase.EXPIRED, timeout);
            }
            err.flush();
            ClaimView.print(spec.commandLine().getOut(), output.format(), List.of(claim));
        }
        return 0;
    }
}
