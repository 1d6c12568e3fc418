package dev.lattice.engine.kube;

import dev.lattice.core.LatticeException;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Opens a client the way kubectl would: a kubeconfig file (or the default one) and an optional context. */
public final class KubeConnection {
    private KubeConnection() {
    }

    /**
     * The context names of a kubeconfig (or of $KUBECONFIG's files / ~/.kube/config), as kubectl lists them; none when
     * it cannot be read. For shell completion.
     */
    public static List<String> contextNames(Path kubeconfig) {
        try {
            Config config = kubeconfig != null ? Config.fromKubeconfig(null, kubeconfig.toFile()) : Config.autoConfigure(null);
            return config.getContexts() == null ? List.of()
                    : config.getContexts().stream().map(NamedContext::getName).filter(Objects::nonNull).sorted().distinct().toList();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /**
     * Whether kubectl would find a cluster without flags: a file $KUBECONFIG names (it may list several), else
     * ~/.kube/config, or a pod's service account.
     */
    public static boolean hasDefaultConfig() {
        String env = System.getProperty("kubeconfig", System.getenv("KUBECONFIG")); // as fabric8 reads it
        if (env != null && !env.isBlank()) {
            return Arrays.stream(env.split(File.pathSeparator)).anyMatch(f -> !f.isBlank() && Files.isReadable(Path.of(f)));
        }
        return Files.isReadable(Path.of(System.getProperty("user.home"), ".kube", "config"))
                || (System.getenv("KUBERNETES_SERVICE_HOST") != null
                && Files.isReadable(Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token")));
    }

    /**
     * @param kubeconfig a kubeconfig file, or null for $KUBECONFIG / ~/.kube/config
     * @param context    a context of that file, or null for its current context
     */
    public static KubernetesClient connect(Path kubeconfig, String context) {
        return connect(kubeconfig, context, null);
    }

    /** As {@link #connect(Path, String)}, with every connection and request bounded by {@code timeout} (none: null). */
    public static KubernetesClient connect(Path kubeconfig, String context, Duration timeout) {
        Config config;
        try {
            if (kubeconfig != null) {
                if (!Files.isReadable(kubeconfig)) {
                    throw new LatticeException("cannot read kubeconfig " + kubeconfig, "check the path given to --kubeconfig");
                }
                config = Config.fromKubeconfig(context, kubeconfig.toFile());
            } else {
                config = Config.autoConfigure(context);
            }
        } catch (LatticeException e) {
            throw e;
        } catch (RuntimeException e) {
            // The message may quote the file; never its credentials, which fabric8 does not put in messages.
            throw new LatticeException("cannot load the kubeconfig" + (context == null ? "" : " context " + context) + ": "
                    + e.getMessage(), "check --kubeconfig and --context (kubectl config get-contexts lists them)", 1, e);
        }
        if (context != null && config.getCurrentContext() != null && !context.equals(config.getCurrentContext().getName())) {
            throw new LatticeException("no context " + context + " in " + (kubeconfig == null ? "the kubeconfig" : kubeconfig),
                    "kubectl config get-contexts lists the contexts");
        }
        if (timeout != null) {
            config.setConnectionTimeout((int) timeout.toMillis());
            config.setRequestTimeout((int) timeout.toMillis());
            config.setRequestRetryBackoffLimit(0);
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
