package dev.lattice.engine.warm;

import dev.lattice.core.LatticeException;
import dev.lattice.engine.crypto.Crypto;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * The Proxmox VE API, as far as warm pools use it: a VM's snapshots, taking one, rolling back to one, and the tasks that
 * do so. Reached with an API token (Cluster API's Proxmox provider's variables: {@code PROXMOX_URL},
 * {@code PROXMOX_TOKEN} as {@code user@realm!tokenid}, {@code PROXMOX_SECRET}) over TLS that is always verified: against
 * the JDK's certificate authorities, or against those of {@code PROXMOX_CA_PEM} alone where it is set (a Proxmox with
 * its own CA). The token is never part of a message.
 */
public final class ProxmoxApi {
    public static final String URL = "PROXMOX_URL";
    public static final String TOKEN = "PROXMOX_TOKEN";
    public static final String SECRET = "PROXMOX_SECRET";
    public static final String CA = "PROXMOX_CA_PEM";
    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    private static final Duration POLL = Duration.ofMillis(500);

    /** A VM: the Proxmox node it runs on and its id. */
    public record Vm(String node, long id) {
        @Override
        public String toString() {
            return "VM " + id + " on " + node;
        }
    }

    /** What a Proxmox is reached with: where, and the token; equal for equal variables. */
    public record Endpoint(URI base, String token, String secret, String ca) {
        @Override
        public String toString() {
            return base.toString(); // never the token
        }
    }

    private final Endpoint endpoint;
    private final HttpClient http;
    private final Duration timeout;

    /** The API at {@code endpoint}, waiting at most {@code timeout} for one task. */
    public ProxmoxApi(Endpoint endpoint, Duration timeout) {
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).sslContext(trust(endpoint.ca()))
                .sslParameters(Crypto.parameters()).build();
    }

    /** The API the variables name; refused, saying which are missing or wrong, when they do not name one. */
    public static Endpoint endpoint(Function<String, String> variables) {
        List<String> missing = new ArrayList<>();
        for (String name : List.of(URL, TOKEN, SECRET)) {
            String value = variables.apply(name);
            if (value == null || value.isBlank()) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new LatticeException("Snapshot resets reach the Proxmox API with " + String.join(", ", missing)
                    + ", which neither the pool's credentials Secret nor the daemon's environment sets",
                    "set " + URL + " (as https://pve.example:8006), " + TOKEN + " (user@realm!tokenid) and " + SECRET
                            + " in the Secret the pool's credentialsRef names, as for lattice install");
        }
        String url = variables.apply(URL).strip();
        URI base;
        try {
            base = URI.create(url.replaceAll("/+$", "").replaceAll("/api2/json$", "") + "/api2/json/");
        } catch (IllegalArgumentException e) {
            throw new LatticeException(URL + " is not a URL: " + e.getMessage(), "as https://pve.example:8006");
        }
        if (!"https".equals(base.getScheme()) || base.getHost() == null) {
            throw new LatticeException(URL + " must be an https URL with a host, not " + url,
                    "the API token is sent only over verified TLS: use https://HOST:8006, and " + CA + " for a Proxmox with its own CA");
        }
        return new Endpoint(base, variables.apply(TOKEN).strip(), variables.apply(SECRET).strip(), variables.apply(CA));
    }

    /** TLS of the process's mode ({@link Crypto}) trusting the JDK's authorities, or only those of {@code pem} when given. */
    private static SSLContext trust(String pem) {
        if (pem == null || pem.isBlank()) {
            return Crypto.context(null, Crypto.trustingTheJdksAuthorities());
        }
        List<X509Certificate> roots = new ArrayList<>();
        try {
            for (Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                roots.add((X509Certificate) c);
            }
        } catch (GeneralSecurityException e) {
            throw new LatticeException(CA + " is not a PEM bundle of certificates: " + e.getMessage(), null);
        }
        if (roots.isEmpty()) {
            throw new LatticeException(CA + " holds no certificate", "give the PEM of the CA that signed the Proxmox API's certificate");
        }
        return Crypto.context(null, Crypto.trusting(roots));
    }

    /** The names of the VM's snapshots (without {@code current}, which Proxmox lists for the running state). */
    public List<String> snapshots(Vm vm) {
        Object data = call("GET", vm(vm) + "/snapshot", null);
        List<String> names = new ArrayList<>();
        if (data instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m && m.get("name") instanceof String name && !"current".equals(name)) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /** Starts a snapshot of the VM's disks; returns its task. */
    public String snapshot(Vm vm, String name, String description) {
        return task(call("POST", vm(vm) + "/snapshot", Map.of("snapname", name, "description", description, "vmstate", "0")));
    }

    /** Starts rolling the VM back to the snapshot, and starting it after; returns the task. */
    public String rollback(Vm vm, String name) {
        return task(call("POST", vm(vm) + "/snapshot/" + encode(name) + "/rollback", Map.of("start", "1")));
    }

    /** Waits until the task on {@code node} ends; refused when it fails or is still running after the timeout. */
    public void await(String node, String task, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Object data = call("GET", "nodes/" + encode(node) + "/tasks/" + encode(task) + "/status", null);
            if (data instanceof Map<?, ?> status && "stopped".equals(status.get("status"))) {
                Object exit = status.get("exitstatus");
                if (!"OK".equals(exit)) {
                    throw new LatticeException(what + " failed on Proxmox node " + node + ": " + exit, null);
                }
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new LatticeException(what + " did not finish on Proxmox node " + node + " within " + timeout.toSeconds() + " s", null);
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LatticeException(what + " was interrupted while waiting for its task", null);
            }
        }
    }

    private static String vm(Vm vm) {
        return "nodes/" + encode(vm.node()) + "/qemu/" + vm.id();
    }

    private static String task(Object data) {
        if (data instanceof String upid && !upid.isBlank()) {
            return upid;
        }
        throw new LatticeException("the Proxmox API answered without a task id", null);
    }

    /** One request; returns the answer's {@code data}. */
    private Object call(String method, String path, Map<String, String> form) {
        URI uri = endpoint.base().resolve(path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Authorization", "PVEAPIToken=" + endpoint.token() + "=" + endpoint.secret());
        if (form == null) {
            request.GET();
        } else {
            request.header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(formBody(form)));
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new LatticeException("cannot reach the Proxmox API at " + endpoint + ": " + Objects.requireNonNullElse(e.getMessage(), e.toString()),
                    e instanceof javax.net.ssl.SSLException ? "its certificate must be trusted: set " + CA + " to the CA that signed it" : null, 1, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LatticeException("interrupted while calling the Proxmox API at " + endpoint, null);
        }
        if (response.statusCode() / 100 != 2) {
            String hint = response.statusCode() == 401 ? "check " + TOKEN + " and " + SECRET
                    : response.statusCode() == 403 ? "the token needs VM.Snapshot and VM.Snapshot.Rollback (and VM.PowerMgmt) on the pool's VMs" : null;
            throw new LatticeException("the Proxmox API refused " + method + " " + uri.getPath() + " (HTTP " + response.statusCode() + ")"
                    + detail(response.body()), hint);
        }
        Object body;
        try {
            body = JSON.unmarshal(response.body(), Map.class);
        } catch (RuntimeException e) {
            throw new LatticeException("the Proxmox API at " + endpoint + " answered " + method + " " + uri.getPath()
                    + " with something that is not JSON" + detail(response.body()), "check that " + URL + " names the Proxmox API (port 8006)");
        }
        return body instanceof Map<?, ?> m ? m.get("data") : null;
    }

    private static String detail(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String text = body.strip().replaceAll("\\s+", " ");
        return ": " + (text.length() > 300 ? text.substring(0, 300) + "…" : text);
    }

    private static String formBody(Map<String, String> form) {
        StringBuilder out = new StringBuilder();
        form.forEach((k, v) -> out.append(out.isEmpty() ? "" : "&").append(encode(k)).append('=').append(encode(v)));
        return out.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
