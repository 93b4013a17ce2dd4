package io.switchboard.core.metrics;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * Reads the JVM's own figures through its management beans: heap in use after the last collection (the sum of every
 * heap pool's collection usage — what survives a GC, the figure that shows a leak), the time collectors spent in
 * pauses since the previous sample (concurrent collectors' cycles are not pauses and are left out) and live threads.
 * Not thread-safe; one per environment, called from its metrics writer.
 */
public final class JvmSampler {
    private final List<GarbageCollectorMXBean> collectors;
    private final List<MemoryPoolMXBean> heapPools;
    private final ThreadMXBean threads;
    private long lastGcMillis;

    /** A sampler of this JVM; the first sample's pause time counts from the JVM's start. */
    public JvmSampler() {
        this.collectors = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .filter(b -> !b.getName().contains("Concurrent")).toList();
        this.heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.isCollectionUsageThresholdSupported()).toList();
        this.threads = ManagementFactory.getThreadMXBean();
    }

    /** One reading. */
    public Sample sample() {
        long heap = 0;
        for (MemoryPoolMXBean p : heapPools) {
            MemoryUsage u = p.getCollectionUsage();
            if (u != null) {
                heap += u.getUsed();
            }
        }
        long gc = 0;
        for (GarbageCollectorMXBean b : collectors) {
            long t = b.getCollectionTime();
            if (t > 0) {
                gc += t;
            }
        }
        long pause = Math.max(0, gc - lastGcMillis);
        lastGcMillis = gc;
        return new Sample(heap, pause, threads.getThreadCount());
    }

    /**
     * One reading of the JVM.
     *
     * @param heapAfterGcBytes heap in use after the last collection
     * @param gcPauseMillis time in collection pauses since the previous reading
     * @param threads live threads
     */
    public record Sample(long heapAfterGcBytes, long gcPauseMillis, int threads) {
    }
}
