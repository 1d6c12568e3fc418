package dev.lattice.core.install;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How an install or uninstall run behaves.
 *
 * @param timeout                how long any one wait may take (providers, machines, deletion)
 * @param keepBootstrapOnFailure leave the bootstrap cluster when the run fails, for debugging
 * @param poll                   how often a wait looks again
 * @param runs                   where run states are kept
 */
public record RunOptions(Duration timeout, boolean keepBootstrapOnFailure, Duration poll, Path runs) {
    public RunOptions {
        if (poll == null) {
            poll = Duration.ofSeconds(2);
        }
        if (runs == null) {
            runs = RunState.defaultRoot();
        }
    }
}
