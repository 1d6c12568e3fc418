package dev.lattice.daemon.runtime;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Comparator;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the daemon does with its heap while nothing reconciles, so that the work it did costs neither the next change
 * nor the memory it holds idle.
 *
 * <p>{@link #tidy}, soon after the work stops: each pass over a large fleet leaves the plan it replaced in the old
 * generation (at 10,000 services some 20 MB a pass, in a heap kept a tenth free), so the next pass would begin with a
 * full collection of it (250–400 ms, measured) before it could answer. Collected while quiet, it is gone before the next
 * change comes. Only where the old generation is more than {@link #FULL} full, and a tenth of it came in since its last
 * collection ({@link #GROWN}): a small fleet's heap has room to spare, and a heap just shrunk has nothing to give.
 *
 * <p>{@link #shrink}, once quiet longer: the JVM gives back heap only in a full collection, which an idle daemon never
 * has, so after a fleet is applied it would hold the heap of that load for good (88 MB committed for 43 MB live at
 * 1,000 services). This collects once with room left for a quarter more than what lives ({@link #IDLE_FREE_PERCENT}),
 * and puts back the ratio a busy daemon grows by. It does nothing where the heap has not grown by a tenth since it last
 * ran, so an idle daemon's resyncs do not collect again and again.
 */
final class HeapTrim {
    private static final Logger LOG = LoggerFactory.getLogger(HeapTrim.class);
    /** The free share the heap keeps once shrunk (the launcher's MaxHeapFreeRatio, 40, is for a busy daemon). */
    static final int IDLE_FREE_PERCENT = 20;
    /** How full the old generation is before a quiet spell is used to collect it. */
    static final double FULL = 0.75;
    /**
     * How much of the old generation has come in since its last collection before a quiet spell is used to collect it:
     * a heap just shrunk is kept a fifth free (more than {@link #FULL} full, all of it live), and collecting it again at
     * every quiet spell would find nothing.
     */
    static final double GROWN = 0.10;
    private static final String RATIO = "MaxHeapFreeRatio";

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    /** The old generation's use, and its use right after its last collection; null where the JVM does not say. */
    private final Supplier<MemoryUsage> old;
    private final Supplier<MemoryUsage> afterCollection;
    private long committedAfterShrink;

    HeapTrim() {
        // The heap's pool with a usage threshold: the old generation (Serial's Tenured Gen, G1 Old Gen).
        MemoryPoolMXBean pool = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.isUsageThresholdSupported())
                .max(Comparator.comparingLong(p -> p.getUsage().getCommitted())).orElse(null);
        this.old = pool == null ? () -> null : pool::getUsage;
        this.afterCollection = pool == null ? () -> null : pool::getCollectionUsage;
    }

    HeapTrim(Supplier<MemoryUsage> old, Supplier<MemoryUsage> afterCollection) {
        this.old = old;
        this.afterCollection = afterCollection;
    }

    /**
     * Whether this JVM's collector needs it: one that empties its old generation only in a full, stop-the-world
     * collection (Serial, as the launcher and the image run the daemon; Parallel). G1, ZGC and Shenandoah reclaim the
     * old generation as they go and give memory back on their own (G1PeriodicGCInterval), and a test JVM running
     * daemons in process on G1 would only collect its whole heap at every quiet second.
     */
    static boolean applies() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .anyMatch(gc -> gc.getName().equals("MarkSweepCompact") || gc.getName().equals("PS MarkSweep"));
    }

    /**
     * Collects when the old generation is more than {@link #FULL} full and a tenth or more of it ({@link #GROWN}) came in
     * since its last collection; whether it did.
     */
    boolean tidy() {
        MemoryUsage usage = old.get();
        MemoryUsage after = afterCollection.get();
        if (usage == null || usage.getCommitted() == 0 || usage.getUsed() < FULL * usage.getCommitted()
                || after != null && usage.getUsed() - after.getUsed() < GROWN * usage.getCommitted()) {
            return false;
        }
        System.gc();
        return true;
    }

    /** Collects with the idle free ratio where the heap has grown since it last did; whether it did. */
    boolean shrink() {
        long committed = memory.getHeapMemoryUsage().getCommitted();
        if (committedAfterShrink > 0 && committed < committedAfterShrink * 11 / 10) {
            return false;
        }
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        String busy = hotspot.getVMOption(RATIO).getValue();
        // Not below the ratio the heap grows at (MinHeapFreeRatio): the JVM refuses a maximum under the minimum.
        int idle = Math.max(Integer.parseInt(hotspot.getVMOption("MinHeapFreeRatio").getValue()), IDLE_FREE_PERCENT);
        boolean lowered = Integer.parseInt(busy) > idle;
        if (lowered) {
            hotspot.setVMOption(RATIO, String.valueOf(idle));
        }
        try {
            System.gc();
        } finally {
            if (lowered) {
                hotspot.setVMOption(RATIO, busy);
            }
        }
        committedAfterShrink = memory.getHeapMemoryUsage().getCommitted();
        LOG.debug("quiet: heap {} MB committed, {} MB after a full collection", committed >> 20, committedAfterShrink >> 20);
        return true;
    }
}
