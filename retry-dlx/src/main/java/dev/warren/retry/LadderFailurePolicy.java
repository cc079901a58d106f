package dev.warren.retry;

import dev.warren.core.config.Durations;
import dev.warren.core.spi.DeadLetterOnFailure;
import dev.warren.core.publish.PublishException;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.spi.FailureOutcome;
import dev.warren.core.spi.FailurePolicy;
import dev.warren.core.spi.TaskFailure;
import dev.warren.core.spi.TaskOutcome;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retry ladder as a {@link FailurePolicy}. A retryable failure with attempts left is
 * republished to {@code <queue>.retry.<delay>} with {@code x-warren-attempt} + 1 and the error
 * headers; the broker returns it to the work queue when the delay expires. A permanent failure,
 * a non-retryable exception or the last attempt goes to {@code <queue>.dlq}. Either way the
 * method returns only after the broker confirmed the copy; the worker acknowledges the original
 * after that, so a crash in between means a duplicate, never a loss.
 *
 * <p>Counts redeliveries as failed attempts: a task whose worker died mid-run is republished
 * with its attempt counted, so a task that kills its worker is dead-lettered after
 * {@code maxAttempts} instead of looping.
 */
final class LadderFailurePolicy implements FailurePolicy {

    private static final Logger log = LoggerFactory.getLogger(LadderFailurePolicy.class);
    private static final long CONFIRM_TIMEOUT_SECONDS = 30;

    private final TaskPublisher publisher;
    private final RetryPolicies policies;
    private final Clock clock;

    @Inject
    LadderFailurePolicy(TaskPublisher publisher, RetryPolicies policies, Clock clock) {
        this.publisher = publisher;
        this.policies = policies;
        this.clock = clock;
    }

    @Override
    public TaskOutcome handle(TaskFailure failure) throws Exception {
        return settle(failure).outcome();
    }

    @Override
    public FailureOutcome settle(TaskFailure failure) throws Exception {
        RetrySettings settings = policies.forType(failure.taskType());
        int attempt = failure.attempt();
        String id = TaskFailure.printable(failure.messageId());
        RetryDecision decision = settings.decide(failure.permanent(), failure.cause(), attempt);
        if (decision.retries()) {
            Duration delay = decision.delay();
            String retryQueue = RetryLadder.queueName(failure.queue(), delay);
            try {
                publisher.publishRaw(retryQueue, failure.republishProperties(attempt + 1, clock.instant()), failure.body())
                        .get(CONFIRM_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                log.info("task {} ({}) failed attempt {} of {}: {}; retrying in {}", id, TaskFailure.printable(failure.taskType()),
                        attempt, settings.maxAttempts(), failure.reason(), Durations.format(delay));
                return FailureOutcome.retried(delay);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof PublishException p && p.reason() == PublishException.Reason.UNENCODABLE)) {
                    throw e;
                }
                // Its headers and Warren's do not fit in a frame: no retry copy can be sent, ever.
                return deadLetter(failure, attempt, "cannot be retried: " + p.getMessage());
            }
        }
        return deadLetter(failure, attempt, decision.why());
    }

    private FailureOutcome deadLetter(TaskFailure failure, int attempt, String why) throws Exception {
        String dlq = DeadLetterOnFailure.deadLetterQueue(failure.queue());
        DeadLetterOnFailure.publishCopy(publisher, dlq, failure, attempt, clock.instant());
        DeadLetterOnFailure.logDeadLettered(log, failure, dlq, why);
        return FailureOutcome.deadLettered(why);
    }

    @Override
    public boolean countsRedeliveries() {
        return true;
    }
}
