package dev.lattice.core.parse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads JSON (one value, or a stream of values as {@code jq -c} writes them) into the same located tree as
 * {@link YamlLoader}, several times faster: machine-written input such as {@code kubectl get -o json} is read
 * this way. JSON is YAML, so the result is the same tree YamlLoader would build.
 */
final class JsonLoader {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(YamlLoader.MAX_DEPTH).build())
            .build();

    /** Thrown past a bound, to stop reading at once. */
    private static final class Refused extends RuntimeException {
        final Location location;

        Refused(Location location, String message) {
            super(message, null, false, false);
            this.location = location;
        }
    }

    /** Thrown when the text is not JSON, to hand it to the YAML reader. */
    private static final class NotJson extends RuntimeException {
        NotJson() {
            super(null, null, false, false);
        }
    }

    /**
     * The documents, with their problems added to {@code problems}; or empty when the text is not JSON, by its first
     * character or though it starts like it: {@code {kind: X}} is YAML's flow style, so YAML reads it (and reports what is wrong). A file named
     * {@code *.json} is JSON, and its syntax errors are reported as such.
     */
    static Optional<List<YNode>> tryLoad(String file, String text, Problems problems) {
        if (!looksLikeJson(text)) {
            return Optional.empty();
        }
        if (file.endsWith(".json")) {
            return Optional.of(load(file, text, problems));
        }
        Problems own = new Problems();
        try {
            List<YNode> documents = load(file, text, own, true);
            problems.addAll(own);
            return Optional.of(documents);
        } catch (NotJson e) {
            return Optional.empty();
        }
    }

    private JsonLoader() {
    }

    /** Whether a text is JSON by its first significant character. */
    private static boolean looksLikeJson(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isWhitespace(c)) {
                return c == '{' || c == '[';
            }
        }
        return false;
    }

    static List<YNode> load(String file, String text, Problems problems) {
        return load(file, text, problems, false);
    }

    private static List<YNode> load(String file, String text, Problems problems, boolean orNotJson) {
        List<YNode> documents = new ArrayList<>();
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                int[] nodes = {0};
                documents.add(value(file, parser, token, problems, nodes));
            }
        } catch (Refused e) {
            problems.error(e.location, e.getMessage());
        } catch (StreamConstraintsException e) {
            JsonLocation at = e.getLocation();
            problems.error(at == null ? Location.ofFile(file) : new Location(file, at.getLineNr(), at.getColumnNr()),
                    YamlLoader.depthMessage());
        } catch (JsonProcessingException e) {
            if (orNotJson) {
                throw new NotJson();
            }
            JsonLocation at = e.getLocation();
            Location location = at == null ? Location.ofFile(file) : new Location(file, at.getLineNr(), at.getColumnNr());
            problems.error(location, "JSON syntax error: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            problems.error(Location.ofFile(file), "cannot read JSON: " + e.getMessage());
        }
        return documents;
    }

    private static YNode value(String file, JsonParser parser, JsonToken token, Problems problems, int[] nodes) throws IOException {
        Location location = at(file, parser);
        if (++nodes[0] > YamlLoader.MAX_NODES) {
            throw new Refused(location, YamlLoader.nodesMessage());
        }
        switch (token) {
            case START_OBJECT: {
                List<YNode.Entry> entries = new ArrayList<>();
                Map<String, Location> keys = new HashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    Location keyAt = at(file, parser);
                    nodes[0]++;
                    YNode v = value(file, parser, parser.nextToken(), problems, nodes);
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
                    items.add(value(file, parser, t, problems, nodes));
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
