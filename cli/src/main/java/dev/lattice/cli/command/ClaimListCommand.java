package dev.lattice.cli.command;

import dev.lattice.cli.output.ClaimView;
import dev.lattice.core.model.ClusterClaim;
import dev.lattice.engine.kube.KubeConnection;
import dev.lattice.engine.warm.Claims;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code lattice claim list}: the claims of a namespace, or of all. */
@Command(name = "list",
        mixinStandardHelpOptions = true,
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.SUCCESS, ExitCodes.FAILURE, ExitCodes.USAGE},
        description = "List ClusterClaims: each one's pool, session, phase (and place in line while it waits), cluster and expiry.")
public final class ClaimListCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Mixin
    OutputOptions output;

    @Mixin
    ClaimNamespace namespace;

    @Option(names = {"-A", "--all-namespaces"}, description = "List the claims of every namespace.")
    boolean all;

    @Override
    public Integer call() {
        if (all && namespace.namespace != null) {
            throw new ParameterException(spec.commandLine(), "name a namespace (-n) or all of them (-A), not both");
        }
        try (KubeConnection connection = cluster.connect()) {
            Claims claims = new Claims(connection.client());
            List<ClusterClaim> listed = claims.list(all ? null : namespace.of(claims));
            if (listed.isEmpty()) {
                spec.commandLine().getErr().println("note: no claims" + (all ? "" : " in this namespace (-A lists every namespace's)"));
                spec.commandLine().getErr().flush();
            }
            ClaimView.print(spec.commandLine().getOut(), output.format(), listed);
        }
        return 0;
    }
}
