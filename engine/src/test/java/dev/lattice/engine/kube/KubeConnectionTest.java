package dev.lattice.engine.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import org.junit.jupiter.api.Test;

/**
 * How a connection is configured. fabric8 reloads a kubeconfig before a request once a minute has passed since it last
 * found a token there; a kubeconfig that authenticates with a client certificate never has one, so without a token
 * provider that reload (a file read and a YAML parse) preceded every request.
 */
class KubeConnectionTest {
    private static Config kubeconfig(String user) {
        return Config.fromKubeconfig("""
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
                contexts: [{name: c, context: {cluster: c, user: u}}]
                current-context: c
                users: [{name: u, user: %s}]
                """.formatted(user));
    }

    @Test
    void aClientCertificateAloneHasNothingToRefresh() {
        assertThat(KubeConnection.certificateOnly(kubeconfig("{client-certificate-data: Y2VydA==, client-key-data: a2V5}"))).isTrue();
        assertThat(KubeConnection.certificateOnly(kubeconfig("{client-certificate: /etc/lattice/tls.crt, client-key: /etc/lattice/tls.key}")))
                .isTrue();
    }

    @Test
    void aTokenIsRefreshedAsFabric8Does() {
        assertThat(KubeConnection.certificateOnly(kubeconfig("{token: abc}"))).isFalse();
        assertThat(KubeConnection.certificateOnly(kubeconfig("{client-certificate-data: Y2VydA==, client-key-data: a2V5, token: abc}")))
                .isFalse();
        assertThat(KubeConnection.certificateOnly(kubeconfig("{username: ana, password: secret}"))).isFalse();
        assertThat(KubeConnection.certificateOnly(kubeconfig("{auth-provider: {name: oidc, config: {id-token: x}}}"))).isFalse();
    }
}
