package dev.lattice.daemon.agent;

import dev.lattice.daemon.reconciler.Backoff;
import dev.lattice.daemon.reconciler.Fleet;
import dev.lattice.proto.agent.v1.AgentMessage;
import dev.lattice.proto.agent.v1.AgentReady;
import dev.lattice.proto.agent.v1.AgentServiceGrpc;
import dev.lattice.proto.agent.v1.Heartbeat;
import dev.lattice.proto.agent.v1.ParentCommand;
import dev.lattice.proto.agent.v1.ProtocolVersion;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child's connection to its parent. It dials out only: with the credentials {@link ParentCredentials} keeps it holds
 * one mutual-TLS stream open, sending what the {@link Reporter} says as heartbeats and handing the parent's commands to
 * {@link ParentCommands}. When the parent goes away it reconnects after the {@link Backoff}; the child's own
 * reconcilers never wait for it.
 */
public final class AgentClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentClient.class);

    /** What a child reports about itself in a heartbeat. */
    public interface Reporter {
        Heartbeat heartbeat();
    }

    private final ParentCredentials credentials;
    private final ParentCommands commands;
    private final Reporter reporter;
    private final Supplier<String> self;
    private final Fleet fleet;
    private final Duration heartbeatInterval;
    private final Backoff backoff;
    private final String version;
    private final Thread thread;
    private volatile boolean connected;
    private volatile boolean closed;
    private volatile ManagedChannel channel;
    /** When the agent's loop last went round (a heartbeat, a look for credentials, a reconnection), by nanoTime. */
    private volatile long lastRound = System.nanoTime();

    public AgentClient(ParentCredentials credentials, ParentCommands commands, Reporter reporter, Supplier<String> self,
                       Fleet fleet, Duration heartbeatInterval, Backoff backoff, String version) {
        this.credentials = credentials;
        this.commands = commands;
        this.reporter = reporter;
        this.self = self;
        this.fleet = fleet;
        this.heartbeatInterval = heartbeatInterval;
        this.backoff = backoff;
        this.version = version;
        this.thread = new Thread(this::run, "agent-client");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /**
     * Why the agent is not making progress: its loop has not gone round in {@code limit} (it waits at most a heartbeat
     * interval or a back-off between rounds), or its thread has ended; null while it is fine.
     */
    public String stalled(Duration limit) {
        if (closed || thread.getState() == Thread.State.NEW) {
            return null;
        }
        if (thread.getState() == Thread.State.TERMINATED) {
            return "the agent's thread has ended";
        }
        long quiet = System.nanoTime() - lastRound;
        return quiet > limit.toNanos() ? "the agent has not gone round its loop for " + Duration.ofNanos(quiet).toSeconds() + " s" : null;
    }

    /** Whether a stream to the parent is open and registered. */
    public boolean connected() {
        return connected;
    }

    private void run() {
        int failures = 0;
        while (!closed) {
            lastRound = System.nanoTime();
            long started = System.nanoTime();
            try {
                Map<String, String> parent = credentials.current();
                if (parent == null) {
                    failures = 0;
                    sleep(heartbeatInterval); // not a child (yet): look again later
                    continue;
                }
                stream(parent);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (!closed) {
                    LOG.warn("agent: {}", e.getMessage());
                }
            } finally {
                connected = false;
            }
            // A stream that lived a while was a success: start the back-off afresh.
            failures = System.nanoTime() - started > Duration.ofSeconds(30).toNanos() ? 1 : failures + 1;
            try {
                sleep(backoff.delay(failures));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void stream(Map<String, String> parent) throws Exception {
        channel = NettyChannelBuilder.forAddress(ParentCredentials.host(parent), Integer.parseInt(parent.get("grpcPort")))
                .sslContext(AgentTls.client(new Pki.Identity(parent.get("tls.crt"), parent.get("tls.key")), parent.get("ca.crt")))
                .keepAliveTime(30, TimeUnit.SECONDS).build();
        CountDownLatch done = new CountDownLatch(1);
        Throwable[] failure = new Throwable[1];
        StreamObserver<AgentMessage>[] out = new StreamObserver[1];
        try {
            out[0] = AgentServiceGrpc.newStub(channel).connect(new StreamObserver<>() {
                @Override
                public void onNext(ParentCommand command) {
                    commands.handle(command, reply -> {
                        synchronized (out) {
                            try {
                                out[0].onNext(reply);
                            } catch (RuntimeException e) {
                                // The stream closed under a proxied request's answer: the parent no longer waits for it.
                                LOG.debug("agent: cannot answer the parent: {}", e.getMessage());
                            }
                        }
                    });
                }

                @Override
                public void onError(Throwable t) {
                    failure[0] = t;
                    done.countDown();
                }

                @Override
                public void onCompleted() {
                    done.countDown();
                }
            });
            synchronized (out) {
                out[0].onNext(AgentMessage.newBuilder().setReady(AgentReady.newBuilder()
                        .setVersion(ProtocolVersion.newBuilder().setMajor(AgentServer.MAJOR).setMinor(AgentServer.MINOR))
                        .setClusterName(self.get()).setAgentVersion(version)).build());
            }
            while (!done.await(0, TimeUnit.MILLISECONDS) && !closed) {
                Heartbeat heartbeat = reporter.heartbeat().toBuilder().setSentAtMillis(System.currentTimeMillis()).build();
                synchronized (out) {
                    out[0].onNext(AgentMessage.newBuilder().setHeartbeat(heartbeat).build());
                }
                connected = true;
                lastRound = System.nanoTime();
                fleet.heartbeatSent(Instant.now());
                parent = credentials.renewIfDue(parent);
                done.await(heartbeatInterval.toMillis(), TimeUnit.MILLISECONDS);
            }
            if (failure[0] != null) {
                throw new IllegalStateException("the stream to the parent closed: " + failure[0].getMessage());
            }
        } finally {
            connected = false;
            commands.streamClosed();
            channel.shutdownNow();
        }
    }

    private void sleep(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        ManagedChannel c = channel;
        if (c != null) {
            c.shutdownNow();
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
