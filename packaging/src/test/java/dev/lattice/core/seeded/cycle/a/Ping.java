package dev.lattice.core.seeded.cycle.a;

import dev.lattice.core.seeded.cycle.b.Pong;

/** One half of a package cycle made on purpose: ArchitectureTest shows its guard catches it. */
public class Ping {
    public Pong answer() {
        return new Pong();
    }
}
