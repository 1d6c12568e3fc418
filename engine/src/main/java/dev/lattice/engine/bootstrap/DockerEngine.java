package dev.lattice.engine.bootstrap;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.lattice.core.LatticeException;
import java.time.Duration;

/** The Docker engine the bootstrap clusters run in: {@code DOCKER_HOST}, else the local socket, as the docker CLI finds it. */
public final class DockerEngine {
    private DockerEngine() {
    }

    /** A client for the engine; nothing is contacted until it is used. */
    public static DockerClient client() {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        ZerodepDockerHttpClient http = new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(Duration.ofMinutes(10))
                .build();
        return DockerClientImpl.getInstance(config, http);
    }

    /** Where the engine is looked for. */
    public static String host() {
        return DefaultDockerClientConfig.createDefaultConfigBuilder().build().getDockerHost().toString();
    }

    /** Why no engine answers, or null when one does. */
    public static String absence() {
        try (DockerClient docker = client()) {
            docker.pingCmd().exec();
            return null;
        } catch (Exception e) {
            return "no Docker engine answers at " + host() + " (" + rootMessage(e) + ")";
        }
    }

    /** Fails, saying what to do, unless a Docker engine answers. */
    public static void require() {
        String absence = absence();
        if (absence != null) {
            throw new LatticeException("the bootstrap cluster needs Docker, and " + absence,
                    "start Docker (or point DOCKER_HOST at an engine), or give an existing cluster with --bootstrap-kubeconfig");
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
