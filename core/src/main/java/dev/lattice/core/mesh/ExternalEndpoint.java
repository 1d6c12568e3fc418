package dev.lattice.core.mesh;

import java.net.URI;
import java.util.Locale;
import java.util.Map;

/**
 * One endpoint of an external service, read from its URL ({@code https://api.stripe.com:443}): the host,
 * the port (the scheme's default when none is written) and the protocol Istio should see on the wire.
 */
record ExternalEndpoint(String name, String host, int port, String istioProtocol, boolean ipAddress) {
    private static final Map<String, Integer> DEFAULT_PORTS = Map.of("https", 443, "tls", 443, "http", 80, "grpc", 443);
    /** What the mesh sees: an https client speaks TLS through it, so Istio must treat the bytes as TLS. */
    private static final Map<String, String> PROTOCOLS = Map.of("https", "TLS", "tls", "TLS", "http", "HTTP", "grpc", "GRPC", "tcp", "TCP");

    /** Reads a URL the parser has already checked (a known scheme and a host). */
    static ExternalEndpoint of(String name, String url) {
        URI uri = URI.create(url);
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        boolean ipv6 = host.startsWith("[");
        if (ipv6) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : DEFAULT_PORTS.getOrDefault(scheme, 443);
        return new ExternalEndpoint(name, host.toLowerCase(Locale.ROOT), port, PROTOCOLS.get(scheme), ipv6 || isIpv4(host));
    }

    /** The CIDR of an IP-address endpoint: the one address. */
    String cidr() {
        return host + (host.contains(":") ? "/128" : "/32");
    }

    private static boolean isIpv4(String host) {
        return host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }
}
