package dev.lattice.daemon.runtime;

import dev.lattice.daemon.reconciler.WorkQueue;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.DoubleSupplier;

/** The daemon's Prometheus metrics, in a registry of its own (no JVM-wide default registry). */
final class Metrics implements WorkQueue.Listener {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter reconciles = Counter.builder().name("lattice_reconcile_total")
            .help("Reconciles by controller and result").labelNames("controller", "result").register(registry);
    private final Histogram durations = Histogram.builder().name("lattice_reconcile_duration_seconds")
            .help("How long reconciles take").labelNames("controller").register(registry);

    @Override
    public void reconciled(String controller, boolean ok, long nanos) {
        reconciles.labelValues(controller, ok ? "success" : "error").inc();
        durations.labelValues(controller).observe(nanos / 1e9);
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
