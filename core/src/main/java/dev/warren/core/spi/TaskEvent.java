package dev.warren.core.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * One step in the life of a task on a worker, as {@link TaskListener#taskEvent} hears it: what
 * happened ({@link Kind}) and the context of the delivery. Immutable; the fields a kind does not
 * have are {@code null}.
 *
 * @param kind         what happened
 * @param messageId    the task's message id, or {@code null} when the delivery has none and its body is unreadable
 * @param taskType     the task type as the message names it, or {@link TaskListener#UNKNOWN_TYPE}
 * @param queue        the work queue the delivery came from
 * @param attempt      the attempt this delivery is (1-based; {@code x-warren-attempt})
 * @param publishedAt  the message's publish timestamp, or {@code null}
 * @param at           when it happened, by the worker's clock
 * @param duration     time from the delivery's arrival to this event, for the ending kinds
 *                     ({@code succeeded}, {@code failed}, {@code retried}, {@code dead_lettered}); else {@code null}
 * @param error        class name of the exception of a {@code failed} attempt (also on the
 *                     {@code retried} or {@code dead_lettered} that follows)
 * @param errorMessage its message, control characters replaced
 * @param retryDelay   how long a {@code retried} task waits before its next attempt
 * @param reason       why a task was {@code dead_lettered} (e.g. {@code "attempt 3 of 3 failed"})
 *                     or {@code put_back}
 */
public record TaskEvent(Kind kind, String messageId, String taskType, String queue, int attempt,
                        Instant publishedAt, Instant at, Duration duration, String error, String errorMessage,
                        Duration retryDelay, String reason) {

    /** What happened to the task. The lower-case {@link #label()} is the event name on the wire. */
    public enum Kind {
        /** A worker took the delivery and read it (before checking its age, type and payload). */
        RECEIVED,
        /** Its handler is about to run. */
        STARTED,
        /** The handler returned; the task is acknowledged. */
        SUCCEEDED,
        /** The attempt failed; a {@code retried} or {@code dead_lettered} follows unless the task goes back to the queue. */
        FAILED,
        /** It was republished for another attempt after {@link TaskEvent#retryDelay()}. */
        RETRIED,
        /** It went to the dead-letter queue for {@link TaskEvent#reason()}. */
        DEAD_LETTERED,
        /** A stopping worker put it back on its queue unstarted, attempt unchanged. */
        PUT_BACK;

        private final String label = name().toLowerCase(Locale.ROOT);

        /** The event name: {@code received}, {@code started}, ..., {@code put_back}. */
        public String label() {
            return label;
        }
    }

    public TaskEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(taskType, "taskType");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(at, "at");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
        }
    }

    /** A {@code kind} event of a delivery, with no duration, error, delay or reason yet. */
    public static TaskEvent of(Kind kind, String messageId, String taskType, String queue, int attempt,
                               Instant publishedAt, Instant at) {
        return new TaskEvent(kind, messageId, taskType, queue, attempt, publishedAt, at, null, null, null, null, null);
    }

    /** The next event of the same delivery: {@code kind} at {@code at}, {@code duration} after its arrival. */
    public TaskEvent next(Kind kind, Instant at, Duration duration) {
        return new TaskEvent(kind, messageId, taskType, queue, attempt, publishedAt, at, duration, error, errorMessage,
                retryDelay, reason);
    }

    /** This event with the failure's exception class and message. */
    public TaskEvent withError(Throwable cause) {
        String text = cause.getMessage();
        return new TaskEvent(kind, messageId, taskType, queue, attempt, publishedAt, at, duration,
                cause.getClass().getName(), text == null ? null : TaskFailure.printable(text), retryDelay, reason);
    }

    /** This event with where the failure policy sent the task: its retry delay and reason. */
    public TaskEvent withOutcome(FailureOutcome outcome) {
        return new TaskEvent(kind, messageId, taskType, queue, attempt, publishedAt, at, duration, error, errorMessage,
                outcome.retryDelay(), outcome.reason());
    }
}
