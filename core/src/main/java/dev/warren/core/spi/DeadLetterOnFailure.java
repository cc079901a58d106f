package dev.warren.core.spi;

import dev.warren.core.publish.PublishException;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.spi.FailurePolicy;
import dev.warren.core.spi.TaskFailure;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.core.task.TaskExpiredException;
import dev.warren.core.wire.MalformedTaskException;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Core's default {@link FailurePolicy}: every failure goes to {@code <queue>.dlq} with the error
 * headers, confirmed before the worker acknowledges. Nothing is dropped and nothing loops; the
 * retry-dlx module replaces it with a retry ladder.
 */
public final class DeadLetterOnFailure implements FailurePolicy {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterOnFailure.class);
    private static final long CONFIRM_TIMEOUT_SECONDS = 30;

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
        try {
            publisher.publishRaw(dlq, failure.deadLetterProperties(attempt, now), failure.body())
                    .get(CONFIRM_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof PublishException p && p.reason() == PublishException.Reason.UNENCODABLE)) {
                throw e;
            }
            log.warn("task {}: its own headers and Warren's do not fit in one frame ({}); dead-lettering it without"
                    + " its own headers", TaskFailure.printable(failure.properties().getMessageId()), p.getMessage());
            publisher.publishRaw(dlq, failure.republishPropertiesWithoutOwnHeaders(attempt, now), failure.body())
                    .get(CONFIRM_TIMEOUT_SECONDS, TimeUnit.SECONDS);
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
        String dlq = deadLetterQueue(failure.queue());
        publishCopy(publisher, dlq, failure, failure.attempt(), clock.instant());
        logDeadLettered(log, failure, dlq, "after attempt " + failure.attempt());
        return TaskOutcome.DEAD_LETTERED;
    }
}
