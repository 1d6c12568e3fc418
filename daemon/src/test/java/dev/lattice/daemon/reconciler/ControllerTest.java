package dev.lattice.daemon.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ControllerTest {
    private static final Controller.Listener NONE = (c, ok, nanos) -> { };

    @Test
    void aFailingKeyIsRetriedUntilItSucceeds() {
        AtomicInteger calls = new AtomicInteger();
        List<Boolean> results = new CopyOnWriteArrayList<>();
        try (Controller c = new Controller(reconciler(key -> {
            if (calls.incrementAndGet() < 4) {
                throw new IllegalStateException("not yet");
            }
        }), Duration.ofHours(1), Duration.ofSeconds(1), (name, ok, nanos) -> results.add(ok))) {
            c.enqueue("k");
            await().atMost(Duration.ofSeconds(10)).until(() -> results.contains(true));
        }
        assertThat(results).containsExactly(false, false, false, true);
    }

    @Test
    void theBackOffDoublesUpToItsCapWithAtMostAQuarterOfJitter() {
        try (Controller c = new Controller(reconciler(key -> { }), Duration.ofHours(1), Duration.ofMillis(100), NONE)) {
            for (int n = 1; n <= 5; n++) {
                long base = 5L << (n - 1);
                assertThat(c.backoff(n).toMillis()).isBetween(base, base + base / 4);
            }
            assertThat(c.backoff(30).toMillis()).isBetween(100L, 125L);
        }
    }

    @Test
    void keysQueuedWhileOneRunsAreReconciledOnceAfterIt() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        try (Controller c = new Controller(reconciler(key -> {
            if (calls.incrementAndGet() == 1) {
                running.countDown();
                release.await(10, TimeUnit.SECONDS);
            }
        }), Duration.ofHours(1), Duration.ofSeconds(1), NONE)) {
            c.enqueue("k");
            running.await(10, TimeUnit.SECONDS);
            for (int i = 0; i < 50; i++) {
                c.enqueue("k");
            }
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 2 && c.depth() == 0);
            Thread.sleep(200);
            assertThat(calls).hasValue(2);
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
