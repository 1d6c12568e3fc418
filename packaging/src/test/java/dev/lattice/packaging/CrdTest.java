package dev.lattice.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.crd.CrdGenerator;
import dev.lattice.core.io.Documents;
import dev.lattice.core.model.CanonicalForm;
import dev.lattice.core.model.Kind;
import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.ParsedObject;
import dev.lattice.core.parse.Parser;
import dev.lattice.core.render.Manifests;
import dev.lattice.testfixtures.Examples;
import dev.lattice.testfixtures.StructuralSchema;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;


/**
 * The CRDs are generated from the model; the checked-in manifests under packaging/crds must match them, every
 * example must be accepted by them in its canonical form, and the canonical form must read back unchanged.
 */
class CrdTest {
    /** Regenerate the checked-in manifests with -Dlattice.update-crds=true. */
    private static final boolean UPDATE = Boolean.getBoolean("lattice.update-crds");

    static Path crdFile(Kind kind) {
        return Examples.projectRoot().resolve("packaging/crds/" + Kind.GROUP + "_" + kind.plural() + ".yaml");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void checkedInManifestsMatchTheModel(Kind kind) throws Exception {
        String generated = "# Generated from the model in lattice-core by CrdGenerator; do not edit.\n"
                + "# Regenerate: ./mvnw -pl packaging test -Dtest=CrdTest -Dlattice.update-crds=true\n"
                + Documents.yaml(CrdGenerator.crd(kind));
        Path file = crdFile(kind);
        if (UPDATE) {
            Files.writeString(file, generated);
        }
        assertThat(file).as("run: ./mvnw -pl packaging test -Dtest=CrdTest -Dlattice.update-crds=true").exists();
        assertThat(Files.readString(file)).as("%s drifted from the model; regenerate it", file).isEqualTo(generated);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    @SuppressWarnings("unchecked")
    void schemasAreStructural(Kind kind) {
        Map<String, Object> schema = Manifests.tree(CrdGenerator.schema(kind));
        assertThat(StructuralSchema.nonStructural(schema, kind.kindName())).isEmpty();
        assertThat(Manifests.tree(CrdGenerator.crd(kind).getSpec().getVersions().get(0).getSubresources()))
                .isEqualTo(Map.of("status", Map.of()));
    }

    static Stream<ParsedObject> exampleObjects() {
        return Parser.read(List.of(Examples.dir().toString()), new ByteArrayInputStream(new byte[0])).objects().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exampleObjects")
    @SuppressWarnings("unchecked")
    void everyExampleValidatesAgainstItsCrd(ParsedObject example) {
        Map<String, Object> schema = Manifests.tree(CrdGenerator.schema(example.object().kind()));
        Map<String, Object> canonical = CanonicalForm.of(example.object());
        assertThat(StructuralSchema.violations(canonical, schema)).as(Documents.yaml(canonical)).isEmpty();
    }

    @Test
    void theCanonicalFormReadsBackAsTheSameObjects() {
        List<ParsedObject> examples = exampleObjects().toList();
        List<Object> trees = examples.stream().map(p -> (Object) CanonicalForm.of(p.object())).toList();
        Inputs fromYaml = Parser.parse(List.of(new InputReader.Input("canonical.yaml", Documents.yamlStream(trees))));
        assertThat(fromYaml.objects()).extracting(ParsedObject::object)
                .containsExactlyElementsOf(examples.stream().map(ParsedObject::object).toList());
        List<InputReader.Input> json = trees.stream().map(t -> new InputReader.Input("canonical.json", Documents.json(t))).toList();
        assertThat(Parser.parse(json).objects()).extracting(ParsedObject::object)
                .containsExactlyElementsOf(examples.stream().map(ParsedObject::object).toList());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSchemaCatchesWhatTheApiServerWouldPrune() {
        Map<String, Object> schema = Manifests.tree(CrdGenerator.schema(Kind.STATIC_POOL));
        Map<String, Object> bad = Map.of("apiVersion", "lattice.dev/v1alpha1", "kind", "StaticPool", "metadata", Map.of("name", "x"),
                "spec", Map.of("provider", "vmware", "capacity", Map.of("cores", -1, "memory", "10TB"), "extra", 1));
        assertThat(StructuralSchema.violations(bad, schema)).containsExactlyInAnyOrder(
                "spec.provider: \"vmware\" is not one of [docker, aws, openstack, proxmox]",
                "spec.capacity.cores: -1 is less than the minimum 0",
                "spec.capacity.memory: \"10TB\" does not match " + CrdGenerator.QUANTITY_PATTERN,
                "spec.extra: unknown field (the API server would prune it)");
    }
}
