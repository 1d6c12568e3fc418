package dev.lattice.cli.command;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Runs long work so that Ctrl-C interrupts it instead of killing the process: the work sees the interrupt, cleans
 * up (the bootstrap cluster) and fails normally. A second Ctrl-C stops at once. sun.misc.Signal (module
 * jdk.unsupported) because the JDK has no supported way to take SIGINT without starting the JVM's shutdown, where
 * a clean-up that waits on the main thread would deadlock with System.exit.
 */
final class Interruptible {
    private Interruptible() {
    }

    static <T> T run(Supplier<T> work, PrintWriter err) {
        Thread worker = Thread.currentThread();
        AtomicInteger presses = new AtomicInteger();
        SignalHandler handler = signal -> {
            if (presses.incrementAndGet() == 1) {
                err.println();
                err.println("interrupted: cleaning up (Ctrl-C again to stop at once, leaving whatever exists)");
                err.flush();
                worker.interrupt();
            } else {
                Runtime.getRuntime().halt(130);
            }
        };
        // SIGTERM too: a CI job that is cancelled gets the same clean-up as Ctrl-C.
        List<Signal> signals = List.of(new Signal("INT"), new Signal("TERM"));
        Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
        try {
            for (Signal s : signals) {
                previous.put(s, Signal.handle(s, handler));
            }
        } catch (IllegalArgumentException | UnsupportedOperationException noSignals) {
            // A JVM without signal handling: the signal ends the process as usual.
        }
        try {
            return work.get();
        } finally {
            previous.forEach(Signal::handle);
            // An interrupt that came after the work ended must not leak into the rest of the command.
            Thread.interrupted();
        }
    }
}
