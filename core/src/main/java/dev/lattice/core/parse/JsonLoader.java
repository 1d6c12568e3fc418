package dev.lattice.core.parse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads JSON (one value, or a stream of values as {@code jq -c} writes them) into the same located tree as
 * {@link YamlLoader}, several times faster: machine-written input such as {@code kubectl get -o json} is read
 * this way. JSON is YAML, so the result is the same tree YamlLoader would build.
 */
final class JsonLoader {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build();

    private JsonLoader() {
    }

    /** Whether a text is JSON by its first significant character. */
    static boolean looksLikeJson(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isWhitespace(c)) {
                return c == '{' || c == '[';
            }
        }
        return false;
    }

    static List<YNode> load(String file, String text, Problems problems) {
        List<YNode> documents = new ArrayList<>();
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                documents.add(value(file, parser, token, problems));
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            Location location = at == null ? Location.ofFile(file) : new Location(file, at.getLineNr(), at.getColumnNr());
            problems.error(location, "JSON syntax error: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            problems.error(Location.ofFile(file), "cannot read JSON: " + e.getMessage());
        }
        return documents;
    }

    private static YNode value(String file, JsonParser parser, JsonToken token, Problems problems) throws IOException {
        Location location = at(file, parser);
        switch (token) {
            case START_OBJECT: {
                List<YNode.Entry> entries = new ArrayList<>();
                Map<String, Location> keys = new HashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    Location keyAt = at(file, parser);
                    YNode v = value(file, parser, parser.nextToken(), problems);
                    Location first = keys.putIfAbsent(name, keyAt);
                    if (first != null) {
                        problems.error(keyAt, "duplicate key \"" + name + "\"",
                                "it is already set at line " + first.line() + "; remove one of them");
                    } else {
                        entries.add(new YNode.Entry(new YNode.Scalar(name, YNode.ScalarType.STRING, keyAt), v));
                    }
                }
                return new YNode.Mapping(entries, location);
            }
            case START_ARRAY: {
                List<YNode> items = new ArrayList<>();
                JsonToken t;
                while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
                    items.add(value(file, parser, t, problems));
                }
                return new YNode.Sequence(items, location);
            }
            case VALUE_STRING:
                return new YNode.Scalar(parser.getText(), YNode.ScalarType.STRING, location);
            case VALUE_NUMBER_INT:
                return new YNode.Scalar(parser.getText(), YNode.ScalarType.INT, location);
            case VALUE_NUMBER_FLOAT:
                return new YNode.Scalar(parser.getText(), YNode.ScalarType.FLOAT, location);
            case VALUE_TRUE:
            case VALUE_FALSE:
                return new YNode.Scalar(parser.getText(), YNode.ScalarType.BOOL, location);
            case VALUE_NULL:
                return new YNode.Scalar("null", YNode.ScalarType.NULL, location);
            default:
                throw new IllegalStateException("unexpected JSON token " + token);
        }
    }

    private static Location at(String file, JsonParser parser) {
        JsonLocation l = parser.currentTokenLocation();
        return new Location(file, l.getLineNr(), l.getColumnNr());
    }
}
