package dev.warren.core.spi;

import com.rabbitmq.client.AMQP;
import dev.warren.core.publish.PublishException;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.task.TaskExpiredException;
import dev.warren.core.wire.MalformedTaskException;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Core's default {@link FailurePolicy}: every failure goes to {@code <queue>.dlq} with the error
 * headers, confirmed before the worker acknowledges. Nothing is dropped and nothing loops; the
 * retry-dlx module replaces it with a retry ladder.
 */
public final class DeadLetterOnFailure implements FailurePolicy {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterOnFailure.class);
    private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(30);

    private final TaskPublisher publisher;
    private final Clock clock;

    @Inject
    public DeadLetterOnFailure(TaskPublisher publisher, Clock clock) {
        this.publisher = publisher;
        this.clock = clock;
    }

    /** The dead-letter queue of work queue {@code queue}. */
    public static String deadLetterQueue(String queue) {
        return queue + ".dlq";
    }

    /**
     * Publishes the dead-letter copy of {@code failure} (attempt {@code attempt}) to {@code dlq}
     * and waits for the confirm. When the message's own headers and Warren's together are too big
     * for a frame, the copy goes without the message's own headers rather than not at all: a
     * message that cannot be parked would go back to its queue and fail again forever.
     *
     * @throws Exception when the copy was not confirmed; the caller leaves the delivery unacknowledged
     */
    public static void publishCopy(TaskPublisher publisher, String dlq, TaskFailure failure, int attempt, Instant now)
            throws Exception {
        publishCopy(failure, attempt, now, CONFIRM_TIMEOUT,
                properties -> publisher.publishRaw(dlq, properties, failure.body()));
    }

    /**
     * Like {@link #publishCopy(TaskPublisher, String, TaskFailure, int, Instant)}, for a copy whose
     * body is not in {@code failure}: {@code send} publishes the given properties (first with the
     * message's own headers, then, if they do not fit in a frame, without them) with its body.
     */
    public static void publishCopy(TaskFailure failure, int attempt, Instant now, Duration confirmTimeout,
                                   Function<AMQP.BasicProperties, CompletableFuture<Void>> send) throws Exception {
        try {
            send.apply(failure.deadLetterProperties(attempt, now)).get(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof PublishException p && p.reason() == PublishException.Reason.UNENCODABLE)) {
                throw e;
            }
            log.warn("task {}: its own headers and Warren's do not fit in one frame ({}); dead-lettering it without"
                    + " its own headers", TaskFailure.printable(failure.properties().getMessageId()), p.getMessage());
            send.apply(failure.republishPropertiesWithoutOwnHeaders(attempt, now))
                    .get(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Logs that {@code failure} was dead-lettered to {@code dlq}, once, at WARN: with the stack
     * trace when the handler (or something it called) threw, without it for bad input, whose
     * reason says it all (malformed, unknown type, invalid payload, expired).
     */
    public static void logDeadLettered(Logger log, TaskFailure failure, String dlq, String why) {
        String id = TaskFailure.printable(failure.messageId());
        String type = TaskFailure.printable(failure.taskType());
        if (isBadInput(failure.cause())) {
            log.warn("task {} ({}) dead-lettered to '{}' ({}): {}", id, type, dlq, why, failure.reason());
        } else {
            log.warn("task {} ({}) dead-lettered to '{}' ({}): {}", id, type, dlq, why, failure.reason(), failure.cause());
        }
    }

    private static boolean isBadInput(Throwable cause) {
        return cause instanceof MalformedTaskException || cause instanceof UnknownTaskTypeException
                || cause instanceof InvalidPayloadException || cause instanceof TaskExpiredException;
    }

    @Override
    public TaskOutcome handle(TaskFailure failure) throws Exception {
        return settle(failure).outcome();
    }

    @Override
    public FailureOutcome settle(TaskFailure failure) throws Exception {
        String dlq = deadLetterQueue(failure.queue());
        String why = "after attempt " + failure.attempt();
        publishCopy(publisher, dlq, failure, failure.attempt(), clock.instant());
        logDeadLettered(log, failure, dlq, why);
        return FailureOutcome.deadLettered(why);
    }
}
