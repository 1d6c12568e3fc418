package dev.lattice.testfixtures;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Evaluates a CRD's {@code x-kubernetes-validations} rules with CEL, as a current API server would on create.
 * The kube-envtest server (1.20) predates them and drops them, so this is where they are checked. Transition
 * rules ({@code oldSelf}) do not apply on create; a rule that uses a Kubernetes-only function is reported as
 * unchecked rather than passed silently.
 */
final class CrdRules {
    private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addLibraries(CelExtensions.strings())
            .addVar("self", SimpleType.DYN)
            .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder()
            .addLibraries(CelExtensions.strings())
            .build();
    private static final Map<String, Object> PROGRAMS = new ConcurrentHashMap<>();

    private CrdRules() {
    }

    @SuppressWarnings("unchecked")
    static void check(Object value, List<?> rules, String where, List<String> out) {
        for (Object r : rules) {
            Map<String, Object> rule = (Map<String, Object>) r;
            String expression = (String) rule.get("rule");
            if (expression.contains("oldSelf")) {
                continue;
            }
            Object program = PROGRAMS.computeIfAbsent(expression, CrdRules::compile);
            if (program instanceof String unchecked) {
                out.add(where + ": rule not checkable here: " + unchecked);
                continue;
            }
            try {
                Object result = ((CelRuntime.Program) program).eval(Map.of("self", cel(value)));
                if (!Boolean.TRUE.equals(result)) {
                    Object message = rule.getOrDefault("message", "failed rule: " + expression);
                    out.add(where + ": " + message + " (x-kubernetes-validations: " + expression + ")");
                }
            } catch (CelEvaluationException e) {
                out.add(where + ": rule " + expression + " failed to evaluate: " + e.getMessage());
            }
        }
    }

    private static Object compile(String expression) {
        try {
            CelAbstractSyntaxTree ast = COMPILER.compile(expression).getAst();
            return RUNTIME.createProgram(ast);
        } catch (CelValidationException | CelEvaluationException e) {
            return expression + " (" + e.getMessage().lines().findFirst().orElse("") + ")";
        }
    }

    /** YAML-loaded values as CEL sees JSON: integers are int64. */
    private static Object cel(Object value) {
        if (value instanceof Integer i) {
            return i.longValue();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), cel(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(cel(v)));
            return out;
        }
        return value;
    }
}
