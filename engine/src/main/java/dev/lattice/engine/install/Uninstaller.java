package dev.lattice.engine.install;

import dev.lattice.core.LatticeException;
import dev.lattice.core.capi.CapiVersions;
import dev.lattice.core.capi.CapiVersions.Component;
import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.LatticeCluster.Phase;
import dev.lattice.core.model.Pool;
import dev.lattice.core.parse.Inputs;
import dev.lattice.engine.bootstrap.BootstrapCluster;
import dev.lattice.engine.components.Components;
import dev.lattice.engine.kube.KubeConnection;
import dev.lattice.engine.kube.LiveInputs;
import dev.lattice.engine.pivot.Mover;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code lattice uninstall}: the reverse of an install. The cluster's Cluster API objects are moved back into a
 * bootstrap cluster (the unpivot, marked {@code unpivotImportComplete} once they are all there), the Cluster is
 * deleted there so that Cluster API deletes the machines, and the bootstrap cluster goes. Checkpointed like an
 * install: the same command resumes.
 */
public final class Uninstaller extends BootstrapRun {
    static final String MARK = "mark";
    static final String UNPIVOT = "unpivot";
    static final String DELETE = "delete";
    static final String DELETE_BOOTSTRAP = "delete-bootstrap";

    /** What to uninstall: the cluster, where its Cluster API objects live, the providers they need, its pool or null. */
    public record Plan(String cluster, String namespace, List<Component> providers, Pool pool) {
    }

    private final Plan plan;
    private final KubernetesClient target;

    /**
     * @param target the self-managed cluster; null when it no longer answers, which a run that resumes after the
     *               unpivot does not need
     */
    public Uninstaller(Plan plan, KubernetesClient target, Function<String, BootstrapCluster> bootstraps, Components components,
                       Function<String, String> environment, RunOptions options, Progress progress) {
        super(RunState.resumeOrStart(options.runs(), "uninstall", plan.cluster(), plan.namespace(), options.resetState()), bootstraps, components,
                environment, options, progress);
        this.plan = plan;
        this.target = target;
    }

    /** As the constructor above, on a connection the CLI opened (or null). */
    public Uninstaller(Plan plan, KubeConnection target, Function<String, BootstrapCluster> bootstraps, Components components,
                       Function<String, String> environment, RunOptions options, Progress progress) {
        this(plan, target == null ? null : target.client(), bootstraps, components, environment, options, progress);
    }

    /** Plans the uninstall of the LatticeCluster {@code name} (or the only one) that the cluster holds. */
    /** As {@link #plan(KubernetesClient, String)}, on a connection the CLI opened. */
    public static Plan plan(KubeConnection target, String name) {
        return plan(target.client(), name);
    }

    public static Plan plan(KubernetesClient target, String name) {
        Inputs inputs = LiveInputs.read(target);
        List<LatticeCluster> clusters = inputs.clusters();
        LatticeCluster cluster = name != null
                ? clusters.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(() -> new LatticeException(
                        "the cluster at " + target.getMasterUrl() + " has no LatticeCluster " + name,
                        "it has: " + String.join(", ", clusters.stream().map(LatticeCluster::name).toList())))
                : own(clusters, target);
        Pool pool = inputs.poolOf(cluster).orElse(null);
        return new Plan(cluster.name(), ClusterRenderer.namespaceOf(cluster),
                CapiVersions.componentsFor(cluster.provider(pool), cluster.spec().provider().kubernetes().bootstrap()), pool);
    }

    /** The one LatticeCluster that was pivoted into this cluster: the cluster itself. */
    private static LatticeCluster own(List<LatticeCluster> clusters, KubernetesClient target) {
        List<LatticeCluster> pivoted = clusters.stream()
                .filter(c -> c.status() != null && Boolean.TRUE.equals(c.status().pivotComplete())).toList();
        List<LatticeCluster> candidates = pivoted.isEmpty() ? clusters : pivoted;
        if (candidates.size() != 1) {
            throw new LatticeException("the cluster at " + target.getMasterUrl() + " holds " + candidates.size()
                    + " LatticeClusters", "name the one to delete with --name");
        }
        return candidates.get(0);
    }

    /** A plan for resuming when the cluster no longer answers: only the steps after the unpivot are left. */
    public static Plan resumed(String name) {
        return new Plan(name, ClusterRenderer.namespaceOf(name), List.of(), null);
    }

    /** Whether this resumes an earlier, unfinished uninstall of the same cluster. */
    public boolean resumes() {
        return state.resumed();
    }

    /** Whether the unpivot is done, so that the self-managed cluster is no longer needed. */
    public boolean pastUnpivot() {
        return state.done(UNPIVOT);
    }

    @Override
    Set<String> bootstrapSteps() {
        return Set.of(BOOTSTRAP, PROVIDERS);
    }

    /** Runs the uninstall to the end. */
    public void run() {
        String name = plan.cluster();
        String namespace = plan.namespace();
        try {
            // Marked only once the bootstrap cluster is ready, so an early failure (no Docker) leaves no trace.
            ManagementCluster management = bootstrap(plan.providers());
            step(MARK, "mark the LatticeCluster " + name + " Unpivoting", () -> new ManagementCluster(target(), options.poll())
                    .latticeClusterStatus(name, status -> status.phase(Phase.UNPIVOTING).message("lattice uninstall (run "
                            + state.runId() + "): moving the Cluster API objects out to delete the cluster")));
            step(UNPIVOT, "move the Cluster API objects of " + name + " back into the bootstrap cluster", () -> {
                Mover.Result moved = new Mover(target(), management.client(), new Mover.Listener() {
                    @Override
                    public void step(String message) {
                        progress.update(message);
                    }
                }).move(namespace, name);
                new ManagementCluster(target(), options.poll()).latticeClusterStatus(name, status -> status.unpivotImportComplete(true));
                progress.update(moved.created() + " objects moved, " + moved.resumed() + " found from an earlier run");
            });
            step(DELETE, "delete " + name + " and its machines", () -> {
                // The cluster the bootstrap cluster now manages loses its machines; its own LatticeCluster goes with it.
                management.deleteCluster(namespace, name, options.timeout(), progress);
            });
        } catch (RuntimeException e) {
            throw cleanUp(e, state.done(UNPIVOT) && !state.done(DELETE));
        } finally {
            closeBootstrapClient();
        }
        step(DELETE_BOOTSTRAP, "delete the bootstrap cluster (" + bootstrap.describe() + ")", () -> {
            if (bootstrap.owned()) {
                bootstrap.delete();
            }
        });
        state.finish();
    }

    private KubernetesClient target() {
        if (target == null) {
            throw new LatticeException("the cluster " + plan.cluster() + " does not answer, and the uninstall has not moved "
                    + "its Cluster API objects out yet", "check --kubeconfig and that the cluster is up");
        }
        return target;
    }
}
