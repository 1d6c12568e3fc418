package dev.lattice.engine.kube;

import dev.lattice.core.LatticeException;
import dev.lattice.core.model.Kind;
import dev.lattice.core.model.Pool;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.placement.Placement;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Utils;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A cluster reached the way kubectl would reach it: a kubeconfig file (or the default one) and an optional context.
 * The commands work through it and never hold a client of their own.
 */
public final class KubeConnection implements AutoCloseable {
    private final KubernetesClient client;

    private KubeConnection(KubernetesClient client) {
        this.client = client;
    }

    /** Connects as {@link #connect(Path, String, Duration)} does. */
    public static KubeConnection open(Path kubeconfig, String context, Duration timeout) {
        return new KubeConnection(connect(kubeconfig, context, timeout));
    }

    /** Connects as {@link #connect(Path, String)} does. */
    public static KubeConnection open(Path kubeconfig, String context) {
        return open(kubeconfig, context, null);
    }

    /** The client, for the engine's own classes. */
    public KubernetesClient client() {
        return client;
    }

    /** The cluster's pools, clusters and services, parsed as files are. */
    public Inputs inputs() {
        return LiveInputs.read(client);
    }

    /** The names of the objects of a kind, sorted. */
    public List<String> names(Kind kind) {
        return LiveInputs.names(client, kind);
    }

    /** Records each decision in its service's status; returns how many changed. */
    public int record(List<Placement> placements, Clock clock) {
        return new PlacementRecorder(client, clock).record(placements);
    }

    /** The API server's address and version, and the Lattice daemon's, if one runs. */
    public ServerVersion version() {
        return ServerVersion.read(client);
    }

    /** The pool's credentials from the Secret its credentialsRef names; none when it names none. */
    public Map<String, String> poolCredentials(Pool pool) {
        return PoolCredentials.read(client, pool);
    }

    @Override
    public void close() {
        client.close();
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
     * Whether {@code config} authenticates with a client certificate alone: no token (an exec plugin's or a token
     * file's would be there by now), no auth provider, no user and password.
     */
    static boolean certificateOnly(Config config) {
        return (config.getClientCertData() != null || config.getClientCertFile() != null)
                && Utils.isNullOrEmpty(config.getOauthToken()) && Utils.isNullOrEmpty(config.getAutoOAuthToken())
                && config.getOauthTokenProvider() == null
                && config.getAuthProvider() == null && config.getUsername() == null;
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
        if (certificateOnly(config)) {
            // fabric8 reloads the kubeconfig before a request once a minute has passed since it last found a token
            // there; with a client certificate it never finds one, so from then on it read and parsed the file (YAML)
            // before every request: at 5,000 services, a third of the daemon's allocation (ScaleBench). There is nothing to refresh
            // (the certificate is in the HTTP client already): a token provider that has none says so at no cost.
            config.setOauthTokenProvider(() -> null);
        }
        if (timeout != null) {
            config.setConnectionTimeout((int) timeout.toMillis());
            config.setRequestTimeout((int) timeout.toMillis());
            config.setRequestRetryBackoffLimit(0);
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
