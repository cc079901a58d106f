package dev.warren.retry;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.connection.OversizedBodies;
import dev.warren.core.connection.OversizedBody;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads the messages a dead-letter queue holds when reading starts, oldest first, without
 * acknowledging them: the first with a {@code basic.get} (whose answer carries the count), the rest
 * through a consumer. At the end it releases every one it did not acknowledge in one
 * {@code basic.nack(multiple, requeue)}: a classic queue puts them back in their original
 * positions, so reading changes neither content nor order (a quorum queue on RabbitMQ 4.0 to 4.2
 * counts each return toward its delivery limit: see {@link DeadLetterQueue}).
 *
 * <p>A few round trips per read, not one per message: the broker pushes up to {@code prefetch}
 * messages (0: no limit). A read that may visit every message must not limit them, because it holds
 * every message it has seen until the end and the broker stops at the prefetch. Memory stays
 * bounded all the same: deliveries wait in a queue of {@value #BUFFER} and amqp-client's dispatch
 * queue of a channel holds at most 1,000, after which its reader stops reading the socket (TCP
 * back-pressure on the broker). Not thread safe: one read at a time per instance.
 */
final class DeadLetterReader {

    /** Deliveries waiting to be visited. */
    static final int BUFFER = 2_000;
    /** A read ends when no delivery came for this long (another reader holds the rest, or the prefetch is used up). */
    private static final long IDLE_MILLIS = 1_000;

    /** Visits one dead letter ({@code kept}: its body in a file, or null); returns false to stop reading. */
    @FunctionalInterface
    interface Visitor {
        boolean visit(DeadLetter letter, long deliveryTag, Channel channel, OversizedBody kept) throws Exception;
    }

    private record Delivery(long tag, AMQP.BasicProperties properties, byte[] body) {
    }

    private final Channel channel;
    private final OversizedBodies bodies;
    private final BlockingQueue<Delivery> deliveries = new ArrayBlockingQueue<>(BUFFER);
    // Set by the reading thread to end the read; read by amqp-client's dispatch thread, which then
    // stops queueing (and so never blocks the connection while the read is being released).
    private volatile boolean ending;

    private DeadLetterReader(Channel channel, OversizedBodies bodies) {
        this.channel = channel;
        this.bodies = bodies;
    }

    /**
     * Reads {@code dlq} on a channel of its own on {@code connection}; {@code bodies}: where that
     * connection keeps large bodies, or null. Returns how many messages the queue held ready at the start.
     */
    static int read(Connection connection, OversizedBodies bodies, String dlq, int prefetch, Visitor visitor,
                    ChannelUse beforeRelease) throws Exception {
        try (Channel channel = connection.createChannel()) {
            // The count comes with a basic.get, not a passive declare: RabbitMQ answers a declare ahead of
            // work the queue has not done yet, such as putting back what the previous read released
            // (a list right after another counted 0), and a get after it.
            GetResponse head = channel.basicGet(dlq, false);
            if (head == null) {
                return 0;
            }
            int present = head.getMessageCount() + 1;
            DeadLetterReader reader = new DeadLetterReader(channel, bodies);
            reader.deliveries.add(new Delivery(head.getEnvelope().getDeliveryTag(), head.getProps(), head.getBody()));
            // The head came with the get: the consumer needs one fewer (0 stays "no limit").
            reader.visit(dlq, present, prefetch == 0 ? 0 : Math.max(1, prefetch - 1), visitor, beforeRelease);
            return present;
        }
    }

    /** Work done on the reading channel after the last visit and before the release, such as the last acks. */
    @FunctionalInterface
    interface ChannelUse {
        void use(Channel channel) throws Exception;
    }

    private void visit(String dlq, int present, int prefetch, Visitor visitor, ChannelUse beforeRelease) throws Exception {
        channel.basicQos(prefetch);
        String consumerTag = channel.basicConsume(dlq, false, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                    throws IOException {
                Delivery delivery = new Delivery(envelope.getDeliveryTag(), properties, body);
                try {
                    while (!ending && !deliveries.offer(delivery, 100, TimeUnit.MILLISECONDS)) {
                        // full: wait for the reading thread, which back-pressures the broker
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (ending) {
                    // Not visited: it goes back with the release; a body kept in a file is deleted now.
                    bodies(delivery).ifPresent(OversizedBody::close);
                }
            }
        });
        try {
            for (int seen = 0; seen < present; seen++) {
                Delivery delivery = next();
                if (delivery == null || !visit(delivery, visitor)) {
                    break;
                }
            }
        } finally {
            ending = true;
            try {
                beforeRelease.use(channel);
            } finally {
                release(consumerTag);
            }
        }
    }

    /**
     * The next delivery, or null when none came for {@link #IDLE_MILLIS}; time a large body spends
     * arriving (written to a file frame by frame, delivered with its last one) is not idle.
     */
    private Delivery next() throws InterruptedException {
        while (true) {
            Delivery delivery = deliveries.poll(IDLE_MILLIS, TimeUnit.MILLISECONDS);
            if (delivery != null || bodies == null || !bodies.arriving()) {
                return delivery;
            }
        }
    }

    /** Ends the read: every message delivered and not acknowledged goes back to the queue, in its place. */
    private void release(String consumerTag) throws IOException {
        dropUnvisited();
        if (channel.isOpen()) {
            channel.basicCancel(consumerTag);
            dropUnvisited();
            // Tag 0 with multiple: every message delivered on this channel and not acknowledged goes back.
            channel.basicNack(0, true, true);
        }
    }

    private boolean visit(Delivery delivery, Visitor visitor) throws Exception {
        Optional<OversizedBody> kept = bodies(delivery);
        try {
            DeadLetter letter = kept.isEmpty() ? DeadLetter.of(delivery.properties(), delivery.body())
                    : DeadLetter.of(kept.get().properties(),
                            kept.get().isKept() ? kept.get().head(DeadLetterQueue.HEAD_BYTES) : new byte[0], kept.get().size());
            return visitor.visit(letter, delivery.tag(), channel, kept.orElse(null));
        } finally {
            kept.ifPresent(OversizedBody::close);
        }
    }

    /** Empties the buffer; the messages go back with the release, their bodies kept in files are deleted. */
    private void dropUnvisited() {
        for (Delivery delivery = deliveries.poll(); delivery != null; delivery = deliveries.poll()) {
            bodies(delivery).ifPresent(OversizedBody::close);
        }
    }

    private Optional<OversizedBody> bodies(Delivery delivery) {
        return bodies == null ? Optional.empty() : bodies.claim(delivery.properties());
    }
}
