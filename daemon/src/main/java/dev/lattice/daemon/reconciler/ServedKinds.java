package dev.lattice.daemon.reconciler;

import dev.lattice.core.mesh.MeshCompiler;
import dev.lattice.core.mesh.MeshCompiler.CompiledKind;
import dev.lattice.engine.kube.Coordinates;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of the kinds services compile to this cluster serves: the built-in kinds always, a custom kind (Cilium's and
 * Istio's policies) once its CRD is Established. The CRDs are watched by name, so objects that waited for one are
 * applied as soon as it is installed, without a restart.
 */
public final class ServedKinds implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServedKinds.class);

    private final KubernetesClient client;
    /** The CRD's name ({@code PLURAL.GROUP}) by kind, for the custom kinds the compiler writes. */
    private final Map<String, String> crds = new ConcurrentHashMap<>();
    private final Map<String, SharedIndexInformer<CustomResourceDefinition>> informers = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    public ServedKinds(KubernetesClient client) {
        this.client = client;
        for (CompiledKind kind : MeshCompiler.KINDS) {
            String crd = crdOf(kind);
            if (crd != null) {
                crds.put(kind.apiVersion() + "/" + kind.kind(), crd);
            }
        }
    }

    /** The CRD that serves {@code kind}, or null for a built-in kind. */
    static String crdOf(CompiledKind kind) {
        return isCustom(kind.apiVersion()) ? kind.plural() + "." + kind.apiVersion().substring(0, kind.apiVersion().indexOf('/')) : null;
    }

    /** Whether a CRD serves {@code apiVersion}: its group has a dot, where the built-in ones ({@code v1}, {@code apps/v1}) have none. */
    static boolean isCustom(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        return slash > 0 && apiVersion.substring(0, slash).contains(".");
    }

    /** Called whenever one of the CRDs comes, changes or goes. */
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    /** Watches the CRDs and waits until each watch has listed once. */
    public void start() {
        for (String crd : crds.values()) {
            SharedIndexInformer<CustomResourceDefinition> informer = client.apiextensions().v1().customResourceDefinitions()
                    .withField("metadata.name", crd).runnableInformer(0).itemStore(new TrimmingStore<>(TrimmingStore::crdConditions));
            informer.addEventHandler(InformerEvents.of(c -> changed(crd), c -> changed(crd)));
            informers.put(crd, informer);
        }
        informers.values().forEach(i -> i.start().toCompletableFuture().join());
    }

    private void changed(String crd) {
        LOG.info("CustomResourceDefinition {} is {}", crd, established(crd) ? "served" : "not served");
        listeners.forEach(Runnable::run);
    }

    /** Why the cluster cannot take objects of {@code ref}'s kind yet, or null when it can. */
    public String unserved(Coordinates ref) {
        String crd = crds.get(ref.apiVersion() + "/" + ref.kind());
        if (crd == null || established(crd)) {
            return null;
        }
        return "waits for CustomResourceDefinition " + crd + ", which this cluster does not serve yet";
    }

    private boolean established(String crd) {
        SharedIndexInformer<CustomResourceDefinition> informer = informers.get(crd);
        if (informer == null) {
            return false;
        }
        return informer.getStore().list().stream().anyMatch(c -> c.getStatus() != null && c.getStatus().getConditions() != null
                && c.getStatus().getConditions().stream().anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())));
    }

    @Override
    public void close() {
        informers.values().forEach(SharedIndexInformer::close);
    }
}
