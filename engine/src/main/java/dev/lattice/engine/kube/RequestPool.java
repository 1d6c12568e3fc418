package dev.lattice.engine.kube;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests to an API server, a bounded number at a time: a fleet's thousands of applies and status writes go out side
 * by side instead of one after another, without flooding the server or holding every request's body in memory at
 * once. Threads are made as needed and end when idle, so an idle daemon holds none.
 */
public final class RequestPool implements AutoCloseable {
    private final int parallel;
    private final ThreadPoolExecutor threads;

    /** @param parallel how many requests run at once */
    public RequestPool(String name, int parallel) {
        if (parallel < 1) {
            throw new IllegalArgumentException("parallel must be at least 1: " + parallel);
        }
        this.parallel = parallel;
        AtomicInteger n = new AtomicInteger();
        // Each batch holds its callers back to `parallel` requests; batches of several callers share the threads.
        this.threads = new ThreadPoolExecutor(parallel, parallel, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.threads.allowCoreThreadTimeOut(true);
    }

    /** A new set of requests to run and wait for together. */
    public Batch batch() {
        return new Batch();
    }

    /**
     * Requests submitted together: {@link #submit} waits while as many as the pool runs are in flight, {@link #await}
     * until all are done. Each request handles its own failure; one that throws anyway ends nothing else.
     */
    public final class Batch {
        private final Semaphore slots = new Semaphore(parallel);

        private Batch() {
        }

        /** Runs {@code request} as soon as a slot is free; waits for one. */
        public void submit(Runnable request) {
            acquire(1);
            try {
                threads.execute(() -> {
                    try {
                        request.run();
                    } finally {
                        slots.release();
                    }
                });
            } catch (RuntimeException e) { // rejected: the pool is closed
                slots.release();
                throw e;
            }
        }

        /** Waits until every request submitted so far has ended. */
        public void await() {
            acquire(parallel);
            slots.release(parallel);
        }

        private void acquire(int permits) {
            try {
                slots.acquire(permits);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for requests to the API server", e);
            }
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
