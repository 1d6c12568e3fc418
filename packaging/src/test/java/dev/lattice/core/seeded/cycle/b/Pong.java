package dev.lattice.core.seeded.cycle.b;

import dev.lattice.core.seeded.cycle.a.Ping;

/** The other half of a package cycle made on purpose: ArchitectureTest shows its guard catches it. */
public class Pong {
    public Ping answer() {
        return new Ping();
    }
}
