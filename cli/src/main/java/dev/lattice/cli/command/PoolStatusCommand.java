package dev.lattice.cli.command;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code lattice pool status}: capacity and budget of each pool. */
@Command(name = "status",
        mixinStandardHelpOptions = true,
        description = "Show each pool's capacity or budget, what its clusters use, and what is left.")
public final class PoolStatusCommand implements Callable<Integer> {

    @Mixin
    InputOptions input;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        throw new NotBuiltYet("pool status", "'lattice plan -f FILE...' validates pools and clusters today");
    }
}
