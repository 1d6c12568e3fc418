package dev.lattice.core.seeded;

import java.time.Instant;

/** Breaks the purity of core on purpose: ArchitectureTest shows its guard catches this. */
public class ClockReader {
    public String stamp() {
        return Instant.now().toString();
    }
}
