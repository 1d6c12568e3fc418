package dev.lattice.core.io;

import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.resolver.CoreScalarResolver;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;

/**
 * How the YAML we write decides which strings to quote: a string is written plain only when no reader takes it for
 * something else. snakeyaml-engine follows YAML 1.2's JSON schema, where {@code no}, {@code on}, {@code True},
 * {@code 1_000} or {@code 2026-01-01} are strings; kubectl, Helm, PyYAML and Go's yaml.v2 read YAML 1.1, where they
 * are booleans, numbers and dates. So a scalar resolves to a non-string tag if YAML 1.2's core schema or YAML 1.1's
 * type repository would give it one, and every such string is quoted. Numbers, booleans and nulls we write stay plain.
 */
final class QuotingResolver implements ScalarResolver {
    private static final ScalarResolver CORE = new CoreScalarResolver(false);
    private static final Tag TIMESTAMP = new Tag(Tag.PREFIX + "timestamp");
    private static final Tag VALUE = new Tag(Tag.PREFIX + "value");

    /** YAML 1.1's booleans (yaml.org/type/bool). */
    private static final Pattern BOOL = Pattern.compile(
            "y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
    /** YAML 1.1's integers (yaml.org/type/int): binary, octal with a leading 0, underscores, hex, base 60. */
    private static final Pattern INT = Pattern.compile("[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)"
            + "|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+");
    /**
     * YAML 1.1's floats (yaml.org/type/float), and the exponent forms without a dot ({@code 1e3}) that Go's yaml.v2
     * and PyYAML's successors take for numbers too.
     */
    private static final Pattern FLOAT = Pattern.compile("[-+]?(?:[0-9][0-9_]*)?\\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
            + "|[-+]?[0-9][0-9_]*(?:[eE][-+]?[0-9]+)|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*"
            + "|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)");
    private static final Pattern NULL = Pattern.compile("~|null|Null|NULL|");
    /** YAML 1.1's timestamps (yaml.org/type/timestamp): a date, or a date and time. */
    private static final Pattern DATE = Pattern.compile("[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
            + "(?:(?:[Tt]|[ \\t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]*)?(?:[ \\t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?");

    @Override
    public Tag resolve(String value, Boolean implicit) {
        if (!implicit) {
            return Tag.STR;
        }
        Tag core = CORE.resolve(value, true);
        if (!core.equals(Tag.STR)) {
            return core;
        }
        if (BOOL.matcher(value).matches()) {
            return Tag.BOOL;
        }
        if (INT.matcher(value).matches()) {
            return Tag.INT;
        }
        if (FLOAT.matcher(value).matches()) {
            return Tag.FLOAT;
        }
        if (NULL.matcher(value).matches()) {
            return Tag.NULL;
        }
        if (DATE.matcher(value).matches()) {
            return TIMESTAMP;
        }
        if (value.equals("<<")) {
            return Tag.MERGE;
        }
        return value.equals("=") ? VALUE : Tag.STR;
    }
}
