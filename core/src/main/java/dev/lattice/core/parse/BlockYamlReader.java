package dev.lattice.core.parse;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the YAML that people and generators usually write (block mappings and sequences, one-line flow
 * collections, plain and quoted one-line scalars, comments, {@code ---}) about ten times faster than
 * snakeyaml-engine's scanner, into the same located tree. Anything outside that subset (anchors, tags, block or
 * multi-line scalars, escapes, empty values, tabs, odd characters) and anything wrong makes it give up, and
 * {@link YamlLoader} reads the text with snakeyaml-engine instead, which also reports the errors. A
 * differential test holds the two to the same trees.
 */
final class BlockYamlReader {
    /**
     * It counts every node, scalars included, so it reaches these bounds no later than snakeyaml-engine does and
     * hands such documents over to it, which reports them.
     */
    private static final int MAX_DEPTH = YamlLoader.MAX_DEPTH;
    private static final int MAX_NODES = YamlLoader.MAX_NODES;

    /** Thrown to leave the subset; never escapes this class. */
    private static final class OutsideSubset extends RuntimeException {
        private static final OutsideSubset INSTANCE = new OutsideSubset();

        private OutsideSubset() {
            super(null, null, false, false);
        }
    }

    private final String file;
    private final String text;
    private final int lineOffset;
    private int pos;
    private int line;
    private int lineStart;
    private int depth;
    private int nodes;

    private BlockYamlReader(String file, String text, int lineOffset) {
        this.file = file;
        this.text = text;
        this.lineOffset = lineOffset;
    }

    /** The documents of a chunk, or empty when the chunk is not (all) in the subset this reader knows. */
    static Optional<List<YNode>> read(String file, YamlLoader.Chunk chunk) {
        if (!onlyPlainCharacters(chunk.text())) {
            return Optional.empty();
        }
        try {
            return Optional.of(new BlockYamlReader(file, chunk.text(), chunk.firstLine()).documents());
        } catch (OutsideSubset e) {
            return Optional.empty();
        }
    }

    /** Printable characters only, no tabs, carriage returns or surrogates (columns count code points). */
    private static boolean onlyPlainCharacters(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 ? c != '\n' : c >= 0x7f && (c < 0xa0 || c >= 0xd800)) {
                return false;
            }
        }
        return true;
    }

    private static OutsideSubset outside() {
        return OutsideSubset.INSTANCE;
    }

    private List<YNode> documents() {
        List<YNode> documents = new ArrayList<>();
        skipBlankLines();
        if (atDocumentMarker()) {
            startDocument();
        }
        while (true) {
            skipBlankLines();
            if (pos >= text.length()) {
                return documents;
            }
            if (!atDocumentMarker()) {
                if (column() != 0) {
                    throw outside();
                }
                nodes = 0;
                YNode root = blockNode();
                if (root instanceof YNode.Scalar) {
                    throw outside();
                }
                documents.add(root);
                skipBlankLines();
                if (pos < text.length() && !atDocumentMarker()) {
                    throw outside();
                }
            }
            if (pos < text.length()) {
                startDocument();
            }
        }
    }

    private boolean atDocumentMarker() {
        return pos == lineStart && text.startsWith("---", pos)
                && (pos + 3 == text.length() || text.charAt(pos + 3) == ' ' || text.charAt(pos + 3) == '\n');
    }

    /** Consumes a {@code ---} line; content after the marker on the same line is outside the subset. */
    private void startDocument() {
        pos += 3;
        skipSpaces();
        endOfLine();
    }

    /** A node that starts at the current position, the first character of a line's content. */
    private YNode blockNode() {
        if (++depth > MAX_DEPTH || ++nodes > MAX_NODES) {
            throw outside();
        }
        YNode node;
        if (atSequenceEntry()) {
            node = blockSequence(column());
        } else if (atMappingKey()) {
            node = blockMapping(column());
        } else {
            node = inlineNode(false);
            endOfLine();
        }
        depth--;
        return node;
    }

    private YNode.Mapping blockMapping(int indent) {
        Location location = location();
        List<YNode.Entry> entries = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        while (true) {
            YNode.Scalar key = key(false);
            if (!keys.add(key.value())) {
                throw outside();
            }
            expect(':');
            YNode value;
            if (skipSpaces() && !atEndOfLine()) {
                value = inlineNode(false);
                endOfLine();
            } else {
                endOfLine();
                skipBlankLines();
                if (pos < text.length() && !atDocumentMarker()
                        && (column() > indent || column() == indent && atSequenceEntry())) {
                    value = blockNode();
                } else {
                    throw outside();
                }
            }
            entries.add(new YNode.Entry(key, value));
            skipBlankLines();
            if (pos >= text.length() || atDocumentMarker() || column() < indent) {
                return new YNode.Mapping(entries, location);
            }
            if (column() > indent || atSequenceEntry()) {
                throw outside();
            }
        }
    }

    private YNode.Sequence blockSequence(int indent) {
        Location location = location();
        List<YNode> items = new ArrayList<>();
        while (true) {
            pos++;
            if (skipSpaces() && !atEndOfLine()) {
                items.add(blockNode());
            } else {
                endOfLine();
                skipBlankLines();
                if (pos >= text.length() || atDocumentMarker() || column() <= indent) {
                    throw outside();
                }
                items.add(blockNode());
            }
            skipBlankLines();
            if (pos >= text.length() || atDocumentMarker() || column() < indent
                    || column() == indent && !atSequenceEntry()) {
                return new YNode.Sequence(items, location);
            }
            if (column() > indent) {
                throw outside();
            }
        }
    }

    private boolean atSequenceEntry() {
        return at('-') && (pos + 1 == text.length() || text.charAt(pos + 1) == ' ' || text.charAt(pos + 1) == '\n');
    }

    /** Whether the current line holds {@code key:} followed by a space or the end of the line. */
    private boolean atMappingKey() {
        int start = pos;
        int startLine = line;
        int startOfLine = lineStart;
        int startNodes = nodes;
        try {
            key(false);
            return at(':') && (pos + 1 == text.length() || text.charAt(pos + 1) == ' ' || text.charAt(pos + 1) == '\n');
        } catch (OutsideSubset e) {
            return false;
        } finally {
            pos = start;
            line = startLine;
            lineStart = startOfLine;
            nodes = startNodes;
        }
    }

    /** A mapping key: a quoted scalar or a plain one, with the spaces before its colon skipped. */
    private YNode.Scalar key(boolean flow) {
        if (++nodes > MAX_NODES) {
            throw outside();
        }
        Location location = location();
        String value;
        if (at('\'') || at('"')) {
            value = quoted();
        } else {
            if (!plainStart(flow)) {
                throw outside();
            }
            int end = plainEnd(flow);
            value = withoutTrailingSpaces(pos, end);
            pos = end;
        }
        skipSpaces();
        if (!at(':')) {
            throw outside();
        }
        return new YNode.Scalar(value, YNode.ScalarType.STRING, location);
    }

    /** A value on the current line, or inside a flow collection: a flow collection or a scalar. */
    private YNode inlineNode(boolean flow) {
        if (++nodes > MAX_NODES) {
            throw outside();
        }
        if (at('{')) {
            return flowMapping();
        }
        if (at('[')) {
            return flowSequence();
        }
        return scalar(flow);
    }

    private YNode.Mapping flowMapping() {
        Location location = location();
        List<YNode.Entry> entries = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        flowEntries('}', () -> {
            YNode.Scalar key = key(true);
            if (!keys.add(key.value())) {
                throw outside();
            }
            expect(':');
            if (!skipSpaces()) {
                throw outside();
            }
            entries.add(new YNode.Entry(key, inlineNode(true)));
        });
        return new YNode.Mapping(entries, location);
    }

    private YNode.Sequence flowSequence() {
        Location location = location();
        List<YNode> items = new ArrayList<>();
        flowEntries(']', () -> items.add(inlineNode(true)));
        return new YNode.Sequence(items, location);
    }

    /**
     * Reads the entries of a one-line flow collection from its opening bracket to {@code close}: separated by
     * {@code ", "}, none empty, no trailing comma.
     */
    private void flowEntries(char close, Runnable entry) {
        if (++depth > MAX_DEPTH) {
            throw outside();
        }
        pos++;
        skipSpaces();
        if (!at(close)) {
            while (true) {
                entry.run();
                skipSpaces();
                if (at(close)) {
                    break;
                }
                expect(',');
                if (!skipSpaces() || at(close)) {
                    throw outside();
                }
            }
        }
        pos++;
        depth--;
    }

    private YNode.Scalar scalar(boolean flow) {
        Location location = location();
        if (at('\'') || at('"')) {
            return new YNode.Scalar(quoted(), YNode.ScalarType.STRING, location);
        }
        if (!plainStart(flow)) {
            throw outside();
        }
        int end = plainEnd(flow);
        String value = withoutTrailingSpaces(pos, end);
        pos = end;
        if (value.isEmpty() || at(':')) {
            throw outside();
        }
        return new YNode.Scalar(value, YamlLoader.plainType(value), location);
    }

    /**
     * Whether a plain scalar may start here: not on an indicator, except {@code -} before a non-space, and in block
     * context also {@code ?} and {@code :} before one.
     */
    private boolean plainStart(boolean flow) {
        if (pos >= text.length()) {
            return false;
        }
        char c = text.charAt(pos);
        switch (c) {
            case '?':
            case ':':
                return !flow && pos + 1 < text.length() && text.charAt(pos + 1) != ' ' && text.charAt(pos + 1) != '\n';
            case '-':
                return pos + 1 < text.length() && " \n,[]{}".indexOf(text.charAt(pos + 1)) < 0;
            case ',': case '[': case ']': case '{': case '}': case '#': case '&': case '*': case '!': case '|':
            case '>': case '\'': case '"': case '%': case '@': case '`': case ' ': case '\n':
                return false;
            default:
                return true;
        }
    }

    /**
     * Where a plain scalar that starts here ends, as snakeyaml-engine's scanner decides: at the end of the line, a
     * comment, or a {@code :} before a space; in a flow collection also at {@code ,?[]{}} and at a {@code :} before
     * one of {@code ,[]{}}.
     */
    private int plainEnd(boolean flow) {
        int i = pos;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\n' || c == '#' && text.charAt(i - 1) == ' ') {
                return i;
            }
            if (c == ':') {
                char next = i + 1 == text.length() ? '\n' : text.charAt(i + 1);
                if (next == ' ' || next == '\n' || flow && ",[]{}".indexOf(next) >= 0) {
                    return i;
                }
            }
            if (flow && ",?[]{}".indexOf(c) >= 0) {
                return i;
            }
            i++;
        }
        return i;
    }

    private String withoutTrailingSpaces(int from, int end) {
        while (end > from && text.charAt(end - 1) == ' ') {
            end--;
        }
        return text.substring(from, end);
    }

    /** A one-line quoted scalar without escapes; {@code ''} in single quotes is one quote. */
    private String quoted() {
        char quote = text.charAt(pos);
        StringBuilder value = null;
        int from = ++pos;
        while (true) {
            if (pos >= text.length()) {
                throw outside();
            }
            char c = text.charAt(pos);
            if (c == '\n' || c == '\\' && quote == '"') {
                throw outside();
            }
            if (c == quote) {
                if (quote == '\'' && pos + 1 < text.length() && text.charAt(pos + 1) == '\'') {
                    if (value == null) {
                        value = new StringBuilder();
                    }
                    value.append(text, from, pos + 1);
                    pos += 2;
                    from = pos;
                    continue;
                }
                String last = text.substring(from, pos);
                pos++;
                return value == null ? last : value.append(last).toString();
            }
            pos++;
        }
    }

    private void expect(char c) {
        if (!at(c)) {
            throw outside();
        }
        pos++;
    }

    private boolean at(char c) {
        return pos < text.length() && text.charAt(pos) == c;
    }

    /** Skips spaces; whether there was at least one. */
    private boolean skipSpaces() {
        int start = pos;
        while (pos < text.length() && text.charAt(pos) == ' ') {
            pos++;
        }
        return pos > start;
    }

    private boolean atEndOfLine() {
        return pos >= text.length() || text.charAt(pos) == '\n' || text.charAt(pos) == '#';
    }

    /** Only spaces and a comment may follow on this line; moves to the next one. */
    private void endOfLine() {
        skipSpaces();
        if (at('#')) {
            if (pos != lineStart && text.charAt(pos - 1) != ' ') {
                throw outside();
            }
            while (pos < text.length() && text.charAt(pos) != '\n') {
                pos++;
            }
        }
        if (pos < text.length()) {
            if (text.charAt(pos) != '\n') {
                throw outside();
            }
            nextLine();
        }
    }

    /** Skips empty lines and comment lines, leaving the position on the next line's first content character. */
    private void skipBlankLines() {
        if (pos != lineStart) {
            return;
        }
        while (pos < text.length()) {
            skipSpaces();
            if (pos >= text.length()) {
                return;
            }
            char c = text.charAt(pos);
            if (c == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
                if (pos >= text.length()) {
                    return;
                }
                c = '\n';
            }
            if (c != '\n') {
                return;
            }
            nextLine();
        }
    }

    private void nextLine() {
        pos++;
        line++;
        lineStart = pos;
    }

    private int column() {
        return pos - lineStart;
    }

    private Location location() {
        return new Location(file, lineOffset + line + 1, column() + 1);
    }
}
