package dev.lattice.core.capi;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * clusterctl's variable substitution, for provider component manifests and rendered objects: {@code ${NAME}},
 * and with a default {@code ${NAME:=default}} or {@code ${NAME:-default}} (used when NAME is unset or empty) or
 * {@code ${NAME=default}} / {@code ${NAME-default}} (only when unset). Values are never logged.
 */
public final class Variables {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[=-])([^}]*))?}");

    private Variables() {
    }

    /** The text with every reference replaced, and the names that had neither a value nor a default. */
    public record Result(String text, Set<String> missing) {
    }

    public static Result substitute(String text, Function<String, String> values) {
        Set<String> missing = new TreeSet<>();
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String operator = m.group(2);
            String value = values.apply(name);
            boolean useDefault = operator != null
                    && (value == null || operator.startsWith(":") && value.isEmpty());
            String replacement;
            if (useDefault) {
                replacement = m.group(3);
            } else if (value != null) {
                replacement = value;
            } else {
                missing.add(name);
                replacement = m.group(0);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return new Result(out.toString(), missing);
    }

    public static Result substitute(String text, Map<String, String> values) {
        return substitute(text, values::get);
    }

    /** The names a text refers to, with or without defaults. */
    public static Set<String> referenced(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = REFERENCE.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
