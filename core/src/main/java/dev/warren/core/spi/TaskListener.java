package dev.warren.core.spi;

import java.time.Duration;
import java.time.Instant;

/**
 * Observes tasks as a worker runs them; the metrics module records them, the events module
 * publishes their {@link TaskEvent}s. Register with a Guice {@code Multibinder<TaskListener>}.
 * Called on consumer threads, concurrently; must be fast, must not block and must not throw (a
 * listener that throws is logged once and counted, and the task goes on).
 */
public interface TaskListener {

    /** The task type a listener hears for a delivery whose type is not registered, or not readable. */
    String UNKNOWN_TYPE = "unknown";

    /** A delivery of {@code taskType} (or {@link #UNKNOWN_TYPE}) is about to run; {@code publishedAt} may be null. */
    default void taskStarted(String queue, String taskType, Instant publishedAt) {
    }

    /**
     * The delivery ended with {@code outcome} after {@code duration}. {@code outcome} is null when
     * the delivery was not acknowledged and goes back to the queue (its failure could not be moved
     * to a retry queue or the DLQ, or its result could not be sent); every {@code taskStarted} is
     * followed by exactly one {@code taskFinished}.
     */
    default void taskFinished(String queue, String taskType, TaskOutcome outcome, Duration duration) {
    }

    /**
     * A delivery from {@code queue} had a body of {@code bodyBytes}, over the worker's limit
     * ({@code --max-message-bytes}); it was not read into memory. Its {@code taskFinished} follows
     * (outcome {@code dead_lettered}, or null when it could not be moved on and goes back to the queue).
     */
    default void taskTooLarge(String queue, long bodyBytes) {
    }

    /**
     * One step of a task's life on this worker, with its context: for each delivery
     * {@code received}, then {@code started} when its handler runs, then {@code succeeded}, or
     * {@code failed} followed by {@code retried} or {@code dead_lettered}; or {@code put_back}
     * alone when a stopping worker returns it unstarted. A delivery that goes back to the queue
     * unacknowledged (its failure could not be moved on, its channel was lost) ends without a
     * final event; its redelivery starts again with {@code received}. A body over the size limit
     * is {@code received} and {@code dead_lettered} unread. Default: ignored.
     */
    default void taskEvent(TaskEvent event) {
    }
}
