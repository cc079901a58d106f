package dev.warren.benchmarks;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Resource use of this JVM while a measurement runs: process CPU time, bytes allocated by all
 * threads, garbage collections, and the peak of used heap (sampled every 20 ms on a daemon thread
 * while {@link #watchHeap} runs).
 */
final class JvmProbe implements AutoCloseable {

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private final AtomicLong peakHeap = new AtomicLong();
    private final Thread sampler;
    private volatile boolean done;

    private JvmProbe() {
        sampler = Thread.ofPlatform().daemon().name("warren-bench-heap").start(() -> {
            while (!done) {
                peakHeap.accumulateAndGet(MEMORY.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** Starts sampling the heap until {@link #close()}. */
    static JvmProbe watchHeap() {
        return new JvmProbe();
    }

    /** The most heap in use seen so far, in bytes. */
    long peakHeapBytes() {
        return peakHeap.get();
    }

    /** CPU time of this process, all threads, in nanoseconds. */
    static long processCpuNanos() {
        return OS.getProcessCpuTime();
    }

    /** Bytes allocated on the heap by all threads since the JVM started. */
    static long allocatedBytes() {
        return THREADS.getTotalThreadAllocatedBytes();
    }

    /** Garbage collections since the JVM started. */
    static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionCount)
                .filter(n -> n > 0).sum();
    }

    @Override
    public void close() {
        done = true;
        sampler.interrupt();
    }
}
