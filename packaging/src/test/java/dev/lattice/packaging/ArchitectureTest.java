package dev.lattice.packaging;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.lattice.core.seeded.ClockReader;
import dev.lattice.core.seeded.FileWriter;
import dev.lattice.core.seeded.KubeCaller;
import dev.lattice.core.seeded.ProcessStarter;
import dev.lattice.core.seeded.cycle.a.Ping;
import dev.lattice.core.seeded.cycle.b.Pong;
import dev.lattice.cli.command.seeded.ClientHolder;
import dev.lattice.daemon.reconciler.seeded.Poller;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * STYLE.md rule 1: dependencies point one way, {@code cli → engine → core ← daemon} (the daemon may use the engine;
 * proto stands alone), core is pure, no module has a package cycle. Each rule is also shown to fail on a class
 * written to break it (test sources under {@code dev.lattice.*.seeded}).
 */
class ArchitectureTest {
    static JavaClasses classes;

    private static final Pattern FILE_WRITES = Pattern.compile(
            "write.*|newOutputStream|newBufferedWriter|move|copy|delete.*|create.*|set(Attribute|PosixFilePermissions|LastModifiedTime|Owner)");

    /** Calls that write files, start processes or read the clock (only an injected {@link java.time.Clock} may tell core the time). */
    private static final DescribedPredicate<JavaMethodCall> ACTS_ON_THE_WORLD = DescribedPredicate.describe(
            "write files, start processes or read the clock", call -> {
                String owner = call.getTarget().getOwner().getName();
                String name = call.getTarget().getName();
                return (owner.equals("java.nio.file.Files") && FILE_WRITES.matcher(name).matches())
                        || (owner.equals("java.lang.Runtime") && name.equals("exec"))
                        || (owner.equals("java.lang.System") && (name.equals("currentTimeMillis") || name.equals("nanoTime")))
                        || (owner.startsWith("java.time.") && (name.equals("now") || name.startsWith("system")));
            });

    static final ArchRule CORE_ACTS_ON_NOTHING = noClasses().that().resideInAPackage("dev.lattice.core..")
            .should().dependOnClassesThat().resideInAnyPackage("io.fabric8.kubernetes.client..", "com.github.dockerjava..", "io.grpc..",
                    "java.net.http..", "dev.lattice.engine..", "dev.lattice.proto..", "dev.lattice.cli..", "dev.lattice.daemon..",
                    "picocli..", "org.jline..")
            .orShould().dependOnClassesThat().haveFullyQualifiedName(ProcessBuilder.class.getName())
            .orShould().dependOnClassesThat().haveFullyQualifiedName(java.io.FileOutputStream.class.getName())
            .orShould().dependOnClassesThat().haveFullyQualifiedName(java.io.FileWriter.class.getName())
            .orShould().dependOnClassesThat().haveFullyQualifiedName(java.io.RandomAccessFile.class.getName())
            .orShould().dependOnClassesThat().haveFullyQualifiedName(java.net.Socket.class.getName())
            .orShould().dependOnClassesThat().haveFullyQualifiedName(java.net.URL.class.getName())
            .because("core is the pure planning core: no clients, network, processes or file writes (STYLE.md rule 1)");

    static final ArchRule CORE_CALLS_NOTHING_OUTSIDE = noClasses().that().resideInAPackage("dev.lattice.core..")
            .should().callMethodWhere(ACTS_ON_THE_WORLD)
            .because("the same inputs make the same plan: core reads its inputs, takes the time from an injected Clock, "
                    + "and leaves writing and running to the engine");

    static final ArchRule COMMANDS_GO_THROUGH_THE_ENGINE = noClasses().that().resideInAPackage("dev.lattice.cli..")
            .should().dependOnClassesThat().resideInAnyPackage("io.fabric8.kubernetes.client..", "com.github.dockerjava..", "io.grpc..")
            .because("commands parse flags, call the engine or core, and print (STYLE.md rule 5)");

    /** Sleeping, or scheduling work on a timer of one's own: polling, where an event or the work queue's back-off should wake it. */
    private static final DescribedPredicate<JavaMethodCall> WAITS_ON_ITS_OWN = DescribedPredicate.describe(
            "sleep or schedule work on a timer of its own", call -> {
                String owner = call.getTarget().getOwner().getName();
                String name = call.getTarget().getName();
                return (owner.equals(Thread.class.getName()) && name.equals("sleep"))
                        || (owner.equals(java.util.concurrent.Executors.class.getName()) && name.contains("Scheduled"))
                        || name.equals("scheduleAtFixedRate") || name.equals("scheduleWithFixedDelay");
            });

    static final ArchRule RECONCILERS_WAIT_ONLY_IN_THE_QUEUE = noClasses().that().resideInAPackage("dev.lattice.daemon.reconciler..")
            .and().doNotHaveFullyQualifiedName("dev.lattice.daemon.reconciler.WorkQueue")
            .should().callMethodWhere(WAITS_ON_ITS_OWN)
            .because("the daemon acts on watch events; retries and resyncs are the one work queue's, with its one back-off");

    static final ArchRule NO_PACKAGE_CYCLES = slices().matching("dev.lattice.(**)").should().beFreeOfCycles();

    @BeforeAll
    static void importAll() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.lattice");
    }

    @Test
    void coreActsOnNothing() {
        CORE_ACTS_ON_NOTHING.check(classes);
        CORE_CALLS_NOTHING_OUTSIDE.check(classes);
    }

    @Test
    void commandsCallTheEngineNeverAClient() {
        COMMANDS_GO_THROUGH_THE_ENGINE.check(classes);
    }

    @Test
    void noModuleHasAPackageCycle() {
        NO_PACKAGE_CYCLES.check(classes);
    }

    @Test
    void theEngineStaysBelowTheCliAndTheDaemon() {
        noClasses().that().resideInAPackage("dev.lattice.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.lattice.cli..", "dev.lattice.daemon..", "dev.lattice.proto..",
                        "picocli..", "org.jline..", "io.grpc..")
                .check(classes);
    }

    @Test
    void theCliAndTheDaemonDoNotKnowEachOther() {
        noClasses().that().resideInAPackage("dev.lattice.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.lattice.daemon..", "dev.lattice.proto..").check(classes);
        noClasses().that().resideInAPackage("dev.lattice.daemon..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.lattice.cli..", "org.jline..").check(classes);
        // The daemon parses its options with picocli as the CLI does, at its entry point only.
        noClasses().that().resideInAPackage("dev.lattice.daemon..").and().resideOutsideOfPackage("dev.lattice.daemon.runtime")
                .should().dependOnClassesThat().resideInAnyPackage("picocli..").check(classes);
    }

    @Test
    void theProtocolStandsAlone() {
        noClasses().that().resideInAPackage("dev.lattice.proto..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.lattice.core..", "dev.lattice.engine..", "dev.lattice.cli..",
                        "dev.lattice.daemon..")
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
    void reconcilersWaitOnlyInTheWorkQueue() {
        RECONCILERS_WAIT_ONLY_IN_THE_QUEUE.check(classes);
    }

    @Test
    void productionCodeNeverUsesTestFixtures() {
        noClasses().that().resideInAnyPackage("dev.lattice.core..", "dev.lattice.engine..", "dev.lattice.cli..", "dev.lattice.daemon..")
                .should().dependOnClassesThat().resideInAPackage("dev.lattice.testfixtures..").check(classes);
    }

    @Nested
    @DisplayName("each guard fails on a seeded violation")
    class Seeded {
        private JavaClasses seeded(Class<?>... types) {
            return new ClassFileImporter().importClasses(types);
        }

        private void fails(ArchRule rule, Class<?>... types) {
            assertThatThrownBy(() -> rule.check(seeded(types))).isInstanceOf(AssertionError.class)
                    .hasMessageContaining(types[0].getSimpleName());
        }

        @Test
        void aKubernetesClientInCore() {
            fails(CORE_ACTS_ON_NOTHING, KubeCaller.class);
        }

        @Test
        void aProcessStartedFromCore() {
            fails(CORE_ACTS_ON_NOTHING, ProcessStarter.class);
            fails(CORE_CALLS_NOTHING_OUTSIDE, ProcessStarter.class);
        }

        @Test
        void aFileWrittenFromCore() {
            fails(CORE_CALLS_NOTHING_OUTSIDE, FileWriter.class);
        }

        @Test
        void theClockReadInCore() {
            fails(CORE_CALLS_NOTHING_OUTSIDE, ClockReader.class);
        }

        @Test
        void aCommandHoldingAClient() {
            fails(COMMANDS_GO_THROUGH_THE_ENGINE, ClientHolder.class);
        }

        @Test
        void aReconcilerPollingOnItsOwnTimer() {
            fails(RECONCILERS_WAIT_ONLY_IN_THE_QUEUE, Poller.class);
        }

        @Test
        void twoPackagesThatUseEachOther() {
            assertThatThrownBy(() -> NO_PACKAGE_CYCLES.check(seeded(Ping.class, Pong.class))).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("Cycle detected").hasMessageContaining("seeded.cycle.a");
        }
    }
}
