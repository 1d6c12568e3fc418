package dev.lattice.engine.components;

import dev.lattice.core.LatticeException;
import dev.lattice.core.capi.CapiVersions.Component;
import dev.lattice.core.capi.CapiVersions;
import dev.lattice.core.capi.Variables;
import dev.lattice.core.io.Documents;
import dev.lattice.core.render.Manifests;
import dev.lattice.engine.Download;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Provider component manifests, as clusterctl gets them: from a components directory (air-gapped use), else from
 * the cache, else downloaded from the release into the cache; then with clusterctl's variables filled in. A
 * manifest that still needs a variable is refused, naming the variables (never their values).
 */
public final class Components {
    private final Path directory;
    private final Path cache;
    private final Function<Component, URI> location;

    /**
     * @param directory {@code --components-dir}, or null
     * @param cache     where downloads are kept ({@code NAME/VERSION/FILE} under it)
     * @param location  where a component is downloaded from (its release URL; a test points it at a local server)
     */
    public Components(Path directory, Path cache, Function<Component, URI> location) {
        this.directory = directory;
        this.cache = cache;
        this.location = location;
    }

    /** Release URLs, cached in {@code cache}. */
    public static Components fromReleases(Path directory, Path cache) {
        return new Components(directory, cache, c -> URI.create(c.url()));
    }

    /** Where a component's manifest will come from: a file in the directory or the cache, else its release URL. */
    public String source(Component component) {
        Path local = local(component);
        return local != null ? local.toString() : component.url();
    }

    /** The component's file in the directory, else in the cache; null when neither has it. */
    private Path local(Component component) {
        if (directory != null && Files.isRegularFile(directory.resolve(component.cachePath()))) {
            return directory.resolve(component.cachePath());
        }
        Path cached = cache.resolve(component.cachePath());
        return Files.isRegularFile(cached) ? cached : null;
    }

    /** The manifest text of a component, with variables filled from {@code environment}. */
    public String manifest(Component component, Function<String, String> environment) {
        Variables.Result filled = Variables.substitute(read(component), environment);
        if (!filled.missing().isEmpty()) {
            throw new LatticeException(component.name() + " " + component.version() + " needs "
                    + String.join(", ", filled.missing()) + ", which " + (filled.missing().size() == 1 ? "is" : "are") + " not set",
                    "set them in the environment (as for clusterctl), then run the same command again");
        }
        return filled.text();
    }

    /**
     * The manifest's objects, variables filled, each carrying its provider label as clusterctl sets it (release
     * manifests mostly have it already), so that a pivot finds the provider's CRDs.
     */
    public List<GenericKubernetesResource> objects(Component component, Function<String, String> environment) {
        List<GenericKubernetesResource> objects = Documents.readStream(manifest(component, environment)).stream().map(Manifests::object).toList();
        if (component.providerLabel() != null) {
            for (GenericKubernetesResource object : objects) {
                Map<String, String> labels = new LinkedHashMap<>(Manifests.labels(object));
                labels.putIfAbsent(CapiVersions.PROVIDER_LABEL, component.providerLabel());
                object.setMetadata(new ObjectMetaBuilder(object.getMetadata()).withLabels(labels).build());
            }
        }
        return objects;
    }

    /** The raw manifest: from the directory, the cache, or a download kept in the cache. */
    public String read(Component component) {
        try {
            Path local = local(component);
            if (local == null) {
                local = cache.resolve(component.cachePath());
                Download.into(location.apply(component), local, component.name() + " " + component.version(), offline(component),
                        partial -> { });
            }
            return Files.readString(local);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String offline(Component component) {
        return "without network, put the file at " + (directory != null ? directory : "DIR") + "/" + component.cachePath()
                + " and pass --components-dir, or at " + cache.resolve(component.cachePath());
    }
}
