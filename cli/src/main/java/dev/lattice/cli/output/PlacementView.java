package dev.lattice.cli.output;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lattice.core.placement.Placement;
import java.util.ArrayList;
import java.util.List;

/** Placements as the JSON/YAML contract scripts rely on, and as a kubectl-like table. */
public final class PlacementView {
    private PlacementView() {
    }

    /**
     * One placement as scripts read it: where it went and why, or why not; the moves it made; with {@code explain},
     * every candidate and every rejection. {@code cluster} is always there (null when not placed).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Data(String service, String namespace, String phase, @JsonInclude(JsonInclude.Include.ALWAYS) String cluster,
                       Double score, Scores scores, String reason, String message, Move moved, List<Candidate> candidates,
                       List<Rejected> rejected) {
    }

    public record Scores(double capacity, double locality, double cost) {
        static Scores of(Placement.Scores s) {
            return new Scores(s.capacity(), s.locality(), s.cost());
        }
    }

    public record Move(String from, String reason, String message) {
    }

    public record Candidate(String cluster, double score, Scores scores) {
    }

    public record Rejected(String cluster, String reason, String message) {
    }

    public static List<Data> data(List<Placement> placements, boolean explain) {
        List<Data> out = new ArrayList<>();
        for (Placement p : placements) {
            Move moved = p.move() == null ? null : new Move(p.move().from(), p.move().reason(), p.move().message());
            List<Candidate> candidates = explain
                    ? p.candidates().stream().map(c -> new Candidate(c.cluster(), c.score(), Scores.of(c.scores()))).toList() : null;
            List<Rejected> rejected = explain
                    ? p.rejected().stream().map(r -> new Rejected(r.cluster(), r.reason(), r.message())).toList() : null;
            out.add(p.scheduled()
                    ? new Data(p.service(), p.namespace(), p.phase().name(), p.cluster(), p.score(), Scores.of(p.scores()), null, null,
                            moved, candidates, rejected)
                    : new Data(p.service(), p.namespace(), p.phase().name(), p.cluster(), null, null, p.reason(), p.message(),
                            moved, candidates, rejected));
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
