package dev.warren.core.consume;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Envelope;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.connection.OversizedBodies;
import dev.warren.core.connection.OversizedBody;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.spi.TaskEvent;
import dev.warren.core.spi.TaskListener;
import dev.warren.core.wire.TaskHeaders;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts deliveries a stopping worker will not run back at the tail of their queue, unchanged (same
 * message id, headers and attempt), and acknowledges them once the broker confirms the copy.
 *
 * <p>Why not let the closing channel requeue them: the broker then marks them redelivered, and a
 * redelivery counts as an attempt (the sign of a worker that died running the task). Tasks that
 * sat unstarted in the prefetch buffer would lose an attempt and wait out a retry delay on every
 * graceful restart. When the copy cannot be confirmed, the delivery stays unacknowledged and the
 * channel's close requeues it after all: at least once either way. Thread-safe.
 */
final class PutBack {

    private static final Logger log = LoggerFactory.getLogger(PutBack.class);

    private final TaskPublisher publisher;
    private final OversizedBodies oversized;
    private final AtomicInteger returned = new AtomicInteger();
    private final AtomicInteger left = new AtomicInteger();
    private final TaskListeners listeners;
    private final Clock clock;

    PutBack(TaskPublisher publisher, OversizedBodies oversized, TaskListeners listeners, Clock clock) {
        this.publisher = publisher;
        this.oversized = oversized;
        this.listeners = listeners;
        this.clock = clock;
    }

    /**
     * Publishes a copy of the delivery to {@code queue} and, once confirmed, acknowledges the
     * delivery on {@code acks}. The future completes when both are done or the copy failed.
     */
    CompletableFuture<Void> putBack(String queue, Channel channel, Envelope envelope, AMQP.BasicProperties properties,
                                    byte[] body, Executor acks) {
        if (!channel.isOpen()) {
            // The broker requeues it already; a copy would make it a duplicate.
            left.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        }
        Optional<OversizedBody> kept = oversized.claim(properties);
        if (kept.isPresent()) {
            // Its body is in a file, not in "body": a copy would be empty. The broker requeues it
            // (marked redelivered, which costs a too-large task nothing: it is dead-lettered unread).
            kept.get().close();
            left.incrementAndGet();
            requeue(channel, envelope);
            return CompletableFuture.completedFuture(null);
        }
        // Without user_id: the broker checks it against the publishing user, who may not be the producer.
        AMQP.BasicProperties copy = properties.getUserId() == null ? properties : properties.builder().userId(null).build();
        CompletableFuture<Void> published;
        try {
            published = publisher.publishRaw(queue, copy, body);
        } catch (RuntimeException e) {
            published = CompletableFuture.failedFuture(e);
        }
        return published.handleAsync((ok, failure) -> {
            if (failure == null && ack(channel, envelope)) {
                returned.incrementAndGet();
                listeners.event(event(TaskEvent.Kind.PUT_BACK, queue, properties, clock.instant()));
            } else {
                left.incrementAndGet();
                if (failure != null) {
                    log.debug("could not put an unstarted task back on '{}' ({}); the broker requeues it when the"
                            + " channel closes", queue, AmqpConnections.describe(failure));
                }
            }
            return null;
        }, acks);
    }

    /** How many unstarted deliveries were put back and acknowledged. */
    int returned() {
        return returned.get();
    }

    /** How many could not be put back and were left for the broker to requeue (marked redelivered). */
    int left() {
        return left.get();
    }

    /**
     * A {@code kind} event of a delivery known only by its properties (not decoded): its
     * {@code message_id}, its {@code type} property or {@code unknown}, its attempt header or 1.
     */
    static TaskEvent event(TaskEvent.Kind kind, String queue, AMQP.BasicProperties properties, Instant at) {
        Object header = properties.getHeaders() == null ? null : properties.getHeaders().get(TaskHeaders.ATTEMPT);
        int attempt = header instanceof Number n && n.longValue() >= 1 && n.longValue() <= Integer.MAX_VALUE
                ? n.intValue() : 1;
        String type = properties.getType() == null ? TaskListener.UNKNOWN_TYPE : properties.getType();
        Instant published = properties.getTimestamp() == null ? null : properties.getTimestamp().toInstant();
        return TaskEvent.of(kind, properties.getMessageId(), type, queue, attempt, published, at);
    }

    private static void requeue(Channel channel, Envelope envelope) {
        try {
            channel.basicReject(envelope.getDeliveryTag(), true);
        } catch (IOException | RuntimeException e) {
            log.debug("could not requeue a task over the size limit; the broker requeues it when the channel closes", e);
        }
    }

    private static boolean ack(Channel channel, Envelope envelope) {
        try {
            channel.basicAck(envelope.getDeliveryTag(), false);
            return true;
        } catch (IOException | RuntimeException e) {
            // The copy is in the queue and the original will be requeued too: a duplicate, not a loss.
            log.debug("could not acknowledge a task put back on its queue; it will be delivered twice", e);
            return false;
        }
    }
}
