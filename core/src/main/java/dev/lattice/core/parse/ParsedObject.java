package dev.lattice.core.parse;

import dev.lattice.core.model.LatticeObject;

/** One object read from the input, with where each of its fields was written. */
public record ParsedObject(LatticeObject object, SourceMap source) {

    public String file() {
        return source.file();
    }

    /** {@code Kind/name}, or {@code Kind/namespace/name} for namespaced kinds. */
    public String id() {
        String ns = object.kind().namespaced() ? object.metadata().namespace() + "/" : "";
        return object.kind().kindName() + "/" + ns + object.name();
    }
}
