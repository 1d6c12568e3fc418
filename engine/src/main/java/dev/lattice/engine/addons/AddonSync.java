package dev.lattice.engine.addons;

import dev.lattice.core.addons.ClusterAddons;
import dev.lattice.core.addons.ClusterAddons.Addon;
import dev.lattice.core.install.DaemonManifests;
import dev.lattice.core.render.Manifests;
import dev.lattice.engine.kube.Applier;
import dev.lattice.engine.kube.Coordinates;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Keeps a cluster's add-ons as its spec says, as Helm keeps a release: each add-on's objects are applied (server-side,
 * Lattice's field manager), and what it held before and holds no longer is deleted, found in an inventory, a ConfigMap
 * in Lattice's namespace that lists each add-on's objects. An add-on the spec turns off is deleted whole; one a new
 * Lattice renders differently loses what its new version leaves out.
 *
 * <p>The inventory is written before anything is applied (what was there, and what will be), so an apply that dies
 * half-way leaves nothing that a later pass cannot find.
 */
public final class AddonSync {
    /** The inventory's name, in {@link DaemonManifests#NAMESPACE}. */
    public static final String INVENTORY = "lattice-addons";

    /**
     * What a pass did to each add-on: applied (with how many objects), removed, or failed and why; and how long each
     * applied one took to render and to apply.
     */
    public record Outcome(Map<String, Integer> applied, Map<String, Integer> removed, Map<String, String> failed,
                          Map<String, Timing> took) {
    }

    /** How long an add-on's objects took to render (its charts) and to apply (CRDs served included). */
    public record Timing(Duration render, Duration apply) {
    }

    private final KubernetesClient client;
    private final Applier applier;
    private final Duration timeout;

    /** @param timeout how long an add-on's CRDs may take to be served */
    public AddonSync(KubernetesClient client, Duration timeout) {
        this.client = client;
        this.applier = new Applier(client, Duration.ofMillis(100));
        this.timeout = timeout;
    }

    /**
     * Applies the {@code wanted} add-ons, each with the objects {@code render} gives it, and removes every other add-on
     * Lattice knows ({@link ClusterAddons#ALL}) that the inventory says is here. One add-on's failure stops no other.
     */
    public Outcome sync(List<Addon> wanted, Function<Addon, List<HasMetadata>> render) {
        return sync(wanted, addon -> false, render);
    }

    /**
     * {@link #sync(List, Function)}, leaving alone a wanted add-on that {@code current} says is already applied as it
     * would be now (and that the inventory lists): a changed schedule re-applies Velero, not VictoriaMetrics.
     */
    public Outcome sync(List<Addon> wanted, java.util.function.Predicate<Addon> current, Function<Addon, List<HasMetadata>> render) {
        Map<String, Integer> applied = new TreeMap<>();
        Map<String, Integer> removed = new TreeMap<>();
        Map<String, String> failed = new TreeMap<>();
        Map<String, Timing> took = new TreeMap<>();
        Map<String, List<Coordinates>> inventory = inventory();
        for (Addon addon : ClusterAddons.ALL) {
            boolean on = wanted.contains(addon);
            List<Coordinates> before = inventory.getOrDefault(addon.name(), List.of());
            if (!on && before.isEmpty() || on && !before.isEmpty() && current.test(addon)) {
                continue;
            }
            try {
                long start = System.nanoTime();
                List<HasMetadata> objects = on ? render.apply(addon) : List.of();
                long rendered = System.nanoTime();
                List<Coordinates> now = objects.stream().map(Coordinates::of).toList();
                Set<Coordinates> stale = new LinkedHashSet<>(before);
                now.forEach(stale::remove);
                if (!on) {
                    // Left as Helm leaves namespaces: the user's own objects there (credentials) stay.
                    stale.removeIf(ref -> "Namespace".equals(ref.kind()) && addon.keeps().contains(ref.name()));
                }
                Set<Coordinates> both = new LinkedHashSet<>(before);
                both.addAll(now);
                record(addon.name(), List.copyOf(both));
                if (on) {
                    applier.apply(objects, timeout);
                }
                delete(stale);
                record(addon.name(), now);
                if (on) {
                    applied.put(addon.name(), objects.size());
                    took.put(addon.name(), new Timing(Duration.ofNanos(rendered - start), Duration.ofNanos(System.nanoTime() - rendered)));
                } else {
                    removed.put(addon.name(), stale.size());
                }
            } catch (KubernetesClientException e) {
                failed.put(addon.name(), Applier.reason(e));
            } catch (RuntimeException e) {
                failed.put(addon.name(), e.getMessage());
            }
        }
        return new Outcome(applied, removed, failed, took);
    }

    /** What the inventory lists, per add-on; nothing when there is none yet. */
    Map<String, List<Coordinates>> inventory() {
        ConfigMap map = client.configMaps().inNamespace(DaemonManifests.NAMESPACE).withName(INVENTORY).get();
        Map<String, List<Coordinates>> out = new LinkedHashMap<>();
        if (map != null && map.getData() != null) {
            map.getData().forEach((addon, lines) -> out.put(addon, lines.lines().filter(l -> !l.isBlank()).map(AddonSync::parse).toList()));
        }
        return out;
    }

    /** Writes {@code addon}'s entry of the inventory (none when {@code refs} is empty), creating the inventory when needed. */
    private void record(String addon, List<Coordinates> refs) {
        Map<String, String> data = new TreeMap<>();
        inventory().forEach((name, list) -> data.put(name, lines(list)));
        if (refs.isEmpty()) {
            data.remove(addon);
        } else {
            data.put(addon, lines(refs));
        }
        String namespace = DaemonManifests.NAMESPACE;
        applier.apply(List.of(new NamespaceBuilder().withMetadata(Manifests.meta(null, namespace, null)).build()), timeout);
        // Applied whole by the one field manager, so an entry left out is an entry dropped.
        client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
                .withMetadata(Manifests.meta(namespace, INVENTORY, Map.of("app.kubernetes.io/part-of", "lattice")))
                .withData(data).build()).fieldManager(Applier.FIELD_MANAGER).forceConflicts().serverSideApply();
    }

    /** An object as the inventory lists it: {@code API-VERSION KIND NAMESPACE NAME}, the namespace empty for a cluster-wide one. */
    private static String line(Coordinates ref) {
        return ref.apiVersion() + " " + ref.kind() + " " + (ref.namespace() == null ? "" : ref.namespace()) + " " + ref.name();
    }

    private static Coordinates parse(String line) {
        String[] f = line.split(" ", -1);
        return new Coordinates(f[0], f[1], f[2].isEmpty() ? null : f[2], f[3]);
    }

    /** Deleted last: CRDs (their objects go with them), then namespaces (their objects too). */
    private static int deletionOrder(Coordinates ref) {
        return "Namespace".equals(ref.kind()) ? 2 : "CustomResourceDefinition".equals(ref.kind()) ? 1 : 0;
    }

    private static String lines(List<Coordinates> refs) {
        StringBuilder out = new StringBuilder();
        refs.forEach(r -> out.append(line(r)).append('\n'));
        return out.toString();
    }

    /** Deletes the objects, CRDs and namespaces last; one already gone, or whose kind is no longer served, is done. */
    private void delete(Set<Coordinates> refs) {
        List<Coordinates> ordered = new ArrayList<>(refs);
        ordered.sort(Comparator.comparingInt(AddonSync::deletionOrder));
        List<String> failures = new ArrayList<>();
        for (Coordinates ref : ordered) {
            if (!client.supports(ref.apiVersion(), ref.kind())) {
                continue; // its CRD went first, and took it along
            }
            try {
                var kind = client.genericKubernetesResources(ref.apiVersion(), ref.kind());
                (ref.namespace() == null ? kind.withName(ref.name()) : kind.inNamespace(ref.namespace()).withName(ref.name())).delete();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    failures.add(ref + ": " + Applier.reason(e));
                }
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("cannot delete " + String.join("; ", failures));
        }
    }
}
