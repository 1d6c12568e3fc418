package dev.lattice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.core.LatticeException;
import dev.lattice.core.model.Pool;
import dev.lattice.core.parse.Parser;
import dev.lattice.engine.kube.PoolCredentials;
import dev.lattice.testfixtures.Examples;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pool's credentials Secret, read from the cluster that holds it (fabric8's mock server, CRUD). */
@EnableKubernetesMockClient(crud = true, https = false)
class PoolCredentialsTest {
    private static final String AWS = Examples.dir().resolve("aws-production").toString();
    private static final String SECRET_VALUE = "W2RlZmF1bHRdCmF3c19hY2Nlc3Nfa2V5X2lk";

    KubernetesClient client;

    @TempDir
    Path dir;

    Pool pool;

    @BeforeEach
    void readThePool() {
        pool = Parser.read(List.of(AWS), new ByteArrayInputStream(new byte[0])).cloudPools().get(0);
    }

    private void storeTheSecret() {
        client.secrets().inNamespace("lattice-system").resource(new SecretBuilder().withNewMetadata().withName("aws-creds")
                .endMetadata().addToData("AWS_B64ENCODED_CREDENTIALS",
                        Base64.getEncoder().encodeToString(SECRET_VALUE.getBytes(StandardCharsets.UTF_8))).build()).create();
    }

    @Test
    void theSecretsValuesWinOverTheEnvironment() {
        storeTheSecret();
        Map<String, String> credentials = PoolCredentials.read(client, pool);
        assertThat(credentials).containsOnly(Map.entry("AWS_B64ENCODED_CREDENTIALS", SECRET_VALUE));
        Function<String, String> environment = PoolCredentials.over(
                Map.of("AWS_B64ENCODED_CREDENTIALS", "from-env", "AWS_REGION", "eu-west-1")::get, credentials);
        assertThat(environment.apply("AWS_B64ENCODED_CREDENTIALS")).isEqualTo(SECRET_VALUE);
        assertThat(environment.apply("AWS_REGION")).isEqualTo("eu-west-1");
    }

    @Test
    void aMissingSecretIsNamed() {
        assertThatThrownBy(() -> PoolCredentials.read(client, pool)).isInstanceOf(LatticeException.class)
                .hasMessageContaining("pool aws-prod names the credentials Secret lattice-system/aws-creds, and ");
    }

    @Test
    void installReadsThemAndNeverPrintsThem() throws Exception {
        storeTheSecret();
        Path kubeconfig = MockKubeconfig.write(dir, client);
        String before = System.getProperty("DOCKER_HOST");
        System.setProperty("DOCKER_HOST", "unix:///nonexistent/docker.sock");
        try {
            CliRun run = CliRun.of("install", "-f", AWS, "--pool-kubeconfig", kubeconfig.toString(),
                    "--kubeconfig-out", dir.resolve("out").toString());
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).contains("Credentials: 1 value from the Secret of pool aws-prod (AWS_B64ENCODED_CREDENTIALS)",
                    "needs Docker").doesNotContain(SECRET_VALUE, "not-a-real-secret");
        } finally {
            if (before == null) {
                System.clearProperty("DOCKER_HOST");
            } else {
                System.setProperty("DOCKER_HOST", before);
            }
        }
    }
}
