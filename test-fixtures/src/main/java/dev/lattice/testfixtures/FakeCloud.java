package dev.lattice.testfixtures;

import dev.lattice.engine.bootstrap.BootstrapCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Infrastructure for install and uninstall tests without Docker: every bootstrap cluster and every cluster that
 * Cluster API "provisions" is a real kube-apiserver (envtest), and {@link FakeCapi} plays the controllers in each.
 * A bootstrap cluster is started on create and stopped on delete; a provisioned cluster is stopped when its
 * Cluster is deleted, as a provider would delete its machines.
 */
public final class FakeCloud implements AutoCloseable {
    private record Running(Envtest server, FakeCapi.Controller controller) {
        void stop() {
            controller.close();
            server.close();
        }
    }

    private final Map<String, Running> bootstraps = new ConcurrentHashMap<>();
    private final Map<String, Running> workloads = new ConcurrentHashMap<>();
    private final AtomicInteger bootstrapsCreated = new AtomicInteger();

    /** Bootstrap clusters by name, as {@code lattice install} asks for them. */
    public Function<String, BootstrapCluster> bootstraps() {
        return name -> new BootstrapCluster() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String describe() {
                return "envtest cluster " + name;
            }

            @Override
            public boolean exists() {
                return bootstraps.containsKey(name);
            }

            @Override
            public String create(Duration timeout) {
                return kubeconfig(bootstraps.computeIfAbsent(name, n -> {
                    bootstrapsCreated.incrementAndGet();
                    return start();
                }).server());
            }

            @Override
            public void delete() {
                Running running = bootstraps.remove(name);
                if (running != null) {
                    running.stop();
                }
            }
        };
    }

    /**
     * A cluster that exists before the test's install, with the fake controllers running (for
     * {@code --bootstrap-kubeconfig}); stopped on close.
     */
    public Envtest existing() {
        Running running = start();
        bootstraps.put("existing-" + running.server().kubeconfig(), running);
        return running.server();
    }

    /** Starts a server with its own controller; usable as a management cluster of its own. */
    private Running start() {
        Envtest server = Envtest.start();
        FakeCapi.Controller controller = new FakeCapi(server.client()).control(
                cluster -> kubeconfig(workloads.computeIfAbsent(cluster, c -> start()).server()),
                cluster -> {
                    Running gone = workloads.remove(cluster);
                    if (gone != null) {
                        gone.stop();
                    }
                });
        return new Running(server, controller);
    }

    private static String kubeconfig(Envtest server) {
        try {
            return Files.readString(server.kubeconfig());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cluster provisioned for {@code name}, while it exists. */
    public Optional<Envtest> workload(String name) {
        return Optional.ofNullable(workloads.get(name)).map(Running::server);
    }

    /** Bootstrap clusters running now. */
    public int bootstrapsRunning() {
        return bootstraps.size();
    }

    /** Bootstrap clusters created so far. */
    public int bootstrapsCreated() {
        return bootstrapsCreated.get();
    }

    /** Anything the controllers could not do, besides the conflicts they retry. */
    public List<Throwable> failures() {
        List<Throwable> all = new ArrayList<>();
        bootstraps.values().forEach(r -> all.addAll(r.controller().failures()));
        workloads.values().forEach(r -> all.addAll(r.controller().failures()));
        return all;
    }

    @Override
    public void close() {
        bootstraps.values().forEach(Running::stop);
        workloads.values().forEach(Running::stop);
        bootstraps.clear();
        workloads.clear();
    }
}
