package dev.lattice.core.parse;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.resolver.BaseScalarResolver;
import org.snakeyaml.engine.v2.resolver.CoreScalarResolver;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads multi-document YAML (and JSON, which YAML 1.2 includes) into {@link YNode} trees that keep every
 * node's line and column. Syntax errors, duplicate keys and unsupported tags become located problems.
 */
public final class YamlLoader {
    /** Collections a document may nest; every reader (this, the fast one, JSON) refuses deeper ones. */
    static final int MAX_DEPTH = 64;
    /** Nodes (keys, values, collections, and what aliases repeat) a document may hold, in every reader. */
    static final int MAX_NODES = 1_000_000;

    private YamlLoader() {
    }

    /** A piece of a YAML stream holding whole documents, and the line it starts on (0-based). */
    public record Chunk(String text, int firstLine) {
    }

    /**
     * Cuts a multi-document stream into chunks of about {@code targetSize} characters at document markers
     * ({@code ---} at the start of a line), so the chunks can be read in parallel. YAML forbids such a line inside
     * any scalar, so a cut never splits a document. A stream with directives ({@code %YAML}) stays whole.
     */
    public static List<Chunk> split(String text, int targetSize) {
        List<Chunk> chunks = new ArrayList<>();
        if (text.length() <= targetSize || text.startsWith("%") || text.contains("\n%")) {
            chunks.add(new Chunk(text, 0));
            return chunks;
        }
        int start = 0;
        int startLine = 0;
        int line = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) != '\n') {
                continue;
            }
            line++;
            int next = i + 1;
            if (next - start >= targetSize && isDocumentStart(text, next)) {
                chunks.add(new Chunk(text.substring(start, next), startLine));
                start = next;
                startLine = line;
            }
        }
        chunks.add(new Chunk(text.substring(start), startLine));
        return chunks;
    }

    private static boolean isDocumentStart(String text, int at) {
        if (!text.startsWith("---", at)) {
            return false;
        }
        int after = at + 3;
        return after == text.length() || Character.isWhitespace(text.charAt(after));
    }

    /** The documents of one file, in order; empty documents are skipped. */
    public static List<YNode> load(String file, String text, Problems problems) {
        return load(file, new Chunk(text, 0), problems);
    }

    /** The documents of one chunk of a file, located in the whole file. */
    public static List<YNode> load(String file, Chunk chunk, Problems problems) {
        Optional<List<YNode>> common = BlockYamlReader.read(file, chunk);
        return common.isPresent() ? common.get() : loadWithEngine(file, chunk, problems);
    }

    /** Reads with snakeyaml-engine, which knows all of YAML and reports what is wrong. */
    static List<YNode> loadWithEngine(String file, Chunk chunk, Problems problems) {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(file)
                .setSchema(new CoreSchema())
                .setCodePointLimit(64 * 1024 * 1024)
                .build();
        TreeBuilder builder = new TreeBuilder(file, chunk.firstLine(), problems);
        try {
            for (Event event : new Parse(settings).parseString(chunk.text())) {
                builder.accept(event);
                if (builder.refused) {
                    // Past a bound nothing more is read: the cost stays that of the bound, not of the input.
                    break;
                }
            }
        } catch (MarkedYamlEngineException e) {
            Mark mark = e.getProblemMark().or(e::getContextMark).orElse(null);
            problems.error(at(file, mark, chunk.firstLine()), syntaxMessage(e), syntaxHint(e));
        } catch (YamlEngineException e) {
            problems.error(Location.ofFile(file), "YAML syntax error: " + firstLine(e.getMessage()));
        }
        return builder.documents;
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

    /** The type the YAML 1.2 core schema gives a plain (unquoted, untagged) scalar. */
    static YNode.ScalarType plainType(String value) {
        return type(TreeBuilder.RESOLVER.resolve(value, true));
    }

    private static YNode.ScalarType type(Tag tag) {
        if (Tag.STR.equals(tag)) {
            return YNode.ScalarType.STRING;
        } else if (Tag.INT.equals(tag)) {
            return YNode.ScalarType.INT;
        } else if (Tag.FLOAT.equals(tag)) {
            return YNode.ScalarType.FLOAT;
        } else if (Tag.BOOL.equals(tag)) {
            return YNode.ScalarType.BOOL;
        } else if (Tag.NULL.equals(tag)) {
            return YNode.ScalarType.NULL;
        }
        return null;
    }

    /** The problem every reader reports for a document nested too deeply. */
    static String depthMessage() {
        return "document nests more than " + MAX_DEPTH + " levels deep";
    }

    /** The problem every reader reports for a document with too many nodes. */
    static String nodesMessage() {
        return "document has more than " + MAX_NODES + " nodes";
    }

    static Location at(String file, Mark mark, int lineOffset) {
        return mark == null ? Location.ofFile(file) : new Location(file, lineOffset + mark.getLine() + 1, mark.getColumn() + 1);
    }

    /**
     * Builds {@link YNode} trees straight from parser events. Checks what the events alone do not: duplicate keys,
     * non-scalar keys, unsupported tags, undefined aliases, and documents that nest or expand too much.
     */
    private static final class TreeBuilder {
        static final BaseScalarResolver RESOLVER = new CoreScalarResolver(false);

        private final String file;
        private final int lineOffset;
        private final Problems problems;
        final List<YNode> documents = new ArrayList<>();
        private final Deque<Open> open = new ArrayDeque<>();
        private final Map<String, YNode> anchors = new HashMap<>();
        /** Expanded size of each node reached through an anchor, to stop alias bombs. */
        private final Map<YNode, Integer> sizes = new IdentityHashMap<>();
        private YNode root;
        private long expanded;
        private boolean throughAlias;
        private boolean skipping;
        boolean refused;

        TreeBuilder(String file, int lineOffset, Problems problems) {
            this.file = file;
            this.lineOffset = lineOffset;
            this.problems = problems;
        }

        /** A mapping or sequence still being read. */
        private static final class Open {
            final boolean mapping;
            final Location location;
            final String anchor;
            final List<YNode.Entry> entries = new ArrayList<>();
            final List<YNode> items = new ArrayList<>();
            final Map<String, Location> keys = new HashMap<>();
            YNode.Scalar pendingKey;
            boolean skipValue;
            long sizeAtStart;

            Open(boolean mapping, Location location, String anchor) {
                this.mapping = mapping;
                this.location = location;
                this.anchor = anchor;
            }
        }

        void accept(Event event) {
            switch (event.getEventId()) {
                case DocumentStart:
                    anchors.clear();
                    sizes.clear();
                    open.clear();
                    root = null;
                    expanded = 0;
                    throughAlias = false;
                    skipping = false;
                    return;
                case DocumentEnd:
                    if (!skipping && root != null && !(root instanceof YNode.Scalar s && s.isNull())) {
                        documents.add(root);
                    }
                    return;
                default:
                    break;
            }
            if (skipping) {
                return;
            }
            switch (event.getEventId()) {
                case Scalar:
                    add(scalar((ScalarEvent) event), anchorOf((NodeEvent) event), 1);
                    break;
                case Alias:
                    alias((AliasEvent) event);
                    break;
                case MappingStart:
                case SequenceStart:
                    start((CollectionStartEvent) event);
                    break;
                case MappingEnd:
                case SequenceEnd:
                    end();
                    break;
                default:
                    break;
            }
        }

        private void start(CollectionStartEvent event) {
            Location location = at(event.getStartMark());
            if (open.size() >= MAX_DEPTH) {
                refuse(location, depthMessage());
                return;
            }
            event.getTag().ifPresent(tag -> {
                if (!tag.equals(Tag.MAP.getValue()) && !tag.equals(Tag.SEQ.getValue()) && !tag.equals("!")) {
                    problems.error(location, "unsupported YAML tag " + tag, "remove the tag; Lattice reads plain YAML");
                }
            });
            Open o = new Open(event.getEventId() == Event.ID.MappingStart, location, anchorOf(event));
            o.sizeAtStart = expanded;
            open.push(o);
        }

        private void end() {
            Open o = open.pop();
            YNode node = o.mapping ? new YNode.Mapping(o.entries, o.location) : new YNode.Sequence(o.items, o.location);
            // Its own size was counted as its children were added; only the node itself is new.
            add(node, o.anchor, 1);
            if (o.anchor != null) {
                sizes.put(node, (int) Math.min(Integer.MAX_VALUE, expanded - o.sizeAtStart));
            }
        }

        private void alias(AliasEvent event) {
            String name = event.getAlias().getValue();
            YNode target = anchors.get(name);
            if (target == null) {
                giveUp(at(event.getStartMark()), "undefined alias *" + name);
                return;
            }
            int size = sizes.getOrDefault(target, 1);
            throughAlias |= size > 1;
            add(target, null, size);
        }

        private void add(YNode node, String anchor, long size) {
            expanded += size;
            if (expanded > MAX_NODES) {
                refuse(node.location(), throughAlias
                        ? "document expands to more than " + MAX_NODES + " nodes through its aliases"
                        : nodesMessage());
                return;
            }
            if (anchor != null) {
                anchors.put(anchor, node);
                sizes.putIfAbsent(node, 1);
            }
            Open parent = open.peek();
            if (parent == null) {
                root = node;
            } else if (!parent.mapping) {
                parent.items.add(node);
            } else if (parent.pendingKey == null && !parent.skipValue) {
                key(parent, node);
            } else {
                if (!parent.skipValue) {
                    parent.entries.add(new YNode.Entry(parent.pendingKey, node));
                }
                parent.pendingKey = null;
                parent.skipValue = false;
            }
        }

        private void key(Open parent, YNode node) {
            if (!(node instanceof YNode.Scalar key)) {
                problems.error(node.location(), "a mapping key must be a plain string, not " + node.describe());
                parent.skipValue = true;
                return;
            }
            YNode.Scalar asString = new YNode.Scalar(key.value(), YNode.ScalarType.STRING, key.location());
            Location first = parent.keys.putIfAbsent(key.value(), key.location());
            if (first != null) {
                problems.error(key.location(), "duplicate key \"" + key.value() + "\"",
                        "it is already set at line " + first.line() + "; remove one of them");
                parent.skipValue = true;
                return;
            }
            parent.pendingKey = asString;
        }

        private YNode.Scalar scalar(ScalarEvent event) {
            Location location = at(event.getStartMark());
            Tag tag;
            if (event.getTag().isPresent() && !event.getTag().get().equals("!")) {
                tag = new Tag(event.getTag().get());
            } else if (event.getTag().isEmpty() && event.isPlain()) {
                tag = RESOLVER.resolve(event.getValue(), true);
            } else {
                tag = Tag.STR;
            }
            YNode.ScalarType type = type(tag);
            if (type == null) {
                problems.error(location, "unsupported YAML tag " + tag, "remove the tag; Lattice reads plain YAML");
                type = YNode.ScalarType.STRING;
            }
            return new YNode.Scalar(event.getValue(), type, location);
        }

        private void refuse(Location at, String message) {
            giveUp(at, message);
            refused = true;
        }

        private void giveUp(Location at, String message) {
            problems.error(at, message);
            skipping = true;
            open.clear();
            root = null;
        }

        private static String anchorOf(NodeEvent event) {
            return event.getAnchor().map(a -> a.getValue()).orElse(null);
        }

        private Location at(Optional<Mark> mark) {
            return YamlLoader.at(file, mark.orElse(null), lineOffset);
        }
    }
}
