package dev.lattice.core.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The YAML we write reads back the same in a YAML 1.1 reader, as kubectl, Helm and PyYAML read it. SnakeYAML 1.x/2.x
 * (on the class path through CEL) implements YAML 1.1's implicit types, so it stands in for them here.
 */
class DocumentsTest {

    /** What a YAML 1.1 reader makes of the value of {@code key} in our YAML. */
    static Object yaml11(Object value) {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("key", value);
        Map<?, ?> read = new Yaml(new LoaderOptions()).load(Documents.yaml(tree));
        return read.get("key");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"no", "yes", "on", "off", "y", "n", "Y", "True", "FALSE", "0x10", "012", "1e3", "1_000",
            "2026-01-01", "2026-01-01T10:00:00Z", "~", "null", "Null", ".inf", "-.Inf", ".nan", "<<", "=", "0b101", "1:20",
            "190:20:30.15", "+12", "-0", "3.", ".5", "1.5e+3", ""})
    void aStringThatYaml11ReadsAsSomethingElseIsQuoted(String value) {
        assertThat(yaml11(value)).isEqualTo(value);
        assertThat(Documents.yaml(Map.of("key", value))).as("quoted").matches("key: (['\"]).*\\1\\n");
    }

    @Test
    void numbersBooleansAndNullsStayPlain() {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("replicas", 3);
        tree.put("big", 12345678901L);
        tree.put("score", 0.667);
        tree.put("enabled", true);
        tree.put("cluster", null);
        tree.put("name", "web");
        tree.put("memory", "16Gi");
        assertThat(Documents.yaml(tree)).isEqualTo("replicas: 3\nbig: 12345678901\nscore: 0.667\nenabled: true\ncluster: null\n"
                + "name: web\nmemory: 16Gi\n");
    }

    @Test
    @DisplayName("random strings of YAML's tricky characters read back unchanged in a YAML 1.1 reader")
    void randomStringsRoundTripThroughAYaml11Reader() {
        String[] pieces = {"0", "1", "7", "9", "_", ".", ":", "-", "+", "e", "E", "x", "b", "o", "y", "n", "Y", "N", "t", "T",
            "rue", "alse", "ON", "Off", "no", "yes", "~", "null", "inf", "nan", "<<", "=", " ", "T", "Z", "2026-", "01-",
            "#", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`", ",", "[", "]", "{", "}", "?", "\\", "\t", "é"};
        Random random = new Random(19);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            StringBuilder s = new StringBuilder();
            int n = 1 + random.nextInt(5);
            for (int j = 0; j < n; j++) {
                s.append(pieces[random.nextInt(pieces.length)]);
            }
            String value = s.toString();
            Object back;
            try {
                back = yaml11(value);
            } catch (RuntimeException e) {
                back = e;
            }
            if (!value.equals(back)) {
                failures.add("[" + value + "] -> " + back);
            }
        }
        assertThat(failures).isEmpty();
    }
}
