package dev.lattice.core.parse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads multi-document YAML (and JSON, which YAML 1.2 includes) into {@link YNode} trees that keep every
 * node's line and column. Syntax errors, duplicate keys and unsupported tags become located problems.
 */
public final class YamlLoader {
    private static final int MAX_DEPTH = 64;
    private static final int MAX_NODES = 1_000_000;

    private YamlLoader() {
    }

    /** The documents of one file, in order; empty documents are skipped. */
    public static List<YNode> load(String file, String text, Problems problems) {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(file)
                .setSchema(new CoreSchema())
                .setAllowRecursiveKeys(false)
                .setMaxAliasesForCollections(100)
                .setCodePointLimit(64 * 1024 * 1024)
                .build();
        List<YNode> docs = new ArrayList<>();
        try {
            for (Node node : new Compose(settings).composeAllFromString(text)) {
                if (node == null) {
                    continue;
                }
                Converter converter = new Converter(file, problems);
                YNode converted = converter.convert(node, 0);
                if (converted != null && !(converted instanceof YNode.Scalar s && s.isNull())) {
                    docs.add(converted);
                }
            }
        } catch (MarkedYamlEngineException e) {
            Mark mark = e.getProblemMark().or(e::getContextMark).orElse(null);
            problems.error(at(file, mark), syntaxMessage(e), syntaxHint(e));
        } catch (YamlEngineException e) {
            problems.error(Location.ofFile(file), "YAML syntax error: " + firstLine(e.getMessage()));
        }
        return docs;
    }

    private static String syntaxMessage(MarkedYamlEngineException e) {
        String problem = e.getProblem() == null ? firstLine(e.getMessage()) : e.getProblem();
        String context = e.getContext() == null ? "" : e.getContext() + ": ";
        return "YAML syntax error: " + context + problem;
    }

    private static String syntaxHint(MarkedYamlEngineException e) {
        String text = String.valueOf(e.getProblem());
        if (text.contains("\\t") || text.contains("\t")) {
            return "YAML does not allow tabs for indentation; indent with spaces";
        }
        if (text.contains("mapping values are not allowed")) {
            return "a value that contains ': ' must be quoted, or the line is indented wrongly";
        }
        return null;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    static Location at(String file, Mark mark) {
        return mark == null ? Location.ofFile(file) : new Location(file, mark.getLine() + 1, mark.getColumn() + 1);
    }

    static Location at(String file, Optional<Mark> mark) {
        return at(file, mark.orElse(null));
    }

    private static final class Converter {
        private final String file;
        private final Problems problems;
        private final Map<Node, YNode> seen = new HashMap<>();
        private int nodes;

        Converter(String file, Problems problems) {
            this.file = file;
            this.problems = problems;
        }

        YNode convert(Node node, int depth) {
            Location location = at(file, node.getStartMark());
            if (depth > MAX_DEPTH || ++nodes > MAX_NODES) {
                if (nodes <= MAX_NODES + 1) {
                    problems.error(location, "document nests too deeply or expands too many aliases");
                }
                return null;
            }
            YNode done = seen.get(node);
            if (done != null) {
                return done;
            }
            YNode result;
            if (node instanceof ScalarNode scalar) {
                result = scalar(scalar, location);
            } else if (node instanceof SequenceNode seq) {
                List<YNode> items = new ArrayList<>();
                for (Node item : seq.getValue()) {
                    YNode converted = convert(item, depth + 1);
                    if (converted != null) {
                        items.add(converted);
                    }
                }
                result = new YNode.Sequence(items, location);
            } else {
                result = mapping((MappingNode) node, location, depth);
            }
            seen.put(node, result);
            return result;
        }

        private YNode mapping(MappingNode node, Location location, int depth) {
            List<YNode.Entry> entries = new ArrayList<>();
            Map<String, Location> keys = new HashMap<>();
            for (NodeTuple tuple : node.getValue()) {
                Node keyNode = tuple.getKeyNode();
                Location keyLocation = at(file, keyNode.getStartMark());
                if (!(keyNode instanceof ScalarNode rawKey)) {
                    problems.error(keyLocation, "a mapping key must be a plain string, not " +
                            (keyNode instanceof SequenceNode ? "a list" : "a mapping"));
                    continue;
                }
                YNode.Scalar key = new YNode.Scalar(rawKey.getValue(), YNode.ScalarType.STRING, keyLocation);
                Location first = keys.putIfAbsent(key.value(), keyLocation);
                if (first != null) {
                    problems.error(keyLocation, "duplicate key \"" + key.value() + "\"",
                            "it is already set at line " + first.line() + "; remove one of them");
                    continue;
                }
                YNode value = convert(tuple.getValueNode(), depth + 1);
                if (value != null) {
                    entries.add(new YNode.Entry(key, value));
                }
            }
            return new YNode.Mapping(entries, location);
        }

        private YNode scalar(ScalarNode node, Location location) {
            Tag tag = node.getTag();
            YNode.ScalarType type;
            if (Tag.STR.equals(tag)) {
                type = YNode.ScalarType.STRING;
            } else if (Tag.INT.equals(tag)) {
                type = YNode.ScalarType.INT;
            } else if (Tag.FLOAT.equals(tag)) {
                type = YNode.ScalarType.FLOAT;
            } else if (Tag.BOOL.equals(tag)) {
                type = YNode.ScalarType.BOOL;
            } else if (Tag.NULL.equals(tag)) {
                type = YNode.ScalarType.NULL;
            } else {
                problems.error(location, "unsupported YAML tag " + tag, "remove the tag; Lattice reads plain YAML");
                type = YNode.ScalarType.STRING;
            }
            return new YNode.Scalar(node.getValue(), type, location);
        }
    }
}
