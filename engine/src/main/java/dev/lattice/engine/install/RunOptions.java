package dev.lattice.engine.install;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How an install or uninstall run behaves.
 *
 * @param timeout                how long any one wait may take (providers, machines, deletion)
 * @param keepBootstrapOnFailure leave the bootstrap cluster when the run fails, for debugging
 * @param poll                   how often a wait looks again
 * @param runs                   where run states are kept
 * @param resetState             set damaged state files of the run aside and start afresh, instead of refusing
 */
public record RunOptions(Duration timeout, boolean keepBootstrapOnFailure, Duration poll, Path runs, boolean resetState) {
    public RunOptions(Duration timeout, boolean keepBootstrapOnFailure, Duration poll, Path runs) {
        this(timeout, keepBootstrapOnFailure, poll, runs, false);
    }

    public RunOptions {
        if (poll == null) {
            poll = Duration.ofSeconds(2);
        }
        if (runs == null) {
            runs = RunState.defaultRoot();
        }
    }
}
