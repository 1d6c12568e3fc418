package dev.lattice.daemon.runtime;

import dev.lattice.daemon.http.HttpEndpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code /healthz} (the process answers and its reconcilers and agent make progress: 503 with why when not, so the
 * kubelet restarts it), {@code /readyz} (its caches are filled; a standby replica is ready too,
 * so a rollout does not wait on the Lease) and {@code /metrics} (Prometheus text format), on one plain HTTP port. It
 * is an {@link HttpEndpoint}, so clients that stall never keep the kubelet's probes from an answer.
 */
final class HealthServer implements AutoCloseable {
    private final HttpEndpoint endpoint;

    /** @param stalled why the daemon has stopped making progress, or null while it has not */
    HealthServer(int port, BooleanSupplier ready, Supplier<String> stalled, Metrics metrics) throws IOException {
        endpoint = new HttpEndpoint("daemon-http", port, null, HttpEndpoint.Limits.DEFAULT, new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws IOException {
                switch (request.getHttpURI().getPath()) {
                    case "/healthz" -> {
                        String why = stalled.get();
                        HttpEndpoint.text(response, callback, why == null ? 200 : 503, why == null ? "ok\n" : why + "\n");
                    }
                    case "/readyz" -> {
                        boolean r = ready.getAsBoolean();
                        HttpEndpoint.text(response, callback, r ? 200 : 503, r ? "ok\n" : "caches not synced yet\n");
                    }
                    case "/metrics" -> {
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        metrics.write(out);
                        HttpEndpoint.reply(response, callback, 200, metrics.contentType(), out.toByteArray());
                    }
                    default -> HttpEndpoint.text(response, callback, 404, "not found\n");
                }
                return true;
            }
        });
    }

    int port() {
        return endpoint.port();
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
