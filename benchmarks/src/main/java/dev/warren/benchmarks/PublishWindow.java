package dev.warren.benchmarks;

import java.io.IOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What both sides' publishers share: at most {@code window} publishes awaiting a confirm, the
 * count of confirmed and refused ones, the time of the last confirm, and the result. The publish
 * loop runs on one thread; confirms settle on amqp-client's threads.
 */
final class PublishWindow {

    private static final long CONFIRM_WAIT_SECONDS = 60;

    private final int window;
    private final Semaphore permits;
    private final LongAdder confirmed = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final AtomicLong lastConfirm = new AtomicLong();
    private final long started = System.nanoTime();
    private final long cpuAtStart = JvmProbe.processCpuNanos();
    private final long allocatedAtStart = JvmProbe.allocatedBytes();

    PublishWindow(int window) {
        this.window = window;
        this.permits = new Semaphore(window);
    }

    /** True while the loop should go on: fewer than {@code maxCount} sent and the deadline not passed. */
    boolean more(long sent, long maxCount, long deadlineNanos) {
        return sent < maxCount && System.nanoTime() < deadlineNanos;
    }

    /** Takes a place in the window; false when none freed up within 100 ms (check the deadline and try again). */
    boolean acquire() throws InterruptedException {
        return permits.tryAcquire(100, TimeUnit.MILLISECONDS);
    }

    /** {@code count} publishes were confirmed ({@code ok}) or refused; frees their places. */
    void settled(int count, boolean ok) {
        (ok ? confirmed : refused).add(count);
        lastConfirm.accumulateAndGet(System.nanoTime(), Math::max);
        permits.release(count);
    }

    /**
     * Waits for every outstanding confirm and returns the result.
     *
     * @throws IOException when a publish was refused or confirms did not arrive within 60 s
     */
    Publisher.PublishResult finish(String queue, int outstanding) throws IOException, InterruptedException {
        if (!permits.tryAcquire(window, CONFIRM_WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new IOException("the broker did not confirm " + outstanding + " publishes within "
                    + CONFIRM_WAIT_SECONDS + "s");
        }
        if (refused.sum() > 0) {
            throw new IOException("the broker refused " + refused.sum() + " publishes to '" + queue + "'");
        }
        long tasks = confirmed.sum();
        return new Publisher.PublishResult(tasks, (Math.max(lastConfirm.get(), started + 1) - started) / 1e9,
                (JvmProbe.processCpuNanos() - cpuAtStart) / 1e3 / Math.max(1, tasks),
                (JvmProbe.allocatedBytes() - allocatedAtStart) / Math.max(1, tasks));
    }
}
