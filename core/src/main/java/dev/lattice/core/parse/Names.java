package dev.lattice.core.parse;

import java.util.Locale;
import java.util.regex.Pattern;

/** Kubernetes naming rules, with messages that say what is allowed. */
public final class Names {
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern LABEL_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

    private Names() {
    }

    /** A DNS-1123 label: 1-63 of [a-z0-9-], starting and ending with a letter or digit. Hot: no regex. */
    public static boolean isDnsLabel(String s) {
        int n = s == null ? 0 : s.length();
        if (n == 0 || n > 63 || s.charAt(0) == '-' || s.charAt(n - 1) == '-') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** Null when {@code name} is a DNS-1123 label, else why not. */
    public static String dnsLabelProblem(String what, String name) {
        return isDnsLabel(name) ? null : nameProblem(what, name, "label", 63, "'-'");
    }

    private static String nameProblem(String what, String name, String kind, int most, String punctuation) {
        String why = name.length() > most ? "it is " + name.length() + " characters long, at most " + most + " are allowed"
                : "use lowercase letters, digits and " + punctuation + ", starting and ending with a letter or digit";
        return "invalid " + what + " " + Problem.quote(name) + ": not a DNS-1123 " + kind + ": " + why;
    }

    /** A DNS-1123 subdomain: at most 253 characters, DNS-1123 labels joined by dots. */
    public static boolean isDnsSubdomain(String s) {
        return s != null && !s.isEmpty() && s.length() <= 253 && DNS_SUBDOMAIN.matcher(s).matches();
    }

    /** Null when {@code name} is a DNS-1123 subdomain, else why not. */
    public static String dnsSubdomainProblem(String what, String name) {
        return isDnsSubdomain(name) ? null : nameProblem(what, name, "subdomain", 253, "'-' and '.'");
    }

    /** A DNS-1123 label close to {@code name}, to suggest. */
    public static String suggestLabel(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
        if (s.length() > 63) {
            s = s.substring(0, 63).replaceAll("-+$", "");
        }
        return s.isEmpty() ? null : s;
    }

    /** Null when {@code key} is a valid label key ({@code [prefix/]name}), else why not. */
    public static String labelKeyProblem(String key) {
        String name = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
                return "invalid label key " + Problem.quote(key) + ": the prefix before '/' must be a DNS subdomain such as example.com";
            }
        }
        if (name.isEmpty() || name.length() > 63 || !LABEL_NAME.matcher(name).matches()) {
            return "invalid label key " + Problem.quote(key) + ": the name must be 1-63 letters, digits, '-', '_' or '.', "
                    + "starting and ending with a letter or digit";
        }
        return null;
    }

    /** Null when {@code value} is a valid label value, else why not. */
    public static String labelValueProblem(String value) {
        if (value.isEmpty() || (value.length() <= 63 && LABEL_NAME.matcher(value).matches())) {
            return null;
        }
        return "invalid label value " + Problem.quote(value) + ": at most 63 letters, digits, '-', '_' or '.', "
                + "starting and ending with a letter or digit";
    }

    public static boolean isEnvName(String name) {
        return ENV_NAME.matcher(name).matches();
    }
}
