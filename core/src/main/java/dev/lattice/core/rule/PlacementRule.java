package dev.lattice.core.rule;

import com.google.protobuf.Descriptors.FieldDescriptor;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructTypeReference;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.lattice.core.rule.v1.Capacity;
import dev.lattice.core.rule.v1.Cluster;
import dev.lattice.core.text.Suggestions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A service's placement rule ({@code requirements.placement}): a CEL expression over the declared {@code cluster}
 * variable, type-checked to return a bool. Each distinct expression compiles once per process.
 */
public final class PlacementRule implements CompiledRule {
    /** The variable a rule sees a cluster as. */
    public static final String VARIABLE = "cluster";

    private static final Pattern UNDEFINED_FIELD = Pattern.compile("undefined field '([^']+)'");
    private static final Pattern UNDECLARED = Pattern.compile("undeclared reference to '([^']+)'");
    private static final Map<String, CompiledRule> CACHE = new ConcurrentHashMap<>();

    private final String expression;
    private final CelRuntime.Program program;
    /** The cluster fields the rule reads; its result depends on nothing else. */
    private final List<FieldDescriptor> reads;

    private PlacementRule(String expression, CelRuntime.Program program, List<FieldDescriptor> reads) {
        this.expression = expression;
        this.program = program;
        this.reads = reads;
    }

    /**
     * The values of the fields this rule reads: two clusters with equal keys get the same result, so a rule need
     * only be evaluated once per distinct key.
     */
    public List<Object> key(Cluster cluster) {
        List<Object> key = new java.util.ArrayList<>(reads.size());
        for (FieldDescriptor field : reads) {
            // Labels as a map, so equal labels compare equal whatever order they were written in.
            key.add(field.getName().equals("labels") ? cluster.getLabelsMap() : cluster.getField(field));
        }
        return key;
    }

    /** The top-level cluster fields an expression selects; all of them when it uses `cluster` any other way. */
    static List<FieldDescriptor> reads(CelExpr expr) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        if (!collect(expr, names)) {
            return Cluster.getDescriptor().getFields();
        }
        return names.stream().map(n -> Cluster.getDescriptor().findFieldByName(n)).toList();
    }

    /** Adds the fields selected on `cluster`; false when `cluster` is used whole or could be shadowed. */
    private static boolean collect(CelExpr e, java.util.Set<String> names) {
        switch (e.getKind()) {
            case IDENT:
                return !e.ident().name().equals(VARIABLE);
            case SELECT:
                if (e.select().operand().getKind() == CelExpr.ExprKind.Kind.IDENT
                        && e.select().operand().ident().name().equals(VARIABLE)) {
                    names.add(e.select().field());
                    return true;
                }
                return collect(e.select().operand(), names);
            case CALL:
                for (CelExpr arg : e.call().args()) {
                    if (!collect(arg, names)) {
                        return false;
                    }
                }
                return e.call().target().map(t -> collect(t, names)).orElse(true);
            case LIST:
                return e.list().elements().stream().allMatch(x -> collect(x, names));
            case MAP:
                return e.map().entries().stream().allMatch(x -> collect(x.key(), names) && collect(x.value(), names));
            case STRUCT:
                return e.struct().entries().stream().allMatch(x -> collect(x.value(), names));
            case COMPREHENSION: {
                CelExpr.CelComprehension c = e.comprehension();
                if (VARIABLE.equals(c.iterVar()) || VARIABLE.equals(c.iterVar2()) || VARIABLE.equals(c.accuVar())) {
                    return false;
                }
                return collect(c.iterRange(), names) && collect(c.accuInit(), names) && collect(c.loopCondition(), names)
                        && collect(c.loopStep(), names) && collect(c.result(), names);
            }
            default:
                return true;
        }
    }

    public String expression() {
        return expression;
    }

    /**
     * Starts CEL's one-time set-up (about 0.3 s of class loading and environment building) on a background thread,
     * so that a command which will compile rules finds it done instead of waiting for it.
     */
    public static void prepareInBackground() {
        Thread thread = new Thread(() -> {
            if (compile("cluster.name == ''") instanceof PlacementRule rule) {
                rule.evaluate(Cluster.getDefaultInstance());
            }
        }, "cel-set-up");
        thread.setDaemon(true);
        thread.start();
    }

    /** Compiles {@code expression}, or returns the cached result of an earlier compile of the same text. */
    public static CompiledRule compile(String expression) {
        return CACHE.computeIfAbsent(expression, PlacementRule::doCompile);
    }

    /**
     * Whether {@code cluster} satisfies the rule. A rule that fails on a cluster (a label the cluster does not
     * have, say) does not match it; {@link Outcome#error()} says why.
     */
    public Outcome evaluate(Cluster cluster) {
        try {
            Object result = program.eval(Map.of(VARIABLE, cluster));
            return Boolean.TRUE.equals(result) ? Outcome.MATCH : Outcome.NO_MATCH;
        } catch (CelEvaluationException e) {
            return new Outcome(false, humanise(firstLine(e.getMessage())));
        }
    }

    /** The result of a rule on one cluster. */
    public record Outcome(boolean matches, String error) {
        static final Outcome MATCH = new Outcome(true, null);
        static final Outcome NO_MATCH = new Outcome(false, null);
    }

    private static CompiledRule doCompile(String expression) {
        CelValidationResult parsed = Cel.COMPILER.parse(expression, "placement");
        if (parsed.hasError()) {
            CelIssue issue = parsed.getErrors().get(0);
            return new InvalidRule("syntax error: " + issue.getMessage(), null,
                    issue.getSourceLocation().getLine(), issue.getSourceLocation().getColumn() + 1);
        }
        try {
            CelValidationResult checked = Cel.COMPILER.check(parsed.getAst());
            if (checked.hasError()) {
                CelIssue issue = checked.getErrors().get(0);
                return invalid(issue.getMessage(), issue.getSourceLocation().getLine(), issue.getSourceLocation().getColumn() + 1);
            }
            CelAbstractSyntaxTree ast = checked.getAst();
            if (!ast.getResultType().equals(SimpleType.BOOL) && !ast.getResultType().equals(SimpleType.DYN)) {
                return new InvalidRule("a placement rule must be true or false for a cluster, but this one is of type "
                        + ast.getResultType().name(), "compare it, e.g. cluster.labels.tier == 'critical'", 0, 0);
            }
            return new PlacementRule(expression, Cel.RUNTIME.createProgram(ast), reads(ast.getExpr()));
        } catch (CelValidationException | CelEvaluationException e) {
            return new InvalidRule(firstLine(e.getMessage()), null, 0, 0);
        }
    }

    private static InvalidRule invalid(String message, int line, int column) {
        String hint = null;
        Matcher field = UNDEFINED_FIELD.matcher(message);
        Matcher undeclared = UNDECLARED.matcher(message);
        if (field.find()) {
            List<String> names = Cluster.getDescriptor().getFields().stream().map(f -> f.getName()).toList();
            List<String> capacity = Capacity.getDescriptor().getFields().stream().map(f -> f.getName()).toList();
            String wrong = field.group(1);
            hint = Suggestions.closest(wrong, names).or(() -> Suggestions.closest(wrong, capacity))
                    .map(c -> "did you mean \"" + c + "\"?")
                    .orElse("a cluster has: " + String.join(", ", names));
        } else if (undeclared.find() && Suggestions.closest(undeclared.group(1), List.of(VARIABLE)).isPresent()) {
            hint = "a placement rule sees the cluster as \"" + VARIABLE + "\", e.g. cluster.labels.tier == 'critical'";
        }
        return new InvalidRule(message, hint, line, column);
    }

    /** A short human description of what the rule asks for, used in "No cluster with ..." messages. */
    public String describe() {
        return RuleDescription.of(expression).orElse("a cluster that satisfies " + expression);
    }

    private static final Pattern MISSING_KEY = Pattern.compile("key '([^']*)' is not present in map");
    private static final Pattern CEL_PREFIX = Pattern.compile("^evaluation error( at [^:]+:\\d+)?: ");

    /** CEL's runtime errors, in a platform team's words. */
    static String humanise(String message) {
        Matcher missing = MISSING_KEY.matcher(message);
        if (missing.find()) {
            return "the cluster has no \"" + missing.group(1) + "\" key (label)";
        }
        return CEL_PREFIX.matcher(message).replaceFirst("");
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    /** The compiler and runtime are costly to build and safe to share. */
    private static final class Cel {
        static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addMessageTypes(Cluster.getDescriptor())
                .addVar(VARIABLE, StructTypeReference.create(Cluster.getDescriptor().getFullName()))
                .build();
        static final CelRuntime RUNTIME = CelRuntimeFactory.plannerRuntimeBuilder()
                .addMessageTypes(Cluster.getDescriptor())
                .build();
    }

    /** Turns the common shapes of rules into words; anything else is quoted as written. */
    static final class RuleDescription {
        private static final Pattern LABEL_EQ = Pattern.compile(
                "cluster\\.labels(?:\\.([A-Za-z_][\\w]*)|\\[\\s*['\"]([^'\"]+)['\"]\\s*\\])\\s*==\\s*['\"]([^'\"]*)['\"]");
        private static final Pattern FIELD_EQ = Pattern.compile("cluster\\.(\\w+)\\s*==\\s*['\"]([^'\"]*)['\"]");
        private static final Pattern IN_LIST = Pattern.compile("['\"]([^'\"]+)['\"]\\s+in\\s+cluster\\.(\\w+)");
        private static final Pattern HAS_LABEL = Pattern.compile("['\"]([^'\"]+)['\"]\\s+in\\s+cluster\\.labels");

        static Optional<String> of(String expression) {
            String[] terms = expression.split("&&");
            StringBuilder out = new StringBuilder();
            for (String raw : terms) {
                String term = stripParens(raw.trim());
                String words = term(term);
                if (words == null) {
                    return Optional.empty();
                }
                out.append(out.length() == 0 ? "" : ", ").append(words);
            }
            return Optional.of(out.toString());
        }

        private static String term(String term) {
            Matcher m = LABEL_EQ.matcher(term);
            if (m.matches()) {
                return "labels." + (m.group(1) != null ? m.group(1) : m.group(2)) + "=" + m.group(3);
            }
            m = HAS_LABEL.matcher(term);
            if (m.matches()) {
                return "label " + m.group(1);
            }
            m = IN_LIST.matcher(term);
            if (m.matches()) {
                return m.group(2) + " including " + m.group(1);
            }
            m = FIELD_EQ.matcher(term);
            if (m.matches()) {
                return m.group(1) + "=" + m.group(2);
            }
            return null;
        }

        private static String stripParens(String s) {
            while (s.startsWith("(") && s.endsWith(")")) {
                s = s.substring(1, s.length() - 1).trim();
            }
            return s;
        }
    }
}
