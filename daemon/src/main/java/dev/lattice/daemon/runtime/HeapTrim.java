package dev.lattice.daemon.runtime;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives back to the system the heap a burst of work grew and a quiet daemon no longer uses. The JVM shrinks its heap
 * only in a full collection, which an idle daemon never has: after a fleet is applied it would hold the heap of that
 * load for good (88 MB committed for 43 MB live at 1,000 services). Run while nothing reconciles, this collects once
 * with room left for a fifth more than what lives ({@link #IDLE_FREE_PERCENT}), and puts the ratio a busy daemon grows
 * by back. It does nothing where the heap has not grown by a tenth since it last ran, so an idle daemon's resyncs do not
 * collect again and again.
 */
final class HeapTrim implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(HeapTrim.class);
    /** The free share the heap keeps once trimmed (the launcher's MaxHeapFreeRatio, 40, is for a busy daemon). */
    static final int IDLE_FREE_PERCENT = 20;
    private static final String RATIO = "MaxHeapFreeRatio";

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private long committedAfterLast;

    @Override
    public void run() {
        long committed = memory.getHeapMemoryUsage().getCommitted();
        if (committedAfterLast > 0 && committed < committedAfterLast * 11 / 10) {
            return;
        }
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        String busy = hotspot.getVMOption(RATIO).getValue();
        boolean lowered = false;
        try {
            // Not below the ratio the heap grows at (MinHeapFreeRatio): the JVM refuses a maximum under the minimum.
            int min = Integer.parseInt(hotspot.getVMOption("MinHeapFreeRatio").getValue());
            if (Integer.parseInt(busy) > Math.max(min, IDLE_FREE_PERCENT)) {
                hotspot.setVMOption(RATIO, String.valueOf(Math.max(min, IDLE_FREE_PERCENT)));
                lowered = true;
            }
            System.gc();
        } finally {
            if (lowered) {
                hotspot.setVMOption(RATIO, busy);
            }
        }
        committedAfterLast = memory.getHeapMemoryUsage().getCommitted();
        LOG.debug("quiet: heap {} MB committed, {} MB after a full collection", committed >> 20, committedAfterLast >> 20);
    }
}
