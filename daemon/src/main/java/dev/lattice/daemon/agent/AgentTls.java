package dev.lattice.daemon.agent;

import dev.lattice.engine.crypto.Crypto;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509KeyManager;

/**
 * TLS of the agent stream, both ends: Netty on the JSSE provider of the process's {@link Crypto} mode (BCJSSE in FIPS
 * mode, never OpenSSL through netty-tcnative, which grpc-netty-shaded would otherwise prefer), its protocols and suites,
 * mutual authentication against the parent's agent authority alone.
 */
final class AgentTls {
    private AgentTls() {
    }

    /** The parent's side: presents what {@code serving} holds at each handshake, and requires a child certificate. */
    static SslContext server(X509KeyManager serving, String caPem) {
        return build(GrpcSslContexts.configure(SslContextBuilder.forServer(serving), Crypto.jsse()).clientAuth(ClientAuth.REQUIRE), caPem);
    }

    /** A child's side: presents its client certificate. */
    static SslContext client(Pki.Identity identity, String caPem) {
        return build(GrpcSslContexts.configure(SslContextBuilder.forClient(), Crypto.jsse()).keyManager(Pki.keyManager(identity)), caPem);
    }

    private static SslContext build(SslContextBuilder builder, String caPem) {
        try {
            return builder.trustManager(Pki.trustManager(caPem)).protocols(Crypto.PROTOCOLS).ciphers(Crypto.suites()).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up the agent stream's TLS: " + e.getMessage(), e);
        }
    }
}
