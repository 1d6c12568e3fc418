package dev.lattice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lattice.core.model.LatticeObject;
import dev.lattice.core.model.ModelFields;
import dev.lattice.testfixtures.Examples;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What scripts read is spelled as the API spells it: no command's JSON carries a Java enum constant's name where the
 * API has another spelling ({@code certManager}, not {@code CERT_MANAGER}).
 */
class OutputSpellingTest {

    /** Every enum constant of Lattice's own classes whose wire spelling differs from its Java name. */
    static Map<String, String> javaNames() throws IOException, URISyntaxException {
        Map<String, String> names = new TreeMap<>();
        for (Class<?> type : List.of(LatticeObject.class, Main.class)) {
            Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
            // A module's classes are a directory in its own build, a jar when another module's build uses them.
            try (FileSystem jar = Files.isDirectory(location) ? null : FileSystems.newFileSystem(location);
                 Stream<Path> classes = Files.walk(jar == null ? location : jar.getPath("/"))) {
                Path root = jar == null ? location : jar.getPath("/");
                for (Path file : classes.filter(p -> p.toString().endsWith(".class")).toList()) {
                    String name = root.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                    if (!name.startsWith("dev.lattice.")) {
                        continue;
                    }
                    Class<?> c;
                    try {
                        c = Class.forName(name, false, OutputSpellingTest.class.getClassLoader());
                    } catch (ClassNotFoundException | LinkageError e) {
                        continue;
                    }
                    if (c.isEnum()) {
                        for (Object constant : c.getEnumConstants()) {
                            Enum<?> e = (Enum<?>) constant;
                            if (!ModelFields.wire(e).equals(e.name())) {
                                names.put(e.name(), c.getName());
                            }
                        }
                    }
                }
            }
        }
        return names;
    }

    @Test
    void noCommandPrintsAJavaEnumName() throws Exception {
        Map<String, String> javaNames = javaNames();
        assertThat(javaNames).as("the scan finds the enums").containsKeys("CERT_MANAGER", "EXTERNAL_SERVICE", "NO_SCHEDULE");
        List<String[]> commands = new ArrayList<>();
        String examples = Examples.dir().toString();
        commands.add(new String[] {"plan", "-o", "json", "-f", examples});
        commands.add(new String[] {"place", "--dry-run", "--explain", "-o", "json", "-f", examples});
        commands.add(new String[] {"pool", "status", "-o", "json", "-f", examples});
        commands.add(new String[] {"version", "-o", "json"});
        for (Path set : Examples.sets()) {
            commands.add(new String[] {"plan", "-o", "json", "-f", set.toString()});
            try (Stream<Path> files = Files.list(set)) {
                for (Path file : files.sorted().toList()) {
                    if (Files.readString(file).contains("kind: LatticeCluster")) {
                        commands.add(new String[] {"install", "--dry-run", "-o", "json", "-f", set.toString(),
                            "--name", firstClusterName(file)});
                    }
                }
            }
        }
        for (String[] command : commands) {
            CliRun run = CliRun.of(command);
            assertThat(run.exitCode()).as(run.dump()).isIn(0, 3);
            assertThat(run.out()).as(String.join(" ", command)).startsWith("{");
            // The add-ons' objects are the charts' own text (Istio's CRDs spell enums as Envoy does), not ours.
            String ours = run.out();
            if (command[0].equals("install")) {
                Map<String, Object> data = new ObjectMapper().readValue(ours, new TypeReference<LinkedHashMap<String, Object>>() { });
                data.remove("addonObjects");
                ours = new ObjectMapper().writeValueAsString(data);
            }
            String printed = ours;
            javaNames.forEach((constant, type) -> assertThat(printed)
                    .as(String.join(" ", command) + " prints " + type + "." + constant).doesNotContain("\"" + constant + "\""));
        }
    }

    @Test
    void anOptionGivenTwiceTakesItsLastValueAsInKubectl() {
        CliRun run = CliRun.of("pool", "status", "-o", "json", "-f", Examples.dir().toString(), "-o", "yaml");
        assertThat(run.exitCode()).as(run.dump()).isZero();
        assertThat(run.out()).startsWith("pools:\n");
    }

    private static String firstClusterName(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("kind: LatticeCluster")) {
                for (int j = i; j < lines.size(); j++) {
                    String line = lines.get(j).trim();
                    if (line.startsWith("name:")) {
                        return line.substring(5).trim();
                    }
                }
            }
        }
        throw new IllegalStateException("no cluster in " + file);
    }
}
