package dev.lattice.engine.charts;

import dev.lattice.core.addons.Chart;
import dev.lattice.core.addons.HelmTemplate;
import dev.lattice.engine.LocalCache;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The pinned charts of a {@link ChartStore}, rendered with the Helm binding. Each chart is checked against its digest
 * once per process, and the last renders are kept: a daemon asks for the same add-ons on every pass.
 */
public final class HelmCharts implements HelmTemplate {
    private static final int KEPT = 32;

    private record Key(Chart chart, String release, String namespace, String kubeVersion, Map<String, Object> values) {
    }

    private final ChartStore store;
    private final boolean apart;
    private final Map<Chart, Path> checked = new ConcurrentHashMap<>();
    /** The last renders, compressed: a daemon keeps them for its life, and Cilium's and Istio's alone are 2 MB as text. */
    private final Map<Key, byte[]> rendered = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, byte[]> eldest) {
            return size() > KEPT;
        }
    };

    public HelmCharts(ChartStore store) {
        this(store, false);
    }

    /**
     * {@code apart}: each render in a JVM of its own ({@link ChartRenderer#renderApart}), for a long-lived process that
     * should not keep the Helm library once its charts are rendered.
     */
    public HelmCharts(ChartStore store, boolean apart) {
        this.store = store;
        this.apart = apart;
    }

    /**
     * The charts from {@code directory} when given, else from the directory {@value ChartStore#CHARTS_DIR_ENV} names in
     * {@code environment}, else from the cache ({@code ~/.cache/lattice/charts}) or their repositories.
     */
    public static HelmCharts of(Path directory, Function<String, String> environment) {
        Path dir = directory;
        if (dir == null) {
            String named = environment.apply(ChartStore.CHARTS_DIR_ENV);
            dir = named == null || named.isBlank() ? null : Path.of(named);
        }
        return new HelmCharts(ChartStore.fromRepositories(dir, LocalCache.charts()));
    }

    @Override
    public String render(Chart chart, String release, String namespace, String kubeVersion, Map<String, Object> values) {
        Key key = new Key(chart, release, namespace, kubeVersion, values);
        byte[] kept;
        synchronized (rendered) {
            kept = rendered.get(key);
        }
        if (kept != null) {
            return gunzip(kept);
        }
        Path path = checked(chart);
        String manifests = apart ? ChartRenderer.renderApart(path, release, namespace, kubeVersion, values)
                : ChartRenderer.render(path, release, namespace, kubeVersion, values);
        byte[] compressed = gzip(manifests);
        synchronized (rendered) {
            rendered.put(key, compressed);
        }
        return manifests;
    }

    private static byte[] gzip(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // memory only: cannot happen
        }
        return bytes.toByteArray();
    }

    private static String gunzip(byte[] compressed) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // memory only: cannot happen
        }
    }

    @Override
    public String crds(Chart chart, String folder) {
        return ChartStore.files(checked(chart), folder);
    }

    private Path checked(Chart chart) {
        return checked.computeIfAbsent(chart, store::chart);
    }
}
