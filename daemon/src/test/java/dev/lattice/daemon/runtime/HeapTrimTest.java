package dev.lattice.daemon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class HeapTrimTest {

    @Test
    void collectsWithTheIdleRatioAndPutsTheBusyOneBack() {
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        String before = hotspot.getVMOption("MaxHeapFreeRatio").getValue();
        long collections = collections();
        new HeapTrim().run();
        assertThat(collections()).isGreaterThan(collections);
        assertThat(hotspot.getVMOption("MaxHeapFreeRatio").getValue()).isEqualTo(before);
    }

    private static long collections() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> Math.max(0, b.getCollectionCount())).sum();
    }
}
