package dev.lattice.testfixtures;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A Proxmox VE API over HTTPS on loopback, as far as snapshots go: a VM's snapshot list, taking a snapshot, rolling back
 * to one (and starting the VM), each as a task that ends a moment later, and the tasks' status; requests without the
 * expected API token are refused (401). Its certificate is self-signed (made with the JDK's keytool), so a client trusts
 * it only through {@link #caPem()}. What a rollback does to the machine is the test's to play ({@link #onRollback}).
 */
public final class FakeProxmox implements AutoCloseable {
    public static final String TOKEN = "lattice@pve!warm";
    public static final String SECRET = "0f3c7a52-5c1e-4e43-9b7e-2f1d6a8e4b90";
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    /** A request as the server saw it: method, path under /api2/json, form fields. */
    public record Request(String method, String path, Map<String, String> form) {
    }

    /** A task: why it fails (null: it does not), and whether it has ended. */
    private record Task(String failure, AtomicBoolean ended) {
    }

    private final HttpsServer server;
    private final String caPem;
    private final Duration taskTime;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    /** Snapshots per VM, by {@code node/vmid}; a VM is known once added. */
    private final Map<String, Set<String>> vms = new ConcurrentHashMap<>();
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile BiConsumer<String, Long> onRollback = (node, vmid) -> { };
    private int taskCount;

    /** Starts the server; each task ends {@code taskTime} after it starts. */
    public FakeProxmox(Path dir, Duration taskTime) throws Exception {
        this.taskTime = taskTime;
        Path store = dir.resolve("proxmox.p12");
        keytool("-genkeypair", "-alias", "pve", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=pve.test",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit");
        Path pem = dir.resolve("proxmox.pem");
        keytool("-exportcert", "-rfc", "-alias", "pve", "-keystore", store.toString(), "-storepass", "changeit", "-file", pem.toString());
        caPem = Files.readString(pem);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/api2/json/", this::handle);
        server.start();
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("keytool failed: " + output);
        }
    }

    /** Where the API is, as {@code PROXMOX_URL} gives it. */
    public String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The server's certificate, the only one that vouches for it. */
    public String caPem() {
        return caPem;
    }

    /** The variables that reach this server, as a pool's credentials Secret holds them. */
    public Map<String, String> variables() {
        return Map.of("PROXMOX_URL", url(), "PROXMOX_TOKEN", TOKEN, "PROXMOX_SECRET", SECRET, "PROXMOX_CA_PEM", caPem);
    }

    /** Adds a VM, with no snapshots. */
    public void addVm(String node, long vmid) {
        vms.put(node + "/" + vmid, ConcurrentHashMap.newKeySet());
    }

    /** The VM's snapshots. */
    public Set<String> snapshots(String node, long vmid) {
        return Set.copyOf(vms.getOrDefault(node + "/" + vmid, Set.of()));
    }

    /** Deletes one of the VM's snapshots, as someone at Proxmox might. */
    public void deleteSnapshot(String node, long vmid, String name) {
        vms.get(node + "/" + vmid).remove(name);
    }

    /** What a rollback does to the machine, told once its task ends (node, VM id). */
    public void onRollback(BiConsumer<String, Long> action) {
        onRollback = action;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath().substring("/api2/json/".length());
            Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            requests.add(new Request(exchange.getRequestMethod(), decode(path), form));
            if (!("PVEAPIToken=" + TOKEN + "=" + SECRET).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                reply(exchange, 401, null);
                return;
            }
            String[] p = path.split("/");
            String method = exchange.getRequestMethod();
            if (p.length == 5 && p[0].equals("nodes") && p[2].equals("tasks") && p[4].equals("status") && method.equals("GET")) {
                Task task = tasks.get(decode(p[3]));
                if (task == null) {
                    reply(exchange, 500, null);
                } else if (!task.ended().get()) {
                    reply(exchange, 200, Map.of("status", "running"));
                } else {
                    reply(exchange, 200, Map.of("status", "stopped", "exitstatus", task.failure() == null ? "OK" : task.failure()));
                }
                return;
            }
            if (p.length < 5 || !p[0].equals("nodes") || !p[2].equals("qemu") || !p[4].equals("snapshot")) {
                reply(exchange, 501, null);
                return;
            }
            String node = decode(p[1]);
            long vmid = Long.parseLong(p[3]);
            Set<String> snapshots = vms.get(node + "/" + vmid);
            if (snapshots == null) {
                reply(exchange, 500, null, "Configuration file 'nodes/" + node + "/qemu-server/" + vmid + ".conf' does not exist");
                return;
            }
            if (p.length == 5 && method.equals("GET")) {
                List<Map<String, Object>> list = new ArrayList<>();
                snapshots.forEach(s -> list.add(Map.of("name", s)));
                list.add(Map.of("name", "current", "running", 1));
                reply(exchange, 200, list);
            } else if (p.length == 5 && method.equals("POST")) {
                String name = form.get("snapname");
                reply(exchange, 200, task(node, snapshots.contains(name) ? "snapshot name '" + name + "' already used" : null,
                        () -> snapshots.add(name)));
            } else if (p.length == 7 && p[6].equals("rollback") && method.equals("POST")) {
                String name = decode(p[5]);
                reply(exchange, 200, task(node, snapshots.contains(name) ? null : "snapshot '" + name + "' does not exist",
                        () -> onRollback.accept(node, vmid)));
            } else {
                reply(exchange, 501, null);
            }
        }
    }

    /**
     * A task on {@code node} that ends after the task time, failing with {@code failure}, or else having done
     * {@code done}; its UPID.
     */
    private synchronized String task(String node, String failure, Runnable done) {
        String upid = "UPID:" + node + ":0000" + (++taskCount) + ":00000001:6750A1B2:qmsnapshot:100:" + TOKEN + ":";
        Task task = new Task(failure, new AtomicBoolean());
        tasks.put(upid, task);
        timer.schedule(() -> {
            try {
                if (failure == null) {
                    done.run();
                }
            } finally {
                task.ended().set(true);
            }
        }, taskTime.toMillis(), TimeUnit.MILLISECONDS);
        return upid;
    }

    private static void reply(HttpExchange exchange, int code, Object data) throws IOException {
        reply(exchange, code, data, null);
    }

    private static void reply(HttpExchange exchange, int code, Object data, String message) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("data", data);
        if (message != null) {
            body.put("message", message);
        }
        byte[] bytes = JSON.asJson(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
            }
        }
        return out;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
        timer.shutdownNow();
    }
}
