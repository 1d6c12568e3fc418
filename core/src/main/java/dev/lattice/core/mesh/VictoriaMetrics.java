package dev.lattice.core.mesh;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

/** The parts of VictoriaMetrics' operator's {@code VMPodScrape} that Lattice writes. */
public final class VictoriaMetrics {
    public static final String API_VERSION = "operator.victoriametrics.com/v1beta1";
    public static final String POD_SCRAPE = "VMPodScrape";

    private VictoriaMetrics() {
    }

    /** Which pods the agent scrapes, and where on them. */
    public record PodScrapeSpec(LabelSelector selector, List<Endpoint> podMetricsEndpoints) {
    }

    /** A named container port and the path metrics are served on. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Endpoint(String port, String path) {
    }
}
