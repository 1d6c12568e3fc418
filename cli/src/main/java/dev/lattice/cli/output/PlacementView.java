package dev.lattice.cli.output;

import dev.lattice.core.placement.Placement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Placements as the JSON/YAML contract scripts rely on, and as a kubectl-like table. */
public final class PlacementView {
    private PlacementView() {
    }

    public static List<Map<String, Object>> data(List<Placement> placements, boolean explain) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Placement p : placements) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("service", p.service());
            m.put("namespace", p.namespace());
            m.put("phase", p.phase().name());
            m.put("cluster", p.cluster());
            if (p.scheduled()) {
                m.put("score", p.score());
                m.put("scores", scores(p.scores()));
            } else {
                m.put("reason", p.reason());
                m.put("message", p.message());
            }
            if (p.move() != null) {
                Map<String, Object> move = new LinkedHashMap<>();
                move.put("from", p.move().from());
                move.put("reason", p.move().reason());
                move.put("message", p.move().message());
                m.put("moved", move);
            }
            if (explain) {
                List<Map<String, Object>> candidates = new ArrayList<>();
                for (Placement.Candidate c : p.candidates()) {
                    Map<String, Object> cm = new LinkedHashMap<>();
                    cm.put("cluster", c.cluster());
                    cm.put("score", c.score());
                    cm.put("scores", scores(c.scores()));
                    candidates.add(cm);
                }
                List<Map<String, Object>> rejected = new ArrayList<>();
                for (Placement.Rejection r : p.rejected()) {
                    Map<String, Object> rm = new LinkedHashMap<>();
                    rm.put("cluster", r.cluster());
                    rm.put("reason", r.reason());
                    rm.put("message", r.message());
                    rejected.add(rm);
                }
                m.put("candidates", candidates);
                m.put("rejected", rejected);
            }
            out.add(m);
        }
        return out;
    }

    private static String reason(Placement p) {
        String move = p.move() == null ? "" : "moves from " + p.move().from() + " (" + p.move().reason() + ")";
        if (p.scheduled()) {
            return move;
        }
        return move.isEmpty() ? p.reason() : p.reason() + "; " + move;
    }

    private static Map<String, Object> scores(Placement.Scores s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("capacity", s.capacity());
        m.put("locality", s.locality());
        m.put("cost", s.cost());
        return m;
    }

    /**
     * SERVICE, NAMESPACE, CLUSTER, SCORE, REASON (a service that leaves the cluster it was on says so there); with
     * {@code explain}, each decision's reasons in words below.
     */
    public static String table(List<Placement> placements, boolean explain) {
        Printer.Table table = new Printer.Table("SERVICE", "NAMESPACE", "CLUSTER", "SCORE", "REASON");
        for (Placement p : placements) {
            table.row(p.service(), p.namespace(), p.scheduled() ? p.cluster() : "-",
                    p.scheduled() ? String.format(java.util.Locale.ROOT, "%.3f", p.score()) : "-",
                    reason(p));
        }
        StringBuilder out = new StringBuilder(table.render());
        if (explain) {
            for (Placement p : placements) {
                out.append('\n').append(p.namespace()).append('/').append(p.service()).append(": ");
                if (p.scheduled()) {
                    out.append("placed on ").append(p.cluster()).append(", the best of ").append(p.candidates().size())
                            .append(p.candidates().size() == 1 ? " candidate" : " candidates").append('\n');
                    for (Placement.Candidate c : p.candidates()) {
                        out.append(String.format(java.util.Locale.ROOT,
                                "  %-8s %s scores %.3f (capacity %.3f, locality %.3f, cost %.3f)%n",
                                c.cluster().equals(p.cluster()) ? "chosen" : "", c.cluster(), c.score(),
                                c.scores().capacity(), c.scores().locality(), c.scores().cost()));
                    }
                } else {
                    out.append(p.phase()).append(": ").append(p.message()).append('\n');
                }
                if (p.move() != null) {
                    out.append("  leaves ").append(p.move().from()).append(": ").append(p.move().message()).append('\n');
                }
                for (Placement.Rejection r : p.rejected()) {
                    out.append("  not ").append(r.cluster()).append(": ").append(r.message()).append('\n');
                }
            }
        }
        return out.toString();
    }
}
