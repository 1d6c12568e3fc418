package dev.lattice.daemon.reconciler.seeded;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Breaks the rule on purpose: a reconciler that polls on a timer of its own (ArchitectureTest shows the guard fails). */
public final class Poller {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    public void start(Runnable readAgain) throws InterruptedException {
        timer.scheduleAtFixedRate(readAgain, 15, 15, TimeUnit.SECONDS);
        Thread.sleep(1000);
    }
}
