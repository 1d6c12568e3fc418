package dev.lattice.daemon.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WorkQueueTest {
    private static final WorkQueue.Listener NONE = (c, ok, nanos) -> { };
    private static final Backoff FAST = new Backoff(Duration.ofMillis(5), Duration.ofSeconds(1));

    private static WorkQueue queue(WorkQueue.Listener listener) {
        return new WorkQueue(2, Duration.ofHours(1), FAST, 1000, 100, listener, reason -> {
            throw new AssertionError("no reconcile here is fatal: " + reason);
        });
    }

    @Test
    void aFailingKeyIsRetriedUntilItSucceeds() {
        AtomicInteger calls = new AtomicInteger();
        List<Boolean> results = new CopyOnWriteArrayList<>();
        Reconciler r = reconciler(key -> {
            if (calls.incrementAndGet() < 4) {
                throw new IllegalStateException("not yet");
            }
        });
        try (WorkQueue q = queue((name, ok, nanos) -> results.add(ok))) {
            q.enqueue(r, "k");
            await().atMost(Duration.ofSeconds(10)).until(() -> results.contains(true));
        }
        assertThat(results).containsExactly(false, false, false, true);
    }

    @Test
    void theBackOffDoublesUpToItsCapDrawnFromTheUpperHalf() {
        Backoff b = new Backoff(Duration.ofMillis(8), Duration.ofMillis(100));
        for (int n = 1; n <= 4; n++) {
            long doubled = 8L << (n - 1);
            assertThat(b.delay(n).toNanos()).isBetween(doubled * 1_000_000 / 2, doubled * 1_000_000);
        }
        assertThat(b.delay(5).toMillis()).isBetween(50L, 100L);
        assertThat(b.delay(1000).toMillis()).as("no overflow however long it fails").isBetween(50L, 100L);
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void retriesOfAllKeysTogetherAreHeldToTheirRateAfterABurst() {
        WorkQueue.RetryBudget budget = new WorkQueue.RetryBudget(10, 3);
        for (int i = 0; i < 3; i++) {
            assertThat(budget.reserve()).as("within the burst").isZero();
        }
        Duration fourth = budget.reserve();
        Duration fifth = budget.reserve();
        assertThat(fourth.toMillis()).isBetween(50L, 100L);
        assertThat(fifth.minus(fourth).toMillis()).as("one slot each 100 ms").isBetween(95L, 105L);
    }

    @Test
    void keysQueuedWhileOneRunsAreReconciledOnceAfterIt() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger atOnce = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        Reconciler r = reconciler(key -> {
            mostAtOnce.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
            if (calls.incrementAndGet() == 1) {
                running.countDown();
                release.await(10, TimeUnit.SECONDS);
            }
            atOnce.decrementAndGet();
        });
        try (WorkQueue q = queue(NONE)) {
            q.enqueue(r, "k");
            running.await(10, TimeUnit.SECONDS);
            for (int i = 0; i < 50; i++) {
                q.enqueue(r, "k");
            }
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 2 && q.depth() == 0);
            Thread.sleep(200);
            assertThat(calls).hasValue(2);
            assertThat(mostAtOnce).as("one key is never reconciled twice at once").hasValue(1);
        }
    }

    @Test
    void aSlowKeyDoesNotHoldUpTheOthers() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> done = new CopyOnWriteArrayList<>();
        Reconciler slow = reconciler(key -> release.await(10, TimeUnit.SECONDS));
        Reconciler quick = reconciler(done::add);
        try (WorkQueue q = queue(NONE)) {
            q.enqueue(slow, "everything");
            q.enqueue(quick, "a");
            q.enqueue(quick, "b");
            await().atMost(Duration.ofSeconds(10)).until(() -> done.size() == 2);
            assertThat(done).containsExactlyInAnyOrder("a", "b");
            release.countDown();
        }
    }

    @Test
    void anErrorTheJvmCannotRecoverFromEndsTheProcessWhileAStackOverflowIsRetried() {
        List<String> fatal = new CopyOnWriteArrayList<>();
        List<Boolean> results = new CopyOnWriteArrayList<>();
        AtomicInteger deep = new AtomicInteger();
        Reconciler r = reconciler(key -> {
            if (key.equals("oom")) {
                throw new OutOfMemoryError("Java heap space");
            }
            if (deep.incrementAndGet() < 3) {
                throw new StackOverflowError();
            }
        });
        try (WorkQueue q = new WorkQueue(2, Duration.ofHours(1), FAST, 1000, 100, (name, ok, nanos) -> results.add(ok), fatal::add)) {
            q.enqueue(r, "deep");
            await().atMost(Duration.ofSeconds(10)).until(() -> results.contains(true));
            q.enqueue(r, "oom");
            await().atMost(Duration.ofSeconds(10)).until(() -> !fatal.isEmpty());
        }
        assertThat(fatal).singleElement().asString().contains("test oom", "OutOfMemoryError");
        assertThat(results).startsWith(false, false, true);
    }

    @Test
    void aReconcileThatRunsTooLongIsReportedAsStalledUntilItEnds() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Reconciler r = reconciler(key -> release.await());
        try (WorkQueue q = queue(NONE)) {
            assertThat(q.stalled(Duration.ZERO)).isNull();
            q.enqueue(r, "stuck");
            await().atMost(Duration.ofSeconds(10)).until(() -> q.stalled(Duration.ofMillis(50)) != null);
            assertThat(q.stalled(Duration.ofMillis(50))).startsWith("test stuck has been reconciling for");
            assertThat(q.stalled(Duration.ofHours(1))).isNull();
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> q.stalled(Duration.ZERO) == null);
        }
    }

    @Test
    void whatWaitsForQuietRunsOnceAfterEachBusySpellAndNeverWhileOneRuns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch fastDone = new CountDownLatch(1);
        AtomicInteger quiet = new AtomicInteger();
        Reconciler r = reconciler(key -> {
            if (key.equals("slow")) {
                release.await();
            } else {
                fastDone.countDown();
            }
        });
        try (WorkQueue q = queue(NONE)) {
            q.whenQuiet(Duration.ofMillis(50), quiet::incrementAndGet);
            q.enqueue(r, "slow");
            q.enqueue(r, "fast");
            assertThat(fastDone.await(10, TimeUnit.SECONDS)).isTrue();
            // One key has finished, another still runs: long past the quiet spell, nothing ran.
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> quiet.get() == 0);
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> quiet.get() == 1);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> quiet.get() == 1);
            q.enqueue(r, "fast");
            await().atMost(Duration.ofSeconds(10)).until(() -> quiet.get() == 2);
        }
    }

    interface Body {
        void run(String key) throws Exception;
    }

    private static Reconciler reconciler(Body body) {
        return new Reconciler() {
            @Override
            public String name() {
                return "test";
            }

            @Override
            public void reconcile(String key) throws Exception {
                body.run(key);
            }
        };
    }
}
