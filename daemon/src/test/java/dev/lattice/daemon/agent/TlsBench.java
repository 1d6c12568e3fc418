package dev.lattice.daemon.agent;

import dev.lattice.engine.crypto.Crypto;
import dev.lattice.proto.agent.v1.AgentMessage;
import dev.lattice.proto.agent.v1.AgentServiceGrpc;
import dev.lattice.proto.agent.v1.CommandResult;
import dev.lattice.proto.agent.v1.ParentCommand;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.Test;

/**
 * Not part of the test run (no *Test/*IT name): what FIPS mode costs on the agent's channels, FIPS against the JDK's
 * own providers, each in a JVM of its own (the mode is the whole process's), alternating, in one run. Per mode: TLS
 * handshakes over loopback (a new connection each, P-256 certificates, mutual authentication as the agent stream has
 * it), and the agent stream itself (gRPC on Netty with the agent's TLS): 1 KiB commands sent and answered on one
 * stream. Run: {@code ./mvnw -B -o -pl daemon verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=TlsBench}.
 */
class TlsBench {
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);

    @Test
    void fipsAgainstTheJdksProviders() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (boolean fips : List.of(true, false)) {
                Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                        "-cp", System.getProperty("java.class.path"), TlsBench.class.getName(), String.valueOf(fips))
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String out = new String(p.getInputStream().readAllBytes()).trim();
                if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                    throw new AssertionError("the bench's JVM failed: " + out);
                }
                lines.add(out);
            }
        }
        System.out.println("mode      handshake ms (median, p90)   stream: commands/s   MB/s");
        lines.forEach(System.out::println);
    }

    public static void main(String[] args) throws Exception {
        boolean fips = Boolean.parseBoolean(args[0]);
        if (fips) {
            Crypto.enterFips();
        }
        Pki.Identity ca = Pki.newAuthority("bench-ca");
        X509KeyManager serving = Pki.keyManager(Pki.serverCertificate(ca, List.of("127.0.0.1", "localhost")));
        Pki.KeyPairAndRequest request = Pki.signingRequest("bench-child");
        Pki.Identity child = new Pki.Identity(Pki.clientCertificate(ca, request.csrPem(), "bench-child"), request.keyPem());
        double[] handshakes = handshakes(ca, serving, child, 100, 400);
        double[] stream = stream(ca, serving, child, 5_000, 40_000, 1024);
        System.out.println(String.format(Locale.ROOT, "%-9s %6.2f, %6.2f                 %9.0f          %6.1f", fips ? "fips" : "standard",
                handshakes[0], handshakes[1], stream[0], stream[1]));
    }

    /** Median and 90th percentile of {@code count} handshakes (after {@code warm} unmeasured), ms. */
    private static double[] handshakes(Pki.Identity ca, X509KeyManager serving, Pki.Identity child, int warm, int count) throws Exception {
        SSLServerSocket server = (SSLServerSocket) Pki.tls(serving, ca.certificatePem()).getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        server.setNeedClientAuth(true);
        server.setEnabledProtocols(Crypto.PROTOCOLS.toArray(String[]::new));
        server.setEnabledCipherSuites(Crypto.suites().toArray(String[]::new));
        CompletableFuture<Void> serving1 = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < warm + count; i++) {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                    s.setTcpNoDelay(true); // else delayed ACKs, not cryptography, set the pace (40 ms a handshake)
                    s.startHandshake();
                    OutputStream out = s.getOutputStream();
                    out.write(1);
                    out.flush();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        var clientContext = Pki.tls(child, ca.certificatePem());
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < warm + count; i++) {
            long start = System.nanoTime();
            try (SSLSocket s = (SSLSocket) clientContext.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                s.setTcpNoDelay(true);
                s.setSSLParameters(Crypto.parameters());
                s.startHandshake();
                InputStream in = s.getInputStream();
                if (in.read() != 1) {
                    throw new IllegalStateException("no byte after the handshake");
                }
            }
            if (i >= warm) {
                times.add((System.nanoTime() - start) / 1e6);
            }
        }
        serving1.get(1, TimeUnit.MINUTES);
        server.close();
        times.sort(Double::compare);
        return new double[] {times.get(times.size() / 2), times.get(times.size() * 9 / 10)};
    }

    /** Commands per second and MB/s over one agent stream: {@code count} commands of {@code size} bytes, each answered. */
    private static double[] stream(Pki.Identity ca, X509KeyManager serving, Pki.Identity child, int warm, int count, int size) throws Exception {
        Server server = NettyServerBuilder.forPort(0).sslContext(AgentTls.server(serving, ca.certificatePem()))
                .addService(new AgentServiceGrpc.AgentServiceImplBase() {
                    @Override
                    public StreamObserver<AgentMessage> connect(StreamObserver<ParentCommand> out) {
                        return new StreamObserver<>() {
                            @Override
                            public void onNext(AgentMessage message) {
                                out.onNext(ParentCommand.newBuilder().setId(message.getResult().getMessage()).build());
                            }

                            @Override
                            public void onError(Throwable t) {
                            }

                            @Override
                            public void onCompleted() {
                                out.onCompleted();
                            }
                        };
                    }
                }).build().start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
                .sslContext(AgentTls.client(child, ca.certificatePem())).build();
        String payload = "x".repeat(size);
        try {
            run(channel, payload, warm);
            long start = System.nanoTime();
            run(channel, payload, count);
            double seconds = (System.nanoTime() - start) / 1e9;
            return new double[] {count / seconds, 2.0 * count * size / seconds / 1e6};
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static void run(ManagedChannel channel, String payload, int count) throws InterruptedException {
        CountDownLatch answered = new CountDownLatch(count);
        AtomicInteger wrong = new AtomicInteger();
        StreamObserver<AgentMessage> out = AgentServiceGrpc.newStub(channel).connect(new StreamObserver<>() {
            @Override
            public void onNext(ParentCommand command) {
                if (command.getId().length() != payload.length()) {
                    wrong.incrementAndGet();
                }
                answered.countDown();
            }

            @Override
            public void onError(Throwable t) {
                while (answered.getCount() > 0) {
                    wrong.incrementAndGet();
                    answered.countDown();
                }
            }

            @Override
            public void onCompleted() {
            }
        });
        AgentMessage message = AgentMessage.newBuilder().setResult(CommandResult.newBuilder().setMessage(payload)).build();
        for (int i = 0; i < count; i++) {
            out.onNext(message);
        }
        if (!answered.await(5, TimeUnit.MINUTES) || wrong.get() > 0) {
            throw new IllegalStateException("the stream lost " + wrong.get() + " answers");
        }
        out.onCompleted();
    }
}
