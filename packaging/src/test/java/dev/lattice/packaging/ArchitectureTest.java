package dev.lattice.packaging;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** STYLE.md rule 1: dependencies point one way, proto → core → {cli, daemon}. */
class ArchitectureTest {
    static JavaClasses classes;

    @BeforeAll
    static void importAll() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.lattice");
    }

    @Test
    void coreNeverReachesUpIntoTheCliOrTheDaemon() {
        noClasses().that().resideInAPackage("dev.lattice.core..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.lattice.cli..", "dev.lattice.daemon..", "picocli..", "org.jline..")
                .check(classes);
    }

    @Test
    void theCliAndTheDaemonDoNotKnowEachOther() {
        noClasses().that().resideInAPackage("dev.lattice.cli..")
                .should().dependOnClassesThat().resideInAPackage("dev.lattice.daemon..").check(classes);
        noClasses().that().resideInAPackage("dev.lattice.daemon..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.lattice.cli..", "picocli..", "org.jline..").check(classes);
    }

    @Test
    void theProtocolStandsAlone() {
        noClasses().that().resideInAPackage("dev.lattice.proto..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.lattice.core..", "dev.lattice.cli..", "dev.lattice.daemon..")
                .check(classes);
    }

    @Test
    void theModelIsPure() {
        // The model is records and their rules: no I/O, no clients, no parser.
        noClasses().that().resideInAPackage("dev.lattice.core.model..")
                .should().dependOnClassesThat().resideInAnyPackage("io.fabric8..", "io.grpc..", "org.snakeyaml..",
                        "dev.lattice.core.parse..", "java.net..", "java.nio.file..")
                .check(classes);
    }

    @Test
    void productionCodeNeverUsesTestFixtures() {
        noClasses().that().resideInAnyPackage("dev.lattice.core..", "dev.lattice.cli..", "dev.lattice.daemon..")
                .should().dependOnClassesThat().resideInAPackage("dev.lattice.testfixtures..").check(classes);
    }
}
