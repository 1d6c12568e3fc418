package dev.lattice.daemon.reconciler;

import dev.lattice.core.addons.ClusterAddons;
import dev.lattice.core.addons.ClusterAddons.Addon;
import dev.lattice.core.addons.HelmTemplate;
import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.engine.addons.AddonSync;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The add-ons of the cluster this daemon runs in, kept as its LatticeCluster's flags say (see {@link AddonSync}): what
 * the install put there is kept, a flag turned off removes its add-on, a new Lattice version's charts replace the old.
 * They are applied when this process starts, when what is wanted changes, and after a failure, not on every resync:
 * Istio's control plane edits its own webhook configurations, and a periodic apply would fight it as Helm does not.
 * The outcome is this cluster's {@code AddonsReady} condition, which {@link OwnClusterReconciler} writes. The key is the
 * cluster's name.
 */
public final class AddonReconciler implements Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(AddonReconciler.class);

    /** What the last pass found: the condition's status, reason and message. */
    public record Report(boolean ready, String reason, String message) {
    }

    private final LatticeCache cache;
    private final Supplier<String> self;
    private final AddonSync sync;
    private final HelmTemplate helm;
    private final Consumer<String> changed;
    private volatile Report report;
    private List<Object> lastApplied;
    /** What each add-on was last applied as (its releases and the Kubernetes version), so an unchanged one is left be. */
    private final Map<String, Object> appliedAs = new HashMap<>();

    /** @param changed told the cluster's name when the report changes, so that its status follows */
    public AddonReconciler(KubernetesClient client, LatticeCache cache, Supplier<String> self, HelmTemplate helm,
                           Consumer<String> changed) {
        this.cache = cache;
        this.self = self;
        this.sync = new AddonSync(client, Duration.ofSeconds(60));
        this.helm = helm;
        this.changed = changed;
    }

    @Override
    public String name() {
        return "addons";
    }

    /** The last pass's outcome; null before the first. */
    public Report report() {
        return report;
    }

    @Override
    public void reconcile(String name) {
        if (!name.equals(self.get())) {
            return;
        }
        // A cluster whose spec cannot be read says nothing about its add-ons: they stay as they are.
        LatticeCluster cluster = cache.snapshot().inputs().cluster(name).orElse(null);
        if (cluster == null) {
            return;
        }
        List<Addon> wanted = ClusterAddons.wanted(cluster);
        // What a pass would apply: the add-ons and their releases' values, which some take from the spec.
        List<Object> fingerprint = List.of(wanted.stream().map(a -> a.releases(cluster)).toList(), ClusterRenderer.kubernetesVersion(cluster));
        if (fingerprint.equals(lastApplied)) {
            return;
        }
        Map<String, Object> now = new HashMap<>();
        wanted.forEach(a -> now.put(a.name(), List.of(a.releases(cluster), ClusterRenderer.kubernetesVersion(cluster))));
        AddonSync.Outcome outcome = sync.sync(wanted, a -> now.get(a.name()).equals(appliedAs.get(a.name())),
                addon -> ClusterAddons.objects(addon, cluster, helm));
        outcome.applied().keySet().forEach(a -> appliedAs.put(a, now.get(a)));
        outcome.removed().keySet().forEach(appliedAs::remove);
        outcome.failed().keySet().forEach(appliedAs::remove);
        outcome.applied().forEach((addon, n) -> {
            AddonSync.Timing took = outcome.took().get(addon);
            LOG.info("add-on {}: {} objects applied (rendered in {} ms, applied in {} ms)", addon, n, took.render().toMillis(),
                    took.apply().toMillis());
        });
        outcome.removed().forEach((addon, n) -> LOG.info("add-on {} turned off: {} objects removed", addon, n));
        Report next = report(wanted, outcome);
        if (!next.equals(report)) {
            report = next;
            changed.accept(name);
        }
        if (!outcome.failed().isEmpty()) {
            lastApplied = null;
            throw new IllegalStateException("add-ons failed: " + next.message()); // retried with back-off
        }
        lastApplied = fingerprint;
    }

    private static Report report(List<Addon> wanted, AddonSync.Outcome outcome) {
        if (!outcome.failed().isEmpty()) {
            return new Report(false, "ApplyFailed", outcome.failed().entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                    .collect(Collectors.joining("; ")));
        }
        if (wanted.isEmpty()) {
            return new Report(true, "NoneWanted", "the spec turns on no add-ons");
        }
        return new Report(true, "Applied", wanted.stream().map(a -> a.name() + " (" + a.description() + ")")
                .collect(Collectors.joining(", ")) + " applied");
    }
}
