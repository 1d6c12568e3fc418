package dev.lattice.daemon.runtime;

import dev.lattice.core.model.WarmPool;
import dev.lattice.daemon.reconciler.WarmMetrics;
import dev.lattice.daemon.reconciler.WorkQueue;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.DoubleSupplier;

/** The daemon's Prometheus metrics, in a registry of its own (no JVM-wide default registry). */
final class Metrics implements WorkQueue.Listener, WarmMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter reconciles = Counter.builder().name("lattice_reconcile_total")
            .help("Reconciles by controller and result").labelNames("controller", "result").register(registry);
    private final Histogram durations = Histogram.builder().name("lattice_reconcile_duration_seconds")
            .help("How long reconciles take").labelNames("controller").register(registry);

    private final Histogram claimLatency = Histogram.builder().name("lattice_warm_claim_latency_seconds")
            .help("From a ClusterClaim's creation to its cluster bound, with its kubeconfig handed out")
            .classicUpperBounds(0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800).register(registry);
    private final Histogram resetDuration = Histogram.builder().name("lattice_warm_reset_duration_seconds")
            .help("How long resets of warm clusters take, by result (clean: offered again)").labelNames("result")
            .classicUpperBounds(5, 15, 30, 60, 120, 300, 600, 1200).register(registry);
    private final Counter exhaustions = Counter.builder().name("lattice_warm_exhausted_total")
            .help("Times a warm pool began to keep claims waiting").labelNames("pool").register(registry);

    @Override
    public void claimBound(Duration latency) {
        claimLatency.observe(latency.toNanos() / 1e9);
    }

    @Override
    public void resetFinished(Duration took, boolean clean) {
        resetDuration.labelValues(clean ? "clean" : "failed").observe(took.toNanos() / 1e9);
    }

    @Override
    public void exhausted(String pool) {
        exhaustions.labelValues(pool).inc();
    }

    /** Clusters per warm pool and state, from each pool's last status. */
    void warmPools(Supplier<Map<String, WarmPool.Status>> statuses) {
        GaugeWithCallback.builder().name("lattice_warm_clusters").help("Clusters of each warm pool, by state").labelNames("pool", "state")
                .callback(cb -> statuses.get().forEach((pool, st) -> {
                    cb.call(n(st.available()), pool, WarmPool.State.AVAILABLE.wire());
                    cb.call(n(st.claimed()), pool, WarmPool.State.CLAIMED.wire());
                    cb.call(n(st.resetting()), pool, WarmPool.State.RESETTING.wire());
                    cb.call(n(st.provisioning()), pool, WarmPool.State.PROVISIONING.wire());
                    cb.call(n(st.error()), pool, WarmPool.State.ERROR.wire());
                })).register(registry);
    }

    private static double n(Integer count) {
        return count == null ? 0 : count;
    }

    @Override
    public void reconciled(String controller, boolean ok, long nanos) {
        reconciles.labelValues(controller, ok ? "success" : "error").inc();
        durations.labelValues(controller).observe(nanos / 1e9);
    }

    /** A counter read when scraped ({@code name} without {@code _total}, which is added). */
    void counter(String name, String help, DoubleSupplier value) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }

    /** A gauge read when scraped. */
    void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }

    String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    void write(OutputStream out) throws IOException {
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
    }
}
