package dev.lattice.engine.bootstrap;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.Volume;
import dev.lattice.core.LatticeException;
import dev.lattice.engine.Interrupted;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A one-node k3s cluster in a Docker container, made through the Docker engine's API (docker-java), so no kind
 * binary is needed. Like the kind cluster, it mounts the Docker socket for CAPD.
 */
public final class K3sCluster implements BootstrapCluster {
    /** The pinned k3s image. */
    public static final String IMAGE = "rancher/k3s:v1.31.4-k3s1";
    static final String LABEL = "dev.lattice.bootstrap";
    private static final ExposedPort API = ExposedPort.tcp(6443);
    private static final String KUBECONFIG = "/etc/rancher/k3s/k3s.yaml";

    private final String name;

    public K3sCluster(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String describe() {
        return "k3s cluster " + name + " (Docker container)";
    }

    @Override
    public boolean exists() {
        DockerEngine.require();
        try (DockerClient docker = DockerEngine.client()) {
            return find(docker).isPresent();
        } catch (IOException e) {
            throw dockerFailure(e);
        }
    }

    @Override
    public String create(Duration timeout) {
        DockerEngine.require();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (DockerClient docker = DockerEngine.client()) {
            String id = find(docker).map(Container::getId).orElse(null);
            if (id == null) {
                if (docker.listImagesCmd().withImageNameFilter(IMAGE).exec().isEmpty()) {
                    docker.pullImageCmd(IMAGE).start().awaitCompletion();
                }
                Ports ports = new Ports();
                ports.bind(API, Ports.Binding.bindIp("127.0.0.1"));
                id = docker.createContainerCmd(IMAGE)
                        .withName(name)
                        .withLabels(Map.of(LABEL, name))
                        .withCmd("server", "--disable=traefik", "--disable=metrics-server", "--tls-san=127.0.0.1")
                        .withExposedPorts(API)
                        .withHostConfig(HostConfig.newHostConfig().withPrivileged(true).withPortBindings(ports)
                                .withBinds(new Bind("/var/run/docker.sock", new Volume("/var/run/docker.sock"))))
                        .exec().getId();
            }
            docker.startContainerCmd(id).exec();
        } catch (NotModifiedException alreadyRunning) {
            // started by an earlier run
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Interrupted();
        } catch (IOException e) {
            throw dockerFailure(e);
        }
        return waitForApi(deadline);
    }

    private String waitForApi(long deadline) {
        String last = "the container has not written its kubeconfig yet";
        while (System.nanoTime() < deadline) {
            try (DockerClient docker = DockerEngine.client()) {
                Container c = find(docker).orElseThrow(() -> new LatticeException(name + " disappeared while it started", null));
                String kubeconfig = read(docker, c.getId());
                if (kubeconfig.contains("server:")) {
                    Ports.Binding[] bindings = docker.inspectContainerCmd(c.getId()).exec().getNetworkSettings().getPorts()
                            .getBindings().get(API);
                    String port = bindings[0].getHostPortSpec();
                    String reachable = kubeconfig.replaceAll("server: https://[^\\s]+", "server: https://127.0.0.1:" + port)
                            .replace("name: default", "name: " + name).replace("cluster: default", "cluster: " + name)
                            .replace("user: default", "user: " + name).replace("current-context: default", "current-context: " + name);
                    try (KubernetesClient kube = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(reachable)).build()) {
                        kube.namespaces().withName("default").get();
                        return reachable;
                    } catch (RuntimeException notYet) {
                        last = "its API server does not answer yet";
                    }
                }
            } catch (IOException e) {
                last = e.getMessage();
            }
            Interrupted.sleep(Duration.ofSeconds(1));
        }
        throw new LatticeException("timed out waiting for " + describe() + ": " + last, "give it longer with --timeout");
    }

    private static String read(DockerClient docker, String id) {
        String exec = docker.execCreateCmd(id).withCmd("cat", KUBECONFIG).withAttachStdout(true).withAttachStderr(false).exec().getId();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            docker.execStartCmd(exec).exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                    out.writeBytes(frame.getPayload());
                }
            }).awaitCompletion();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Interrupted();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void delete() {
        try (DockerClient docker = DockerEngine.client()) {
            Optional<Container> c = find(docker);
            if (c.isPresent()) {
                docker.removeContainerCmd(c.get().getId()).withForce(true).withRemoveVolumes(true).exec();
            }
        } catch (NotFoundException gone) {
            // already deleted
        } catch (IOException e) {
            throw dockerFailure(e);
        }
    }

    private static LatticeException dockerFailure(IOException e) {
        return new LatticeException("cannot talk to Docker at " + DockerEngine.host() + ": " + e.getMessage(), null);
    }

    private Optional<Container> find(DockerClient docker) {
        List<Container> found = docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(LABEL, name)).exec();
        return found.stream().findFirst();
    }
}
