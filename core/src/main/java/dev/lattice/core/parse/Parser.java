package dev.lattice.core.parse;

import dev.lattice.core.model.Kind;
import dev.lattice.core.model.LatticeObject;
import dev.lattice.core.model.LatticeService;
import dev.lattice.core.model.ModelFields;
import dev.lattice.core.model.ObjectMeta;
import dev.lattice.core.text.Suggestions;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The one way into the model: reads inputs, checks them (syntax, types, every validation rule, references
 * between objects) and returns the objects, or throws {@link InvalidInputException} with every problem found.
 * Used for files and for live objects alike.
 */
public final class Parser {
    /** Kinds whose status is read into the model (see {@link #readBack}). */
    private static final Set<Kind> READ_BACK = EnumSet.of(Kind.WARM_POOL, Kind.CLUSTER_CLAIM);
    private static final List<String> TOP_LEVEL = List.of("apiVersion", "kind", "metadata", "spec", "status");
    /** Metadata the API server writes; accepted so objects pasted from a cluster read back, and dropped. */
    private static final Set<String> SERVER_METADATA = Set.of("managedFields", "selfLink",
            "ownerReferences", "finalizers", "deletionTimestamp", "deletionGracePeriodSeconds", "generateName");

    private Parser() {
    }

    /** Reads {@code -f} arguments (files, directories, {@code -}) and parses them. */
    public static Inputs read(List<String> arguments, InputStream stdin) {
        return read(arguments, stdin, InputReader.Limits.DEFAULT);
    }

    /** Reads {@code -f} arguments within {@code limits} and parses them. */
    public static Inputs read(List<String> arguments, InputStream stdin, InputReader.Limits limits) {
        Problems problems = new Problems();
        List<InputReader.Input> texts = InputReader.read(arguments, stdin, limits, problems);
        return parse(texts, problems);
    }

    /** Parses named texts. */
    public static Inputs parse(List<InputReader.Input> texts) {
        return parse(texts, new Problems());
    }

    private static Inputs parse(List<InputReader.Input> texts, Problems problems) {
        List<Read> reads = new ArrayList<>();
        for (InputReader.Input text : texts) {
            reads.add(read(text));
        }
        if (texts.isEmpty() && !problems.hasErrors()) {
            problems.error(Location.ofFile(InputReader.STDIN), "empty input: no objects found");
        }
        return assemble(reads, problems);
    }

    /**
     * One input read and checked on its own: its objects and its problems, before the references between inputs are
     * checked ({@link #assemble}). It does not change once made, so a reader of many inputs that change one at a time
     * (the daemon's live objects) reads again only the ones that changed.
     */
    public static final class Read {
        private final Problems problems;
        private final List<ParsedObject> objects;
        private final List<ParsedObject> invalid;

        private Read(Problems problems, List<ParsedObject> objects, List<ParsedObject> invalid) {
            this.problems = problems;
            this.objects = List.copyOf(objects);
            this.invalid = List.copyOf(invalid);
        }

        /** The objects read without a problem. */
        public List<ParsedObject> objects() {
            return objects;
        }

        /**
         * This read, without where each field was written when nothing in it was wrong: about two thirds of a read's
         * memory. A problem found later between objects (a reference to a missing one) then points at the object's
         * start. A read with problems is kept whole, so they point where they should.
         */
        public Read withoutFieldLocations() {
            if (!problems.isEmpty() || !invalid.isEmpty()) {
                return this;
            }
            return new Read(problems, objects.stream().map(o -> new ParsedObject(o.object(), o.source().withoutFields())).toList(), invalid);
        }
    }

    /** Reads and checks one input on its own. */
    public static Read read(InputReader.Input text) {
        Problems problems = new Problems();
        List<ParsedObject> objects = new ArrayList<>();
        List<ParsedObject> invalid = new ArrayList<>();
        Optional<List<YNode>> json = JsonLoader.tryLoad(text.name(), text.text(), problems);
        if (json.isPresent()) {
            readJson(text.name(), json.get(), problems, objects, invalid);
            if (objects.isEmpty() && invalid.isEmpty() && !problems.hasErrors()) {
                problems.error(new Location(text.name(), 1, 1), "empty input: no objects found");
            }
            return new Read(problems, objects, invalid);
        }
        // Not JSON, though it may start like it ({kind: X} is YAML's flow style): YAML reads it or says what is wrong.
        List<YamlLoader.Chunk> chunks = YamlLoader.split(text.text(), CHUNK_SIZE);
        // Documents are independent, so large inputs are read on every core; results merge in input order.
        List<ChunkResult> results = (chunks.size() == 1 ? chunks.stream() : chunks.parallelStream())
                .map(chunk -> readChunk(text.name(), chunk))
                .toList();
        int documents = 0;
        for (ChunkResult result : results) {
            problems.addAll(result.problems());
            objects.addAll(result.objects());
            invalid.addAll(result.invalid());
            documents += result.documents();
        }
        if (documents == 0 && !problems.hasErrors()) {
            problems.error(new Location(text.name(), 1, 1), "empty input: no objects found",
                    "a file holds one or more Lattice objects (apiVersion: lattice.dev/v1alpha1), separated by ---");
        }
        return new Read(problems, objects, invalid);
    }

    /**
     * The names of the objects of one kind in {@code -f} arguments, read leniently: what can be read is named, a
     * problem anywhere is skipped. For shell completion, which must offer names while the files are being written.
     */
    public static List<String> names(List<String> arguments, Kind kind) {
        Problems ignored = new Problems();
        List<String> names = new ArrayList<>();
        for (InputReader.Input text : InputReader.read(arguments, InputStream.nullInputStream(), ignored)) {
            // Each YAML document on its own, so one being written does not hide the others.
            List<YNode> docs = new ArrayList<>();
            Optional<List<YNode>> json = JsonLoader.tryLoad(text.name(), text.text(), ignored);
            if (json.isPresent()) {
                docs.addAll(json.get());
            } else {
                YamlLoader.split(text.text(), 1).forEach(chunk -> docs.addAll(YamlLoader.load(text.name(), chunk, ignored)));
            }
            for (YNode doc : docs) {
                for (YNode item : items(doc, ignored)) {
                    if (item instanceof YNode.Mapping m && scalar(m.get("kind")).equals(kind.kindName())
                            && m.get("metadata").orElse(null) instanceof YNode.Mapping meta) {
                        String name = scalar(meta.get("name"));
                        if (!name.isEmpty() && !names.contains(name)) {
                            names.add(name);
                        }
                    }
                }
            }
        }
        return names;
    }

    private static String scalar(Optional<YNode> node) {
        return node.orElse(null) instanceof YNode.Scalar s && !s.isNull() ? s.value() : "";
    }

    /** Checks the references between the objects of {@code reads} and returns them all, or throws with every problem. */
    public static Inputs assemble(List<Read> reads) {
        return assemble(reads, new Problems());
    }

    private static Inputs assemble(List<Read> reads, Problems problems) {
        List<ParsedObject> objects = new ArrayList<>();
        List<ParsedObject> named = new ArrayList<>();
        for (Read read : reads) {
            problems.addAll(read.problems);
            objects.addAll(read.objects);
        }
        named.addAll(objects);
        reads.forEach(read -> named.addAll(read.invalid));
        Set<ParsedObject> complete = Collections.newSetFromMap(new IdentityHashMap<>());
        complete.addAll(objects);
        ReferenceValidator.validate(named, complete, problems,
                (object, check) -> bestEffort(object, complete.contains(object), check));
        if (problems.hasErrors()) {
            throw new InvalidInputException(problems.sorted());
        }
        List<Problem> warnings = problems.sorted().stream().filter(p -> !p.isError()).toList();
        return new Inputs(objects, warnings);
    }

    /** Chunks of about this many characters are read in parallel. */
    private static final int CHUNK_SIZE = 256 * 1024;

    /** What one chunk of a file held: its objects (bound cleanly or not), its problems, how many documents. */
    private record ChunkResult(Problems problems, List<ParsedObject> objects, List<ParsedObject> invalid, int documents) {
    }

    /** JSON is read in one pass (it is fast), then its objects are bound and checked on every core. */
    private static void readJson(String file, List<YNode> docs, Problems problems, List<ParsedObject> objects, List<ParsedObject> invalid) {
        List<YNode> items = new ArrayList<>();
        for (YNode doc : docs) {
            items.addAll(items(doc, problems));
        }
        int slice = Math.max(1, items.size() / (4 * Runtime.getRuntime().availableProcessors()) + 1);
        List<List<YNode>> slices = new ArrayList<>();
        for (int i = 0; i < items.size(); i += slice) {
            slices.add(items.subList(i, Math.min(items.size(), i + slice)));
        }
        List<ChunkResult> results = (slices.size() == 1 ? slices.stream() : slices.parallelStream())
                .map(part -> readItems(file, part, 0))
                .toList();
        for (ChunkResult r : results) {
            problems.addAll(r.problems());
            objects.addAll(r.objects());
            invalid.addAll(r.invalid());
        }
    }

    private static ChunkResult readChunk(String file, YamlLoader.Chunk chunk) {
        Problems problems = new Problems();
        List<YNode> docs = YamlLoader.load(file, chunk, problems);
        List<YNode> items = new ArrayList<>();
        for (YNode doc : docs) {
            items.addAll(items(doc, problems));
        }
        ChunkResult read = readItems(file, items, docs.size());
        problems.addAll(read.problems());
        return new ChunkResult(problems, read.objects(), read.invalid(), docs.size());
    }

    /** Binds and checks objects: the part of reading that is the same for YAML and JSON. */
    private static ChunkResult readItems(String file, List<YNode> items, int documents) {
        Problems problems = new Problems();
        List<ParsedObject> objects = new ArrayList<>();
        List<ParsedObject> invalid = new ArrayList<>();
        for (YNode item : items) {
            readObject(file, item, problems, objects, invalid);
        }
        for (ParsedObject object : objects) {
            bestEffort(object, true, () -> ObjectValidator.validate(object, problems));
        }
        for (ParsedObject object : invalid) {
            bestEffort(object, false, () -> ObjectValidator.validate(object, problems));
        }
        return new ChunkResult(problems, objects, invalid, documents);
    }

    /**
     * Runs a check on an object. An object with a field that failed to bind (already reported) still gets
     * its other rules checked, so the user sees every problem in one run; a check that trips over the
     * missing field stops quietly for that object. On a fully bound object a failure is a bug and surfaces.
     */
    private static void bestEffort(ParsedObject object, boolean complete, Runnable check) {
        if (object.object().spec() == null) {
            return;
        }
        try {
            check.run();
        } catch (NullPointerException e) {
            if (complete) {
                throw e;
            }
        }
    }

    /** A document, or the items of a {@code kind: List} document as kubectl writes them. */
    private static List<YNode> items(YNode doc, Problems problems) {
        if (doc instanceof YNode.Mapping m && m.get("kind").filter(k -> k instanceof YNode.Scalar s
                && s.value().equals("List")).isPresent()) {
            Optional<YNode> items = m.get("items");
            if (items.isPresent() && items.get() instanceof YNode.Sequence seq) {
                return seq.items();
            }
            problems.error(m.location(), "a List must have \"items\": a list of objects");
            return List.of();
        }
        return List.of(doc);
    }

    private static void readObject(String file, YNode doc, Problems problems,
                                   List<ParsedObject> objects, List<ParsedObject> invalid) {
        if (!(doc instanceof YNode.Mapping m)) {
            problems.error(doc.location(), "expected a Lattice object (a mapping with apiVersion, kind, metadata and spec), got "
                    + doc.describe());
            return;
        }
        Optional<Kind> kind = kindOf(m, problems);
        for (YNode.Entry e : m.entries()) {
            if (!TOP_LEVEL.contains(e.key().value())) {
                problems.error(e.key().location(), "unknown field \"" + e.key().value() + "\"",
                        Suggestions.hint(e.key().value(), TOP_LEVEL));
            }
        }
        if (kind.isEmpty()) {
            return;
        }
        SourceMap source = new SourceMap(file, m.location());
        Binder binder = new Binder(problems, source);
        ObjectMeta metadata = metadata(m, kind.get(), binder, source, problems);
        Object spec = null;
        Optional<YNode.Entry> specEntry = m.entry("spec");
        if (specEntry.isEmpty()) {
            problems.error(m.location(), "missing required field \"spec\"");
        } else {
            YNode specNode = specEntry.get().value();
            if (kind.get() == Kind.LATTICE_CLUSTER && specNode instanceof YNode.Mapping specMap) {
                specNode = ShortForms.cluster(specMap, problems);
            }
            source.record("spec", specEntry.get().key().location(), specNode.location());
            spec = binder.bind(specNode, kind.get().specType(), "spec");
            if (spec == null && !binder.failed()) {
                problems.error(specNode.location(), "\"spec\" is empty");
            }
        }
        if (metadata == null || metadata.name() == null) {
            return;
        }
        Object status = kind.get() == Kind.LATTICE_SERVICE ? placedOn(m) : READ_BACK.contains(kind.get()) ? readBack(m, kind.get(), source) : null;
        LatticeObject object = construct(kind.get(), metadata, spec, status);
        if (spec != null && !binder.failed()) {
            objects.add(new ParsedObject(object, source));
        } else {
            invalid.add(new ParsedObject(object, source));
        }
    }

    private static Optional<Kind> kindOf(YNode.Mapping m, Problems problems) {
        Optional<YNode.Entry> apiVersion = m.entry("apiVersion");
        Optional<YNode.Entry> kind = m.entry("kind");
        if (kind.isEmpty() || !(kind.get().value() instanceof YNode.Scalar kindValue) || kindValue.isNull()) {
            problems.error(kind.map(e -> e.value().location()).orElse(m.location()),
                    "missing \"kind\": every object names its kind", "one of: " + kindNames());
            return Optional.empty();
        }
        Optional<Kind> found = Kind.byName(kindValue.value());
        String version = apiVersion.filter(e -> e.value() instanceof YNode.Scalar)
                .map(e -> ((YNode.Scalar) e.value()).value()).orElse(null);
        if (found.isEmpty()) {
            String hint = Suggestions.closest(kindValue.value(), kindNames()).map(c -> "did you mean \"" + c + "\"?")
                    .orElse("lattice reads " + LatticeObject.API_VERSION + " objects: " + String.join(", ", kindNames()));
            String what = version != null && !version.startsWith(Kind.GROUP + "/")
                    ? "\"" + kindValue.value() + "\" (" + version + ") is not a Lattice kind"
                    : "unknown kind \"" + kindValue.value() + "\"";
            problems.error(kindValue.location(), what, hint);
            return Optional.empty();
        }
        if (version == null) {
            problems.error(apiVersion.map(e -> e.value().location()).orElse(m.location()),
                    "missing \"apiVersion\"", "add apiVersion: " + LatticeObject.API_VERSION);
            return Optional.empty();
        }
        if (!version.equals(LatticeObject.API_VERSION)) {
            problems.error(apiVersion.get().value().location(), "unknown apiVersion \"" + version + "\" for "
                    + found.get().kindName(), "use apiVersion: " + LatticeObject.API_VERSION);
            return Optional.empty();
        }
        return found;
    }

    private static ObjectMeta metadata(YNode.Mapping doc, Kind kind, Binder binder, SourceMap source, Problems problems) {
        Optional<YNode.Entry> entry = doc.entry("metadata");
        if (entry.isEmpty()) {
            problems.error(doc.location(), "missing required field \"metadata\"", "add metadata: {name: ...}");
            return null;
        }
        YNode node = entry.get().value();
        if (node instanceof YNode.Mapping m) {
            for (String server : SERVER_METADATA) {
                m = m.without(server);
            }
            node = m;
        }
        source.record("metadata", entry.get().key().location(), node.location());
        ObjectMeta meta = binder.bindRecord(node, ObjectMeta.class, "metadata");
        if (meta == null || meta.name() == null) {
            if (meta != null || !binder.failed()) {
                problems.error(node.location(), "missing required field \"name\" in metadata");
            }
            return null;
        }
        if (kind.namespaced()) {
            return meta.namespace() == null ? meta.withNamespace(ObjectMeta.DEFAULT_NAMESPACE) : meta;
        }
        if (meta.namespace() != null) {
            problems.warning(source.key("metadata.namespace"), kind.kindName() + " is cluster-scoped; its namespace is ignored",
                    "remove metadata.namespace");
            return meta.withNamespace(null);
        }
        return meta;
    }

    /**
     * Where a live service was placed ({@code status.cluster}), so the solver keeps it there; the rest of the status is
     * the daemon's own bookkeeping and is not read. Files rarely carry a status; one pasted from a cluster does.
     */
    private static LatticeService.Status placedOn(YNode.Mapping object) {
        if (object.get("status").orElse(null) instanceof YNode.Mapping status
                && status.get("cluster").orElse(null) instanceof YNode.Scalar cluster && !cluster.isNull()
                && !cluster.value().isBlank()) {
            return new LatticeService.Status(null, LatticeService.Phase.SCHEDULED, cluster.value(), null, List.of());
        }
        return null;
    }

    /**
     * The status of an object whose next steps the daemon plans from its status (a warm pool's failures in a row, a
     * claim's binding), or null when it has none or it does not read: a status is the daemon's to write, never a reason
     * to refuse the object.
     */
    private static Object readBack(YNode.Mapping object, Kind kind, SourceMap source) {
        if (!(object.get("status").orElse(null) instanceof YNode.Mapping status)) {
            return null;
        }
        Binder binder = new Binder(new Problems(), source);
        Object read = binder.bind(status, kind.statusType(), "status");
        return binder.failed() ? null : read;
    }

    private static LatticeObject construct(Kind kind, ObjectMeta metadata, Object spec, Object status) {
        try {
            return ModelFields.construct(kind.type(), metadata, spec, status);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new IllegalStateException("cannot construct " + kind, e.getCause());
        }
    }

    private static List<String> kindNames() {
        return Arrays.stream(Kind.values()).map(Kind::kindName).toList();
    }
}
