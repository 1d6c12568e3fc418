package dev.lattice.engine.install;

import dev.lattice.core.LatticeException;
import dev.lattice.core.capi.CapiVersions;
import dev.lattice.core.install.DaemonManifests;
import dev.lattice.core.install.InstallPlan;
import dev.lattice.core.model.CanonicalForm;
import dev.lattice.core.model.LatticeCluster.Phase;
import dev.lattice.core.model.Provider;
import dev.lattice.core.render.Manifests;
import dev.lattice.engine.Interrupted;
import dev.lattice.engine.addons.AddonSync;
import dev.lattice.engine.bootstrap.BootstrapCluster;
import dev.lattice.engine.components.Components;
import dev.lattice.engine.pivot.Mover;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * {@code lattice install}: provisions the planned cluster from a bootstrap cluster through Cluster API, pivots its
 * Cluster API objects into it, deploys the Lattice daemon there and deletes the bootstrap cluster. Every step is
 * checkpointed in the run's state; the same install run again resumes at the first step not done.
 */
public final class Installer extends BootstrapRun {
    static final String CREDENTIALS = "credentials";
    static final String OBJECTS = "objects";
    static final String READY = "ready";
    static final String KUBECONFIG = "kubeconfig";
    static final String ADDONS = "addons";
    static final String TARGET = "target";
    static final String PIVOT = "pivot";
    static final String LATTICE_CLUSTER = "lattice-cluster";
    static final String DELETE_BOOTSTRAP = "delete-bootstrap";
    static final String WRITE_KUBECONFIG = "write-kubeconfig";
    private static final String TARGET_KUBECONFIG = "cluster.kubeconfig";

    /** What an install made. */
    public record Result(String runId, String cluster, Path kubeconfig, boolean resumed) {
    }

    private final InstallPlan plan;
    private final String daemonImage;
    private final Path kubeconfigOut;
    private ManagementCluster.Readiness readiness;

    /**
     * @param bootstraps    makes the bootstrap cluster of a name ({@code lattice-bootstrap-<run id>})
     * @param kubeconfigOut where the new cluster's kubeconfig is written
     */
    public Installer(InstallPlan plan, Function<String, BootstrapCluster> bootstraps, Components components,
                     Function<String, String> environment, String daemonImage, Path kubeconfigOut, RunOptions options, Progress progress) {
        super(RunState.resumeOrStart(options.runs(), "install", plan.cluster().name(), plan.namespace(), options.resetState()), bootstraps, components, environment, options, progress);
        this.plan = plan;
        this.daemonImage = daemonImage;
        this.kubeconfigOut = kubeconfigOut;
        if (Files.exists(kubeconfigOut) && !state.resumed()) {
            throw new LatticeException(kubeconfigOut + " exists, and install does not overwrite files",
                    "move it away, or name another file with --kubeconfig-out");
        }
    }

    /** Whether this resumes an earlier, unfinished install of the same cluster. */
    public boolean resumes() {
        return state.resumed();
    }

    /** Everything before the pivot: it made, or happened to, a cluster the bootstrap cluster managed. */
    @Override
    Set<String> bootstrapSteps() {
        return Set.of(BOOTSTRAP, PROVIDERS, CREDENTIALS, OBJECTS, READY, KUBECONFIG, ADDONS, TARGET);
    }

    /** Runs the install to the end, or fails having cleaned up (see {@link BootstrapRun#cleanUp}). */
    public Result run() {
        String name = plan.cluster().name();
        String namespace = plan.namespace();
        boolean resumed = state.resumed();
        try {
            if (!state.done(PIVOT)) {
                ManagementCluster management = bootstrap(plan.components().stream().map(InstallPlan.Source::component).toList());
                if (plan.provider() == Provider.OPENSTACK) {
                    step(CREDENTIALS, "put the OpenStack credentials into Secret " + namespace + "/" + name + "-cloud-config",
                            () -> management.applier().apply(ProviderSecrets.of(plan.provider(), name, namespace, environment), options.timeout()));
                }
                step(OBJECTS, "apply " + plan.objects().size() + " Cluster API objects for " + name + " (namespace " + namespace + ")",
                        () -> management.applier().apply(plan.objects(), options.timeout()));
                step(READY, "wait for the control plane and workers of " + name,
                        () -> readiness = management.waitReady(namespace, name, options.timeout(), progress));
                step(KUBECONFIG, "fetch the kubeconfig of " + name,
                        () -> state.writePrivate(TARGET_KUBECONFIG, management.kubeconfig(namespace, name)));
                try (KubernetesClient target = ManagementCluster.connect(targetKubeconfig())) {
                    ManagementCluster workload = new ManagementCluster(target, options.poll());
                    if (!plan.addonObjects().isEmpty()) {
                        step(ADDONS, "install the add-ons of " + name + ": " + String.join(", ", plan.addonObjects().keySet().stream()
                                .map(a -> a.name() + " (" + a.description() + ")").toList()), () -> installAddons(target));
                    }
                    step(TARGET, "install cert-manager, the Cluster API providers and the Lattice daemon into " + name, () -> {
                        workload.installProviders(plan.components().stream().map(InstallPlan.Source::component).toList(),
                                components, environment, options.timeout(), progress);
                        progress.update("the Lattice daemon (" + daemonImage + ")");
                        workload.applier().apply(DaemonManifests.render(name, daemonImage), options.timeout());
                    });
                    step(PIVOT, "pivot the Cluster API objects of " + name + " into it", () -> {
                        Mover.Result moved = new Mover(management.client(), target, new Mover.Listener() {
                            @Override
                            public void step(String message) {
                                progress.update(message);
                            }
                        }).move(namespace, name);
                        progress.update(moved.created() + " objects created, " + moved.resumed() + " found from an earlier run, "
                                + moved.deleted() + " deleted from the bootstrap cluster");
                    });
                }
            }
            try (KubernetesClient target = ManagementCluster.connect(targetKubeconfig())) {
                step(LATTICE_CLUSTER, "apply the LatticeCluster " + name + " in " + name + " (pivotComplete, bootstrapComplete)",
                        () -> applyLatticeCluster(new ManagementCluster(target, options.poll())));
            }
        } catch (RuntimeException e) {
            RuntimeException failure = Interrupted.or(e);
            throw cleanUp(failure, holdsTheOnlyCopy(failure));
        } finally {
            closeBootstrapClient();
        }
        step(DELETE_BOOTSTRAP, "delete the bootstrap cluster (" + bootstrap.describe() + ")", () -> {
            if (bootstrap.owned()) {
                bootstrap.delete();
            }
        });
        step(WRITE_KUBECONFIG, "write the kubeconfig of " + name + " to " + kubeconfigOut,
                () -> RunState.writeAtomically(kubeconfigOut, targetKubeconfig()));
        state.finish();
        return new Result(state.runId(), name, kubeconfigOut, resumed);
    }

    /**
     * Whether the bootstrap cluster, after a failure, manages machines nobody else does. Between applying the
     * objects and the pivot it does; then the Cluster is deleted first, so that Cluster API removes the machines,
     * and only if that works is the bootstrap cluster free to go. A paused Cluster means a pivot was under way:
     * both clusters may hold its objects, so nothing is deleted.
     */
    private boolean holdsTheOnlyCopy(RuntimeException failure) {
        if (!state.done(OBJECTS) || state.done(PIVOT) || options.keepBootstrapOnFailure() || bootstrapClient() == null
                || !bootstrap.owned()) {
            return false;
        }
        try {
            ManagementCluster management = new ManagementCluster(bootstrapClient(), options.poll());
            GenericKubernetesResource cluster = bootstrapClient().genericKubernetesResources(CapiVersions.CLUSTER_API, "Cluster")
                    .inNamespace(plan.namespace()).withName(plan.cluster().name()).get();
            if (cluster != null && Boolean.TRUE.equals(ManagementCluster.map(cluster.getAdditionalProperties().get("spec")).get("paused"))) {
                return true;
            }
            progress.warn("the install failed (" + failure.getMessage() + "); deleting " + plan.cluster().name()
                    + " so that its machines go too");
            management.deleteCluster(plan.namespace(), plan.cluster().name(), options.timeout(), progress);
            return false;
        } catch (RuntimeException e) {
            progress.warn("could not delete " + plan.cluster().name() + ": " + e.getMessage());
            return true;
        }
    }

    /** The add-ons, as the daemon will keep them (the same inventory), so that it takes them over as they are. */
    private void installAddons(KubernetesClient target) {
        AddonSync.Outcome outcome = new AddonSync(target, options.timeout())
                .sync(List.copyOf(plan.addonObjects().keySet()), addon -> plan.addonObjects().get(addon));
        if (!outcome.failed().isEmpty()) {
            throw new LatticeException("cannot install the add-ons of " + plan.cluster().name() + ": " + String.join("; ",
                    outcome.failed().entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList()),
                    "run the same install again to resume here");
        }
        outcome.applied().forEach((addon, n) -> progress.update(addon + ": " + n + " objects applied"));
    }

    private void applyLatticeCluster(ManagementCluster target) {
        List<HasMetadata> objects = new ArrayList<>();
        if (plan.pool() != null) {
            objects.add(Manifests.object(CanonicalForm.of(plan.pool())));
        }
        objects.add(Manifests.object(CanonicalForm.of(plan.cluster())));
        target.applier().apply(objects, options.timeout());
        String endpoint = target.client().getMasterUrl().toString().replaceAll("/$", "");
        target.latticeClusterStatus(plan.cluster().name(), status -> {
            status.phase(Phase.READY).message("installed by lattice install (run " + state.runId() + "); self-managing")
                    .pivotComplete(true).bootstrapComplete(true).endpoint(endpoint);
            if (readiness != null) {
                status.readyControlPlane(readiness.controlPlaneReady()).readyWorkers(readiness.workersReady());
            }
            status.condition("Ready", true, "Installed",
                    "Cluster API objects pivoted into the cluster; the bootstrap cluster is no longer needed", null, Instant.now());
        });
    }

    private String targetKubeconfig() {
        try {
            return Files.readString(state.dir().resolve(TARGET_KUBECONFIG));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
