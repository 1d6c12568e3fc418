package dev.lattice.core.io;

import dev.lattice.core.render.Manifests;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;
import org.snakeyaml.engine.v2.schema.CoreSchema;
import org.snakeyaml.engine.v2.schema.Schema;

/** Writes plain trees (maps, lists, scalars) as YAML or JSON, deterministically and in insertion order; reads manifests. */
public final class Documents {
    private static final Schema QUOTING = new CoreSchema() {
        private final QuotingResolver resolver = new QuotingResolver();

        @Override
        public ScalarResolver getScalarResolver() {
            return resolver;
        }
    };

    private Documents() {
    }

    /** A tree (typed objects and records in it written as their trees) as one YAML document. */
    public static String yaml(Object tree) {
        DumpSettings settings = DumpSettings.builder()
                .setDefaultFlowStyle(FlowStyle.BLOCK)
                .setIndent(2)
                .setIndicatorIndent(0)
                .setWidth(120)
                // A shared value is written out each time; anchors and aliases confuse readers of manifests.
                .setDereferenceAliases(true)
                // Strings a YAML 1.1 reader (kubectl, Helm) would take for booleans, numbers or dates are quoted.
                .setSchema(QUOTING)
                .build();
        return new Dump(settings).dumpToString(Manifests.plain(tree));
    }

    /** Several trees as one multi-document YAML stream, ready for {@code kubectl apply -f -}. */
    public static String yamlStream(List<?> trees) {
        StringBuilder out = new StringBuilder();
        for (Object tree : trees) {
            out.append("---\n").append(yaml(tree));
        }
        return out.toString();
    }

    /**
     * Reads a trusted multi-document YAML stream (a provider's release manifest) into its objects, empty documents
     * left out. User input goes through the parser instead, which locates every problem.
     */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> readStream(String yaml) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object document : new Load(LoadSettings.builder().setCodePointLimit(Integer.MAX_VALUE).build()).loadAllFromString(yaml)) {
            if (document instanceof Map<?, ?> m) {
                out.add((Map<String, Object>) m);
            }
        }
        return out;
    }

    /** A tree (typed objects and records in it written as their trees) as indented JSON, written in one pass. */
    public static String json(Object tree) {
        return Manifests.json(tree) + "\n";
    }
}
