package dev.lattice.cli.output;

import dev.lattice.core.model.CanonicalForm;
import dev.lattice.core.model.ClusterClaim;
import dev.lattice.engine.warm.Claims;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** ClusterClaims as {@code lattice claim} prints them. */
public final class ClaimView {
    private ClaimView() {
    }

    /** The claims as a table (none: nothing), or each whole as kubectl get -o json|yaml shows it. */
    public static void print(PrintWriter out, Format format, List<ClusterClaim> claims) {
        new Printer(out, format).print(data(claims), () -> claims.isEmpty() ? "" : table(claims));
    }

    /** Each claim whole, as kubectl get -o yaml shows it. */
    public static List<Map<String, Object>> data(List<ClusterClaim> claims) {
        return claims.stream().map(CanonicalForm::of).toList();
    }

    /** NAMESPACE, NAME, POOL, SESSION, PHASE, CLUSTER, EXPIRES, MESSAGE ("-": not yet). */
    public static String table(List<ClusterClaim> claims) {
        Printer.Table table = new Printer.Table("NAMESPACE", "NAME", "POOL", "SESSION", "PHASE", "CLUSTER", "EXPIRES", "MESSAGE");
        for (ClusterClaim c : claims) {
            ClusterClaim.Status st = c.status();
            String phase = Claims.phase(c) + (st.position() != null ? " (" + ordinal(st.position() + 1) + ")" : "");
            table.row(c.metadata().namespace(), c.name(), c.spec().pool(), c.spec().session() == null ? c.name() : c.spec().session(),
                    phase, dash(st.cluster()), dash(st.expiresAt()), dash(st.message()));
        }
        return table.render();
    }

    private static String dash(String s) {
        return s == null ? "-" : s;
    }

    private static String ordinal(int n) {
        int mod100 = n % 100;
        String suffix = mod100 >= 11 && mod100 <= 13 ? "th" : switch (n % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        };
        return n + suffix + " in line";
    }
}
