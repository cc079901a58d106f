package dev.warren.benchmarks;

import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.publish.PublishException;
import dev.warren.core.publish.TaskPublisher;
import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Warren side's publisher: {@link TaskPublisher#publish(OutgoingTask)} with the same window
 * as the raw side, as {@code producer-app load} uses it.
 */
final class WarrenPublisher implements Publisher {

    private final TaskPublisher publisher;
    private final TaskBodies bodies;
    private final int window;

    WarrenPublisher(TaskPublisher publisher, TaskBodies bodies, int window) {
        this.publisher = publisher;
        this.bodies = bodies;
        this.window = window;
    }

    @Override
    public PublishResult publish(String queue, long maxCount, long deadlineNanos) throws IOException, InterruptedException {
        Semaphore permits = new Semaphore(window);
        LongAdder confirmed = new LongAdder();
        LongAdder refused = new LongAdder();
        AtomicLong lastConfirm = new AtomicLong();
        long started = System.nanoTime();
        long cpu = JvmProbe.processCpuNanos();
        long sent = 0;
        while (sent < maxCount && System.nanoTime() < deadlineNanos) {
            if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                continue;
            }
            OutgoingTask task = new OutgoingTask(UUID.randomUUID().toString(), TaskBodies.TYPE, bodies.payload(sent),
                    queue, null, null, null);
            publisher.publish(task).whenComplete((ok, error) -> {
                (error == null ? confirmed : refused).increment();
                lastConfirm.accumulateAndGet(System.nanoTime(), Math::max);
                permits.release();
            });
            sent++;
        }
        if (!permits.tryAcquire(window, 60, TimeUnit.SECONDS)) {
            throw new IOException("the broker did not confirm " + publisher.outstandingConfirms() + " publishes within 60s");
        }
        if (refused.sum() > 0) {
            throw new PublishException(PublishException.Reason.NACKED, refused.sum() + " publishes to '" + queue
                    + "' failed");
        }
        return new PublishResult(confirmed.sum(), (Math.max(lastConfirm.get(), started + 1) - started) / 1e9,
                (JvmProbe.processCpuNanos() - cpu) / 1e3 / Math.max(1, confirmed.sum()));
    }
}
