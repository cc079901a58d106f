package dev.warren.benchmarks;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The baseline publisher, written directly against amqp-client as the RabbitMQ tutorials
 * recommend: one channel in confirm mode, {@code mandatory}, asynchronous confirms tracked in a
 * sorted map of sequence numbers, and at most {@code window} publishes awaiting a confirm, the
 * same window the Warren side gets. Also fills queues for the drain measurements.
 */
final class RawPublisher implements Publisher {

    private final Connection connection;
    private final TaskBodies bodies;
    private final int window;

    RawPublisher(Connection connection, TaskBodies bodies, int window) {
        this.connection = connection;
        this.bodies = bodies;
        this.window = window;
    }

    @Override
    public PublishResult publish(String queue, long maxCount, long deadlineNanos) throws IOException, InterruptedException {
        Semaphore permits = new Semaphore(window);
        ConcurrentNavigableMap<Long, Boolean> outstanding = new ConcurrentSkipListMap<>();
        LongAdder confirmed = new LongAdder();
        LongAdder refused = new LongAdder();
        AtomicLong lastConfirm = new AtomicLong();
        Channel channel = connection.createChannel();
        try {
            channel.confirmSelect();
            channel.addConfirmListener(new ConfirmListener() {
                @Override
                public void handleAck(long tag, boolean multiple) {
                    settle(tag, multiple, confirmed);
                }

                @Override
                public void handleNack(long tag, boolean multiple) {
                    settle(tag, multiple, refused);
                }

                private void settle(long tag, boolean multiple, LongAdder counter) {
                    int settled = 0;
                    if (multiple) {
                        var head = outstanding.headMap(tag, true);
                        for (Long sequence : head.keySet()) {
                            if (head.remove(sequence) != null) {
                                settled++;
                            }
                        }
                    } else if (outstanding.remove(tag) != null) {
                        settled = 1;
                    }
                    counter.add(settled);
                    lastConfirm.accumulateAndGet(System.nanoTime(), Math::max);
                    permits.release(settled);
                }
            });
            long started = System.nanoTime();
            long cpu = JvmProbe.processCpuNanos();
            long sent = 0;
            while (sent < maxCount && System.nanoTime() < deadlineNanos) {
                if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                outstanding.put(channel.getNextPublishSeqNo(), Boolean.TRUE);
                channel.basicPublish("", queue, true, TaskBodies.rawProperties(), bodies.rawBody(sent));
                sent++;
            }
            if (!permits.tryAcquire(window, 60, TimeUnit.SECONDS)) {
                throw new IOException("the broker did not confirm " + outstanding.size() + " publishes within 60s");
            }
            if (refused.sum() > 0) {
                throw new IOException("the broker refused " + refused.sum() + " publishes to '" + queue + "'");
            }
            return new PublishResult(confirmed.sum(), (Math.max(lastConfirm.get(), started + 1) - started) / 1e9,
                    (JvmProbe.processCpuNanos() - cpu) / 1e3 / Math.max(1, confirmed.sum()));
        } finally {
            Benchmarks.closeQuietly(channel);
        }
    }
}
