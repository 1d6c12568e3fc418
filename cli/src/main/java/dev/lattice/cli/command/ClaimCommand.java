package dev.lattice.cli.command;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code lattice claim}: ready clusters from warm pools, for sessions. */
@Command(name = "claim",
        mixinStandardHelpOptions = true,
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.SUCCESS, ExitCodes.FAILURE, ExitCodes.USAGE},
        description = "Claim a ready cluster from a warm pool, list claims, and give clusters back.",
        subcommands = {ClaimCreateCommand.class, ClaimListCommand.class, ClaimReleaseCommand.class})
public final class ClaimCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
