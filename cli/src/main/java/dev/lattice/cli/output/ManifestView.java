package dev.lattice.cli.output;

import dev.lattice.core.io.Documents;
import dev.lattice.core.mesh.MeshCompiler;
import dev.lattice.core.mesh.MeshCompiler.ClusterManifests;
import dev.lattice.core.mesh.MeshCompiler.PlacedEdge;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The compiled service graph: objects by cluster, agreed edges, as data, as kubectl-ready YAML, and as a summary. */
public final class ManifestView {
    static final String NOT_PLACED = "<not placed>";

    private ManifestView() {
    }

    /** {@code manifests}: one entry per cluster, its services and its objects; unplaced services under cluster null. */
    public static List<Map<String, Object>> manifests(MeshCompiler.Result result) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ClusterManifests m : result.manifests()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("cluster", m.cluster());
            entry.put("placed", m.cluster() != null);
            entry.put("services", m.services().stream().map(Object::toString).toList());
            entry.put("objects", m.objects());
            out.add(entry);
        }
        return out;
    }

    /** {@code edges}: every agreed call, with the clusters its two ends run on. */
    public static List<Map<String, Object>> edges(MeshCompiler.Result result) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (PlacedEdge e : result.edges()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("caller", e.edge().caller().toString());
            m.put("callee", e.edge().callee().toString());
            m.put("callerCluster", e.callerCluster());
            m.put("calleeCluster", e.calleeCluster());
            m.put("crossCluster", e.crossCluster());
            out.add(m);
        }
        for (var e : result.external()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("caller", e.caller().toString());
            m.put("external", e.callee().toString());
            out.add(m);
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
