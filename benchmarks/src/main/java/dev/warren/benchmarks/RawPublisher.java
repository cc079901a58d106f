package dev.warren.benchmarks;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

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
        ConcurrentNavigableMap<Long, Boolean> outstanding = new ConcurrentSkipListMap<>();
        Channel channel = connection.createChannel();
        try {
            channel.confirmSelect();
            PublishWindow window = new PublishWindow(this.window);
            channel.addConfirmListener(new ConfirmListener() {
                @Override
                public void handleAck(long tag, boolean multiple) {
                    window.settled(remove(tag, multiple), true);
                }

                @Override
                public void handleNack(long tag, boolean multiple) {
                    window.settled(remove(tag, multiple), false);
                }

                private int remove(long tag, boolean multiple) {
                    if (!multiple) {
                        return outstanding.remove(tag) != null ? 1 : 0;
                    }
                    int removed = 0;
                    var head = outstanding.headMap(tag, true);
                    for (Long sequence : head.keySet()) {
                        if (head.remove(sequence) != null) {
                            removed++;
                        }
                    }
                    return removed;
                }
            });
            long sent = 0;
            while (window.more(sent, maxCount, deadlineNanos)) {
                if (!window.acquire()) {
                    continue;
                }
                outstanding.put(channel.getNextPublishSeqNo(), Boolean.TRUE);
                channel.basicPublish("", queue, true, TaskBodies.rawProperties(), bodies.rawBody(sent));
                sent++;
            }
            return window.finish(queue, outstanding.size());
        } finally {
            Benchmarks.closeQuietly(channel);
        }
    }
}
