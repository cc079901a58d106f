package dev.warren.events;

import dev.warren.core.spi.TaskEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * One task event as the stream carries it, schema version {@value #VERSION} (docs/events.md):
 * the worker's {@link TaskEvent}s, and {@code published} and {@code replayed} from producers and
 * tools. Fields an event does not have are {@code null}. Immutable.
 *
 * @param event        the event name: {@code published}, {@code received}, {@code started},
 *                     {@code succeeded}, {@code failed}, {@code retried}, {@code dead_lettered},
 *                     {@code put_back}, {@code replayed}, or one a later version adds
 * @param messageId    the task's message id
 * @param taskType     the task type, or {@code unknown}
 * @param queue        the work queue
 * @param attempt      the attempt (1-based)
 * @param worker       the name of the worker (or producer, or tool) that emitted it
 * @param at           when it happened (kept to the millisecond)
 * @param publishedAt  the task's publish timestamp
 * @param durationMs   milliseconds from the delivery's arrival to this event
 * @param error        exception class of a failed attempt
 * @param errorMessage its message
 * @param retryDelayMs milliseconds a retried task waits
 * @param reason       why it was dead-lettered or replayed
 */
public record Event(String event, String messageId, String taskType, String queue, Integer attempt, String worker,
                    Instant at, Instant publishedAt, Long durationMs, String error, String errorMessage,
                    Long retryDelayMs, String reason) {

    /** The schema version this class writes; readers accept any event whose {@code v} is 1. */
    public static final int VERSION = 1;
    /** Event name of a task a producer published (its confirm arrived). */
    public static final String PUBLISHED = "published";
    /** Event name of a task moved from the dead-letter queue back to its work queue. */
    public static final String REPLAYED = "replayed";

    public Event {
        Objects.requireNonNull(event, "event");
        // Milliseconds, as the schema writes it, so an event reads back equal to what was written.
        at = Objects.requireNonNull(at, "at").truncatedTo(ChronoUnit.MILLIS);
    }

    /** The stream form of a worker's {@code event}, emitted by {@code worker}. */
    public static Event of(TaskEvent event, String worker) {
        return new Event(event.kind().label(), event.messageId(), event.taskType(), event.queue(), event.attempt(),
                worker, event.at(), event.publishedAt(), millis(event.duration()), event.error(), event.errorMessage(),
                millis(event.retryDelay()), event.reason());
    }

    /** A task {@code messageId} of {@code taskType} that {@code producer} published to {@code queue}. */
    public static Event published(String messageId, String taskType, String queue, String producer, Instant at) {
        return new Event(PUBLISHED, messageId, taskType, queue, 1, producer, at, at, null, null, null, null, null);
    }

    /** A task that {@code tool} moved from the dead-letter queue back to {@code queue}, because {@code reason}. */
    public static Event replayed(String messageId, String taskType, String queue, String tool, Instant at,
                                 String reason) {
        return new Event(REPLAYED, messageId, taskType, queue, 1, tool, at, null, null, null, null, null, reason);
    }

    private static Long millis(Duration duration) {
        return duration == null ? null : duration.toMillis();
    }
}
