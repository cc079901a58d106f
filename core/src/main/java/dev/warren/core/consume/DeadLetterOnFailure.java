package dev.warren.core.consume;

import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.spi.FailurePolicy;
import dev.warren.core.spi.TaskFailure;
import dev.warren.core.spi.TaskOutcome;
import jakarta.inject.Inject;
import java.time.Clock;
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

    @Override
    public TaskOutcome handle(TaskFailure failure) throws Exception {
        String dlq = deadLetterQueue(failure.queue());
        publisher.publishRaw(dlq, failure.republishProperties(failure.attempt(), clock.instant()), failure.body())
                .get(CONFIRM_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        log.warn("task {} ({}) dead-lettered to '{}' after attempt {}: {}",
                failure.message() == null ? failure.properties().getMessageId() : failure.message().id(),
                TaskFailure.printable(failure.taskType()), dlq, failure.attempt(), failure.reason());
        return TaskOutcome.DEAD_LETTERED;
    }
}
