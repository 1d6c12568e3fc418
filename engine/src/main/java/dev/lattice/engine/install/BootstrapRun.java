package dev.lattice.engine.install;

import dev.lattice.core.capi.CapiVersions.Component;
import dev.lattice.engine.Interrupted;
import dev.lattice.engine.bootstrap.BootstrapCluster;
import dev.lattice.engine.components.Components;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * What install and uninstall share: checkpointed steps, and a bootstrap cluster that is created (or found again
 * when a run resumes) and deleted when the run ends, fails or is interrupted, unless it must be kept.
 */
abstract class BootstrapRun {
    static final String BOOTSTRAP = "bootstrap";
    static final String PROVIDERS = "providers";

    final RunState state;
    final Progress progress;
    final RunOptions options;
    final BootstrapCluster bootstrap;
    final Components components;
    final Function<String, String> environment;
    private ManagementCluster management;

    BootstrapRun(RunState state, Function<String, BootstrapCluster> bootstraps, Components components,
                 Function<String, String> environment, RunOptions options, Progress progress) {
        this.state = state;
        this.progress = progress;
        this.options = options;
        this.components = components;
        this.environment = environment;
        this.bootstrap = bootstraps.apply(BootstrapCluster.NAME_PREFIX + state.runId());
    }

    /** The run's id: a new one, or the one resumed. */
    public final String runId() {
        return state.runId();
    }

    /** Where the run keeps its state (and the kubeconfigs it fetched). */
    public final Path stateDir() {
        return state.dir();
    }

    /** Runs {@code work} unless an earlier run did; records it as done. */
    final void step(String id, String text, Runnable work) {
        if (state.done(id)) {
            progress.done(text, true);
            return;
        }
        progress.begin(text);
        work.run();
        state.complete(id);
        progress.done(text, false);
    }

    /** The steps whose work lives in the bootstrap cluster and goes with it. */
    abstract Set<String> bootstrapSteps();

    /**
     * Creates the bootstrap cluster, or finds the one an earlier run made; if that one is gone, the steps done in
     * it are forgotten and done again. Installs the providers into it.
     */
    final ManagementCluster bootstrap(List<Component> providers) {
        if (management != null) {
            return management;
        }
        if (state.done(BOOTSTRAP) && !bootstrap.exists()) {
            progress.warn(bootstrap.describe() + " of the earlier run is gone; starting again from it");
            state.forget(bootstrapSteps());
        }
        String[] kubeconfig = new String[1];
        step(BOOTSTRAP, "create the bootstrap cluster (" + bootstrap.describe() + ")", () -> kubeconfig[0] = bootstrap.create(options.timeout()));
        if (kubeconfig[0] == null) {
            kubeconfig[0] = bootstrap.create(options.timeout());
        }
        state.writePrivate("bootstrap.kubeconfig", kubeconfig[0]);
        management = new ManagementCluster(ManagementCluster.connect(kubeconfig[0]), options.poll());
        step(PROVIDERS, "install cert-manager and the Cluster API providers into the bootstrap cluster",
                () -> management.installProviders(providers, components, environment, options.timeout(), progress));
        return management;
    }

    /** The bootstrap cluster's client, if this run reached it. */
    final KubernetesClient bootstrapClient() {
        return management == null ? null : management.client();
    }

    /**
     * After a failure or an interrupt: deletes the bootstrap cluster, unless asked to keep it or unless
     * {@code holdsTheOnlyCopy} (it manages a cluster whose objects are nowhere else, so deleting it would orphan
     * that cluster's machines). Returns the failure to throw.
     */
    final RuntimeException cleanUp(RuntimeException failure, boolean holdsTheOnlyCopy) {
        RuntimeException result = Interrupted.or(failure);
        if (!bootstrap.owned() || !state.done(BOOTSTRAP) && !existsNow()) {
            return result;
        }
        Path kubeconfig = state.dir().resolve("bootstrap.kubeconfig");
        if (options.keepBootstrapOnFailure()) {
            progress.warn("kept " + bootstrap.describe() + " (--keep-bootstrap-on-failure); its kubeconfig is " + kubeconfig);
            return result;
        }
        if (holdsTheOnlyCopy) {
            progress.warn("kept " + bootstrap.describe() + ": it holds the only copy of the cluster's Cluster API objects, "
                    + "so deleting it would leave machines nobody manages. Run the same command again to resume; its "
                    + "kubeconfig is " + kubeconfig);
            return result;
        }
        try {
            progress.update("deleting " + bootstrap.describe());
            bootstrap.delete();
            state.forget(bootstrapSteps());
            progress.warn("deleted " + bootstrap.describe());
        } catch (RuntimeException e) {
            progress.warn("could not delete " + bootstrap.describe() + ": " + e.getMessage());
        }
        return result;
    }

    /** Whether the bootstrap cluster exists; false when that cannot even be asked (no Docker), the usual first failure. */
    private boolean existsNow() {
        try {
            return bootstrap.exists();
        } catch (RuntimeException unknowable) {
            return false;
        }
    }

    final void closeBootstrapClient() {
        if (management != null) {
            management.client().close();
        }
    }
}
