package dev.lattice.core.seeded;

import java.io.IOException;

/** Breaks the purity of core on purpose: ArchitectureTest shows its guard catches this. */
public class ProcessStarter {
    public Process start() throws IOException {
        return new ProcessBuilder("true").start();
    }

    public Process exec() throws IOException {
        return Runtime.getRuntime().exec(new String[] {"true"});
    }
}
