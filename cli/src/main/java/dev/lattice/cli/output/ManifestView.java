package dev.lattice.cli.output;

import dev.lattice.core.io.Documents;
import dev.lattice.core.mesh.MeshCompiler;
import dev.lattice.core.mesh.MeshCompiler.ClusterManifests;
import dev.lattice.core.mesh.MeshCompiler.PlacedEdge;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;

/** The compiled service graph: objects by cluster, agreed edges, as data, as kubectl-ready YAML, and as a summary. */
public final class ManifestView {
    static final String NOT_PLACED = "<not placed>";

    private ManifestView() {
    }

    /** One cluster's compiled objects; {@code cluster} null (and {@code placed} false) for services not placed. */
    public record ClusterEntry(String cluster, boolean placed, List<String> services, List<HasMetadata> objects) {
    }

    /** An agreed call between two services, with the clusters its ends run on (null where not placed). */
    public record Edge(String caller, String callee, String callerCluster, String calleeCluster, boolean crossCluster) {
    }

    /** An agreed call to an external service. */
    public record ExternalCall(String caller, String external) {
    }

    /** {@code manifests}: one entry per cluster, its services and its objects; unplaced services under cluster null. */
    public static List<ClusterEntry> manifests(MeshCompiler.Result result) {
        return result.manifests().stream().map(m -> new ClusterEntry(m.cluster(), m.cluster() != null,
                m.services().stream().map(Object::toString).toList(), m.objects())).toList();
    }

    /** {@code edges}: every agreed call, with the clusters its two ends run on, then every agreed external call. */
    public static List<Object> edges(MeshCompiler.Result result) {
        List<Object> out = new ArrayList<>();
        for (PlacedEdge e : result.edges()) {
            out.add(new Edge(e.edge().caller().toString(), e.edge().callee().toString(), e.callerCluster(), e.calleeCluster(), e.crossCluster()));
        }
        for (var e : result.external()) {
            out.add(new ExternalCall(e.caller().toString(), e.callee().toString()));
        }
        return out;
    }

    /** Every object as one multi-document YAML stream for {@code kubectl apply -f -}, a comment heading each cluster. */
    public static String yaml(MeshCompiler.Result result, boolean clustersGiven) {
        StringBuilder out = new StringBuilder();
        for (ClusterManifests m : result.manifests()) {
            if (m.cluster() != null) {
                out.append("# cluster ").append(m.cluster()).append(": ").append(count(m.services().size(), "service"))
                        .append(", ").append(count(m.objects().size(), "object")).append('\n');
            } else {
                out.append("# not placed: ").append(count(m.services().size(), "service")).append(clustersGiven
                        ? " the solver could not place (lattice place --explain says why)"
                        : ", as no LatticeCluster is among the inputs").append("; apply these nowhere yet\n");
            }
            out.append(Documents.yamlStream(m.objects()));
        }
        return out.toString();
    }

    /** Services and objects per cluster, then the agreed edges and how many cross clusters. */
    public static String table(MeshCompiler.Result result) {
        Printer.Table table = new Printer.Table("CLUSTER", "SERVICES", "OBJECTS");
        for (ClusterManifests m : result.manifests()) {
            table.row(m.cluster() == null ? NOT_PLACED : m.cluster(), m.services().size(), m.objects().size());
        }
        Printer.Table edges = new Printer.Table("CALLER", "CALLEE", "WHERE");
        for (PlacedEdge e : result.edges()) {
            String where = e.crossCluster() ? e.callerCluster() + " -> " + e.calleeCluster()
                    : e.callerCluster() != null && e.callerCluster().equals(e.calleeCluster()) ? e.callerCluster() : "-";
            edges.row(e.edge().caller(), e.edge().callee(), where);
        }
        for (var e : result.external()) {
            edges.row(e.caller(), e.callee(), "external");
        }
        String agreed = count(result.edges().size(), "agreed edge") + " (" + result.crossCluster().size() + " cross-cluster), "
                + count(result.external().size(), "agreed external call") + ", " + count(result.warnings().size(), "one-sided declaration");
        return table.render() + "\n" + (result.edges().isEmpty() && result.external().isEmpty() ? "" : edges.render()) + agreed + "\n";
    }

    private static String count(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }
}
