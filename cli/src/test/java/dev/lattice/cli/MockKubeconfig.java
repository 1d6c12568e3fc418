package dev.lattice.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A kubeconfig for fabric8's mock server (context "mock", namespace default, a token that must never be printed). */
final class MockKubeconfig {
    /** The token in the kubeconfig: a test checks it never reaches the output. */
    static final String TOKEN = "not-a-real-secret";

    private MockKubeconfig() {
    }

    static Path write(Path dir, KubernetesClient client) throws IOException {
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "URL"}}]
                contexts: [{name: mock, context: {cluster: mock, user: tester, namespace: default}}]
                current-context: mock
                users: [{name: tester, user: {token: TOKEN}}]
                """.replace("URL", client.getConfiguration().getMasterUrl()).replace("TOKEN", TOKEN));
        return kubeconfig;
    }
}
