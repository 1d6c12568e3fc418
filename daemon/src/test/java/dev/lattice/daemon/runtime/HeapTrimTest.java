package dev.lattice.daemon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HeapTrimTest {

    @Test
    void shrinkingCollectsWithTheIdleRatioAndPutsTheBusyOneBack() {
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        String before = hotspot.getVMOption("MaxHeapFreeRatio").getValue();
        long collections = collections();
        assertThat(new HeapTrim().shrink()).isTrue();
        assertThat(collections()).isGreaterThan(collections);
        assertThat(hotspot.getVMOption("MaxHeapFreeRatio").getValue()).isEqualTo(before);
    }

    @Test
    void tidyingCollectsOnlyAnOldGenerationMoreThanThreeQuartersFullWithATenthComeInSinceItsLastCollection() {
        MemoryUsage collected = new MemoryUsage(0, 60 << 20, 100 << 20, 200 << 20);
        assertThat(new HeapTrim(() -> new MemoryUsage(0, 70 << 20, 100 << 20, 200 << 20), () -> collected).tidy()).isFalse();
        assertThat(new HeapTrim(() -> null, () -> null).tidy()).as("a JVM that does not say").isFalse();
        // A heap just shrunk: a fifth free, all of it live since its collection.
        MemoryUsage shrunk = new MemoryUsage(0, 80 << 20, 100 << 20, 200 << 20);
        assertThat(new HeapTrim(() -> shrunk, () -> shrunk).tidy()).isFalse();
        assertThat(new HeapTrim(() -> new MemoryUsage(0, 85 << 20, 100 << 20, 200 << 20), () -> shrunk).tidy()).isFalse();
        long collections = collections();
        assertThat(new HeapTrim(() -> new MemoryUsage(0, 80 << 20, 100 << 20, 200 << 20), () -> collected).tidy()).isTrue();
        assertThat(collections()).isGreaterThan(collections);
        assertThat(new HeapTrim(() -> new MemoryUsage(0, 80 << 20, 100 << 20, 200 << 20), () -> null).tidy())
                .as("no collection yet").isTrue();
    }

    @Test
    void appliesToACollectorThatEmptiesItsOldGenerationOnlyInFullCollections() throws Exception {
        for (String collector : new String[] {"-XX:+UseSerialGC", "-XX:+UseParallelGC", "-XX:+UseG1GC"}) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), collector,
                    "-cp", System.getProperty("java.class.path"), Applies.class.getName()).redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes()).strip();
            assertThat(p.waitFor()).isZero();
            assertThat(said).as(collector).isEqualTo(String.valueOf(!collector.equals("-XX:+UseG1GC")));
        }
    }

    /** Prints whether HeapTrim applies in this JVM. */
    public static final class Applies {
        public static void main(String[] args) {
            System.out.println(HeapTrim.applies());
        }
    }

    private static long collections() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> Math.max(0, b.getCollectionCount())).sum();
    }
}
