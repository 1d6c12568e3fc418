package dev.lattice.daemon.reconciler;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's one work queue, in front of every {@link Reconciler}, as client-go's rate-limited queue: a key queued
 * several times before it runs runs once; one key is never reconciled twice at once (a key queued while it runs runs
 * again after it), while different keys run side by side on a few workers; a failure is retried after the
 * {@link Backoff} (per key, reset on success), and retries of all keys together are held to {@code retriesPerSecond}
 * after a burst, so that a fleet failing at once does not hammer the API server; every key seen is reconciled again
 * every {@code resync} even when nothing changed, which heals what a lost event missed.
 *
 * <p>A reconcile that hits an error the JVM cannot recover from (out of memory, an internal error) is not retried:
 * {@code fatal} is told, so that the process ends and Kubernetes restarts it. One that runs too long shows in
 * {@link #stalled}, which the liveness probe reads.
 */
public final class WorkQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkQueue.class);

    /** Told about every reconcile: for metrics. */
    public interface Listener {
        void reconciled(String reconciler, boolean ok, long nanos);
    }

    private record Key(Reconciler reconciler, String key) {
        @Override
        public String toString() {
            return reconciler.name() + " " + key;
        }
    }

    /** A run waiting for its time; {@code seq} tells it from a later one that replaced it. */
    private record Waiting(long seq, ScheduledFuture<?> future) {
    }

    private final Duration resync;
    private final Backoff backoff;
    private final RetryBudget budget;
    private final Listener listener;
    private final ScheduledThreadPoolExecutor workers;
    private final Map<Key, Waiting> queued = new HashMap<>();
    private final Set<Key> running = new HashSet<>();
    /** Keys queued while they ran: they run again once done. */
    private final Set<Key> again = new HashSet<>();
    private final Map<Key, Integer> failures = new HashMap<>();
    private final Map<Key, ScheduledFuture<?>> resyncs = new HashMap<>();
    /** When each running key started, by {@link System#nanoTime}. */
    private final Map<Key, Long> runningSince = new HashMap<>();
    private final Consumer<String> fatal;
    private long seq;
    private boolean closed;
    /** Told once the queue has been quiet (nothing running) for so long after reconciling; see {@link #whenQuiet}. */
    private final List<Quiet> quiet = new ArrayList<>();
    /** Reconciles finished so far: a quiet spell counts from the last one, and a run since is not quiet. */
    private long finishedCount;

    /** @param fatal told what went wrong when a reconcile hits an error the process cannot go on after */
    public WorkQueue(int workers, Duration resync, Backoff backoff, double retriesPerSecond, int retryBurst, Listener listener,
                     Consumer<String> fatal) {
        this.fatal = fatal;
        this.resync = resync;
        this.backoff = backoff;
        this.budget = new RetryBudget(retriesPerSecond, retryBurst);
        this.listener = listener;
        AtomicInteger n = new AtomicInteger();
        this.workers = new ScheduledThreadPoolExecutor(workers, r -> {
            Thread t = new Thread(r, "reconcile-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.workers.setRemoveOnCancelPolicy(true);
    }

    /** Queues {@code key} of {@code reconciler} to be reconciled now; a no-op when it is already waiting to run now. */
    public void enqueue(Reconciler reconciler, String key) {
        schedule(new Key(reconciler, key), Duration.ZERO);
    }

    /** Queues {@code key} of {@code reconciler} to be reconciled after {@code delay}, unless it is due sooner already. */
    public void enqueueAfter(Reconciler reconciler, String key, Duration delay) {
        schedule(new Key(reconciler, key), delay.isNegative() ? Duration.ZERO : delay);
    }

    private synchronized void schedule(Key key, Duration delay) {
        if (closed) {
            return;
        }
        Waiting waiting = queued.get(key);
        if (waiting != null) {
            if (waiting.future().getDelay(TimeUnit.NANOSECONDS) <= delay.toNanos()) {
                return;
            }
            waiting.future().cancel(false); // something changed: run now rather than at the end of a back-off
        }
        long mine = ++seq;
        queued.put(key, new Waiting(mine, workers.schedule(() -> run(key, mine), delay.toNanos(), TimeUnit.NANOSECONDS)));
    }

    private void run(Key key, long mine) {
        synchronized (this) {
            Waiting waiting = queued.get(key);
            if (waiting != null && waiting.seq() == mine) {
                queued.remove(key);
            }
            if (!running.add(key)) {
                again.add(key);
                return;
            }
            runningSince.put(key, System.nanoTime());
        }
        long start = System.nanoTime();
        boolean ok = false;
        Duration retry = null;
        try {
            key.reconciler().reconcile(key.key());
            ok = true;
        } catch (Throwable e) {
            if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) {
                fatal.accept(key + ": " + e);
                return;
            }
            int n;
            synchronized (this) {
                if (closed) {
                    return; // interrupted by close(): nothing to retry, nothing to warn of
                }
                n = failures.merge(key, 1, Integer::sum);
            }
            retry = max(backoff.delay(n), budget.reserve());
            if (e instanceof KubernetesClientException k && k.getCode() == 409) {
                // Written from a cache a moment behind the server: read again and retry, as client-go does.
                LOG.debug("{}: the object changed meanwhile; again in {} ms", key, retry.toMillis());
            } else {
                LOG.warn("{}: {} (attempt {}, again in {} ms)", key, message(e), n, retry.toMillis());
            }
            LOG.debug("{} failed", key, e);
        } finally {
            listener.reconciled(key.reconciler().name(), ok, System.nanoTime() - start);
            finished(key, ok, retry);
        }
    }

    private synchronized void finished(Key key, boolean ok, Duration retry) {
        running.remove(key);
        runningSince.remove(key);
        if (closed) {
            return;
        }
        long count = ++finishedCount;
        if (running.isEmpty()) {
            for (Quiet q : quiet) {
                if (q.check != null) {
                    q.check.cancel(false);
                }
                q.check = workers.schedule(() -> quietFor(q, count), q.after.toNanos(), TimeUnit.NANOSECONDS);
            }
        }
        if (ok) {
            failures.remove(key);
            ScheduledFuture<?> previous = resyncs.put(key,
                    workers.schedule(() -> enqueue(key.reconciler(), key.key()), resync.toNanos(), TimeUnit.NANOSECONDS));
            if (previous != null) {
                previous.cancel(false);
            }
        }
        if (again.remove(key)) {
            schedule(key, Duration.ZERO);
        } else if (retry != null) {
            schedule(key, retry);
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    /**
     * Runs {@code action} on a worker once nothing has run for {@code quiet} after reconciles, and again after each later
     * busy spell: for what is best done while nothing waits (the daemon gives back the heap a pass used).
     */
    public synchronized void whenQuiet(Duration quiet, Runnable action) {
        this.quiet.add(new Quiet(quiet, action));
    }

    private void quietFor(Quiet q, long count) {
        synchronized (this) {
            if (closed || finishedCount != count || !running.isEmpty()) {
                return; // busy again meanwhile: the next finish counts afresh
            }
        }
        try {
            q.action.run();
        } catch (RuntimeException e) {
            LOG.warn("after the reconciles: {}", message(e));
        }
    }

    /** An action for a quiet spell of {@code after}, and its check scheduled from the last finish. */
    private static final class Quiet {
        final Duration after;
        final Runnable action;
        ScheduledFuture<?> check;

        Quiet(Duration after, Runnable action) {
            this.after = after;
            this.action = action;
        }
    }

    /** The key that has been reconciling longer than {@code limit}, with for how long; null when none has. */
    public synchronized String stalled(Duration limit) {
        long now = System.nanoTime();
        return runningSince.entrySet().stream().filter(e -> now - e.getValue() > limit.toNanos())
                .min(Map.Entry.comparingByValue())
                .map(e -> e.getKey() + " has been reconciling for " + Duration.ofNanos(now - e.getValue()).toSeconds() + " s")
                .orElse(null);
    }

    /** Keys waiting to run, now or after a back-off, for metrics. */
    public synchronized int depth() {
        return queued.size();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        workers.shutdownNow();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A token bucket over all retries together (client-go's default is 10 a second after a burst of 100): each retry
     * takes the next free slot, which is now while the burst lasts.
     */
    static final class RetryBudget {
        private final long interval;
        private final long burst;
        private long theoreticalArrival;

        RetryBudget(double perSecond, int burst) {
            this.interval = (long) (1e9 / perSecond);
            this.burst = burst;
            this.theoreticalArrival = System.nanoTime();
        }

        /** How long the next retry must wait for its slot; takes the slot. */
        synchronized Duration reserve() {
            long now = System.nanoTime();
            theoreticalArrival = Math.max(theoreticalArrival, now);
            long wait = theoreticalArrival - now - (burst - 1) * interval;
            theoreticalArrival += interval;
            return Duration.ofNanos(Math.max(0, wait));
        }
    }
}
