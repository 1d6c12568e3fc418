package dev.lattice.daemon.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP or HTTPS port of the daemon, on Jetty, whose reads do not block: a client that connects and stalls holds a
 * socket, never a thread. {@link Limits} bound what each client may take: its connections from one address, how long
 * a connection may stay idle or open at all, and how large a request may be.
 */
public final class HttpEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoint.class);

    /**
     * What one client may take of an endpoint.
     *
     * @param idleTimeout          a connection that sends or reads nothing this long is closed
     * @param connectionTime       a connection is closed this long after it opened, whatever it does (slow drips)
     * @param connectionsPerSource connections one address may hold open at once; more are closed on arrival
     * @param connections          connections all clients may hold open at once
     * @param maxBody              the largest request body, in bytes
     */
    public record Limits(Duration idleTimeout, Duration connectionTime, int connectionsPerSource, int connections, int maxBody) {
        /** A request takes one connection for well under a second; the clients (nodes, kubelets, Prometheus) retry. */
        public static final Limits DEFAULT = new Limits(Duration.ofSeconds(10), Duration.ofSeconds(30), 8, 1024, 64 * 1024);
    }

    private final String name;
    private final Limits limits;
    private final Server server;
    private final ServerConnector connector;

    /**
     * Serves {@code handler} on {@code port} (0: any free one), over TLS when {@code tls} is not null. {@code name}
     * names the endpoint in logs and thread names.
     */
    public HttpEndpoint(String name, int port, SslContextFactory.Server tls, Limits limits, Handler handler) throws IOException {
        this.name = name;
        this.limits = limits;
        QueuedThreadPool threads = new QueuedThreadPool(32, 4);
        threads.setName(name);
        threads.setDaemon(true);
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setRequestHeaderSize(8 * 1024);
        http.setIdleTimeout(limits.idleTimeout().toMillis());
        HttpConnectionFactory plain = new HttpConnectionFactory(http);
        if (tls != null) {
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            // Clients reach the daemon by IP address, which a TLS client does not send as SNI.
            secure.setSniHostCheck(false);
            http.addCustomizer(secure);
            connector = new ServerConnector(server, 1, 1, new SslConnectionFactory(tls, "http/1.1"), plain);
        } else {
            connector = new ServerConnector(server, 1, 1, plain);
        }
        connector.setPort(port);
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        connector.addEventListener(new ConnectionGuard());
        server.addConnector(connector);
        server.setHandler(handler);
        try {
            server.start();
        } catch (Exception e) {
            close();
            throw new IOException("cannot serve " + name + " on port " + port + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return connector.getLocalPort();
    }

    public Limits limits() {
        return limits;
    }

    /** Answers with {@code body} as {@code contentType} and completes the request. */
    public static void reply(Response response, Callback callback, int code, String contentType, byte[] body) {
        response.setStatus(code);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /** Answers with plain text. */
    public static void text(Response response, Callback callback, int code, String body) {
        reply(response, callback, code, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Counts each client's sockets (the connection right on the socket: TLS where there is TLS) and closes those over
     * the limits, and any connection still open when its time is up.
     */
    private final class ConnectionGuard implements Connection.Listener {
        private final Map<InetAddress, AtomicInteger> perSource = new ConcurrentHashMap<>();
        private final AtomicInteger open = new AtomicInteger();
        /** Each counted connection's source (its socket has no address once closed) and when its time is up. */
        private final Map<Connection, Tracked> tracked = new ConcurrentHashMap<>();

        private record Tracked(InetAddress source, Scheduler.Task deadline) {
        }

        @Override
        public void onOpened(Connection connection) {
            if (!(connection.getEndPoint() instanceof SocketChannelEndPoint)
                    || !(connection.getEndPoint().getRemoteSocketAddress() instanceof InetSocketAddress remote)) {
                return;
            }
            InetAddress source = remote.getAddress();
            int fromSource = perSource.computeIfAbsent(source, a -> new AtomicInteger()).incrementAndGet();
            int all = open.incrementAndGet();
            boolean over = fromSource > limits.connectionsPerSource() || all > limits.connections();
            Scheduler.Task deadline = over ? null : connector.getScheduler().schedule(() -> connection.getEndPoint().close(),
                    limits.connectionTime().toMillis(), TimeUnit.MILLISECONDS);
            tracked.put(connection, new Tracked(source, deadline));
            if (over) {
                if (fromSource == limits.connectionsPerSource() + 1 || all == limits.connections() + 1) {
                    LOG.warn("{}: closing new connections from {}: it holds {} (at most {}), all clients {} (at most {})", name,
                            source.getHostAddress(), fromSource - 1, limits.connectionsPerSource(), all - 1, limits.connections());
                }
                connection.getEndPoint().close();
            }
        }

        @Override
        public void onClosed(Connection connection) {
            Tracked t = tracked.remove(connection);
            if (t == null) {
                return;
            }
            if (t.deadline() != null) {
                t.deadline().cancel();
            }
            open.decrementAndGet();
            perSource.computeIfPresent(t.source(), (a, n) -> n.decrementAndGet() <= 0 ? null : n);
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("stopping {}: {}", name, e.getMessage());
        }
    }
}
