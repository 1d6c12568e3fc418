package dev.lattice.daemon.reconciler;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A work queue in front of one {@link Reconciler}, as client-go's rate-limited queue: a key queued several times
 * before it runs runs once; a key is never reconciled twice at once (one worker thread); a failure is retried after
 * an exponential, jittered back-off (5 ms doubling up to {@code maxBackoff}) that resets on success; every key
 * seen is reconciled again every {@code resync} even when nothing changed, which heals what a lost event missed.
 */
public final class Controller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Controller.class);
    private static final Duration BASE_BACKOFF = Duration.ofMillis(5);

    /** Told about every reconcile: for metrics. */
    public interface Listener {
        void reconciled(String controller, boolean ok, long nanos);
    }

    private final Reconciler reconciler;
    private final Duration resync;
    private final Duration maxBackoff;
    private final Listener listener;
    private final ScheduledExecutorService worker;
    private final Map<String, ScheduledFuture<?>> queued = new ConcurrentHashMap<>();
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final Map<String, ScheduledFuture<?>> resyncs = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public Controller(Reconciler reconciler, Duration resync, Duration maxBackoff, Listener listener) {
        this.reconciler = reconciler;
        this.resync = resync;
        this.maxBackoff = maxBackoff;
        this.listener = listener;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "reconcile-" + reconciler.name());
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues {@code key} to be reconciled now; a no-op when it is already waiting to run now. */
    public void enqueue(String key) {
        schedule(key, Duration.ZERO);
    }

    private synchronized void schedule(String key, Duration delay) {
        if (closed) {
            return;
        }
        ScheduledFuture<?> waiting = queued.get(key);
        if (waiting != null) {
            if (waiting.getDelay(TimeUnit.NANOSECONDS) <= delay.toNanos()) {
                return;
            }
            waiting.cancel(false); // something changed: run now rather than at the end of a back-off
        }
        queued.put(key, worker.schedule(() -> run(key), delay.toNanos(), TimeUnit.NANOSECONDS));
    }

    private void run(String key) {
        synchronized (this) {
            queued.remove(key);
        }
        long start = System.nanoTime();
        boolean ok = false;
        try {
            reconciler.reconcile(key);
            ok = true;
            failures.remove(key);
        } catch (Exception | LinkageError e) {
            int n = failures.merge(key, 1, Integer::sum);
            Duration delay = backoff(n);
            if (e instanceof KubernetesClientException k && k.getCode() == 409) {
                // Written from a cache a moment behind the server: read again and retry, as client-go does.
                LOG.debug("{} {}: the object changed meanwhile; again in {} ms", reconciler.name(), key, delay.toMillis());
            } else {
                LOG.warn("{} {}: {} (attempt {}, again in {} ms)", reconciler.name(), key, message(e), n, delay.toMillis());
            }
            LOG.debug("{} {} failed", reconciler.name(), key, e);
            schedule(key, delay);
        } finally {
            listener.reconciled(reconciler.name(), ok, System.nanoTime() - start);
        }
        if (ok) {
            resyncs.compute(key, (k, previous) -> {
                if (previous != null) {
                    previous.cancel(false);
                }
                return closed ? null : worker.schedule(() -> enqueue(k), resync.toNanos(), TimeUnit.NANOSECONDS);
            });
        }
    }

    Duration backoff(int failuresInARow) {
        long base = BASE_BACKOFF.toNanos() << Math.min(failuresInARow - 1, 30);
        long capped = Math.min(base, maxBackoff.toNanos());
        // Up to a quarter more, at random, so that many keys failing together do not retry together.
        return Duration.ofNanos(capped + ThreadLocalRandom.current().nextLong(capped / 4 + 1));
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    /** Keys waiting to run, for metrics. */
    public int depth() {
        return queued.size();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        worker.shutdownNow();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
