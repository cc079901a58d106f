package dev.warren.core.consume;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.connection.OversizedBodies;
import dev.warren.core.connection.OversizedBody;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.spi.DeadLetterOnFailure;
import dev.warren.core.spi.TaskFailure;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.core.wire.TaskHeaders;
import dev.warren.core.wire.TaskTooLargeException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves deliveries whose body is over the worker's limit to {@code <queue>.dlq}, whole and
 * unread: the body comes from the file {@link OversizedBodies} kept it in, mapped off the heap,
 * and the copy carries the usual error headers ({@code x-warren-error} is
 * {@link TaskTooLargeException}, the message starts with {@code too_large}) plus
 * {@code x-warren-body-bytes}. A task with {@code reply_to} gets the same {@code dead_lettered}
 * answer as any other dead-lettered task, its error the {@code too_large} message.
 *
 * <p>Straight to the DLQ, past the {@code FailurePolicy}: retrying cannot make a body smaller,
 * and a policy gets the body as a {@code byte[]}, which is what must not be built. This is what
 * core's {@link DeadLetterOnFailure} and retry-dlx's ladder do with every permanent failure anyway.
 * Thread-safe.
 */
@Singleton
final class OversizedTasks {

    private static final Logger log = LoggerFactory.getLogger(OversizedTasks.class);
    /** A large copy takes the broker a while to write to disk before it confirms. */
    private static final Duration CONFIRM_TIMEOUT = Duration.ofMinutes(2);

    private final OversizedBodies bodies;
    private final TaskPublisher publisher;
    private final Clock clock;

    @Inject
    OversizedTasks(OversizedBodies bodies, TaskPublisher publisher, Clock clock) {
        this.bodies = bodies;
        this.publisher = publisher;
        this.clock = clock;
    }

    /** The kept body of this delivery when its body was over the limit, else null. */
    OversizedBody claim(AMQP.BasicProperties properties) {
        return bodies.claim(properties).orElse(null);
    }

    /**
     * Publishes the dead-letter copy and waits for its confirm, then answers the task's
     * {@code reply_to}, if it has one, as for any dead-lettered task (best effort); deletes the kept
     * body either way. Returns {@code DEAD_LETTERED}, or null when the copy could not be made or
     * confirmed: then the caller leaves the delivery for redelivery (a duplicate is possible, a
     * loss is not).
     */
    TaskOutcome deadLetter(String queue, Envelope envelope, OversizedBody body, Replies replies) {
        String id = TaskFailure.printable(body.properties().getMessageId());
        String dlq = DeadLetterOnFailure.deadLetterQueue(queue);
        TaskTooLargeException cause = new TaskTooLargeException(body.size(), bodies.limit());
        try (body) {
            if (!body.isKept()) {
                log.error("task {} from '{}' {}, and it could not be kept for '{}' ({}); it goes back to the queue",
                        id, queue, cause.getMessage(), dlq, body.failure());
                return null;
            }
            TaskFailure failure = new TaskFailure(queue, envelope, body.properties(), new byte[0], null, cause, true);
            ByteBuffer kept = body.map();
            DeadLetterOnFailure.publishCopy(failure, failure.attempt(), clock.instant(), CONFIRM_TIMEOUT,
                    properties -> publisher.publishRaw(dlq, withSize(properties, body.size()), kept));
            DeadLetterOnFailure.logDeadLettered(log, failure, dlq, "permanent failure");
            replies.tooLarge(body.properties(), cause);
            return TaskOutcome.DEAD_LETTERED;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.error("task {} from '{}' {}, and could not be moved to '{}': {}; it goes back to the queue",
                    id, queue, cause.getMessage(), dlq, AmqpConnections.describe(e));
            return null;
        }
    }

    private static AMQP.BasicProperties withSize(AMQP.BasicProperties properties, long size) {
        Map<String, Object> headers = new HashMap<>(properties.getHeaders());
        headers.put(TaskHeaders.BODY_BYTES, size);
        return properties.builder().headers(headers).build();
    }
}
