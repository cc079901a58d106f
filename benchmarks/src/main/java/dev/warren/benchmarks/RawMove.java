package dev.warren.benchmarks;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The dead-letter benchmark's baseline for a pipelined replay: a hand-written amqp-client loop that
 * moves messages from one queue to another as fast as the broker allows with the same guarantee
 * (each original acknowledged only after its copy's confirm): consume with a prefetch of the
 * window, publish each copy on a confirm channel, acknowledge originals as confirms arrive.
 */
final class RawMove {

    private RawMove() {
    }

    /** Moves {@code count} messages from {@code from} to {@code to}, up to {@code window} unconfirmed. */
    static void move(Connection connection, String from, String to, int count, int window) throws Exception {
        try (Channel in = connection.createChannel(); Channel out = connection.createChannel()) {
            out.confirmSelect();
            // Publish sequence number -> delivery tag of the original; written by the consumer thread,
            // settled by the connection's thread as confirms arrive.
            NavigableMap<Long, Long> pending = new ConcurrentSkipListMap<>();
            CountDownLatch moved = new CountDownLatch(count);
            out.addConfirmListener(new ConfirmListener() {
                @Override
                public void handleAck(long sequence, boolean multiple) throws IOException {
                    NavigableMap<Long, Long> settled = multiple ? pending.headMap(sequence, true)
                            : pending.subMap(sequence, true, sequence, true);
                    long last = 0;
                    int n = 0;
                    for (long tag : settled.values()) {
                        last = Math.max(last, tag);
                        n++;
                    }
                    settled.clear();
                    if (n > 0) {
                        // Copies are published in delivery order and confirms settle every earlier one first.
                        in.basicAck(last, multiple);
                        for (int i = 0; i < n; i++) {
                            moved.countDown();
                        }
                    }
                }

                @Override
                public void handleNack(long sequence, boolean multiple) throws IOException {
                    throw new IOException("the broker refused copy " + sequence + " moving " + from + " to " + to);
                }
            });
            in.basicQos(window);
            in.basicConsume(from, false, (consumerTag, delivery) -> {
                pending.put(out.getNextPublishSeqNo(), delivery.getEnvelope().getDeliveryTag());
                out.basicPublish("", to, delivery.getProperties(), delivery.getBody());
            }, consumerTag -> { });
            if (!moved.await(10, TimeUnit.MINUTES)) {
                throw new IOException("moved " + (count - moved.getCount()) + " of " + count + " in 10 minutes");
            }
        }
    }
}
