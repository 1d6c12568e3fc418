package dev.lattice.daemon.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * {@code /healthz} (the process answers), {@code /readyz} (its caches are filled; a standby replica is ready too,
 * so a rollout does not wait on the Lease) and {@code /metrics} (Prometheus text format), on one plain HTTP port.
 */
final class HealthServer implements AutoCloseable {
    private final HttpServer server;

    HealthServer(int port, BooleanSupplier ready, Metrics metrics) throws IOException {
        server = HttpServer.create(new InetSocketAddress(port), 8);
        server.createContext("/healthz", e -> text(e, 200, "ok\n"));
        server.createContext("/readyz", e -> {
            boolean r = ready.getAsBoolean();
            text(e, r ? 200 : 503, r ? "ok\n" : "caches not synced yet\n");
        });
        server.createContext("/metrics", e -> {
            try (e) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                metrics.write(out);
                e.getResponseHeaders().set("Content-Type", metrics.contentType());
                e.sendResponseHeaders(200, out.size());
                out.writeTo(e.getResponseBody());
            }
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void text(HttpExchange e, int code, String body) throws IOException {
        try (e) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            e.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            e.sendResponseHeaders(code, bytes.length);
            e.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
