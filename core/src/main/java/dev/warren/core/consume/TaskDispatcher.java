package dev.warren.core.consume;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.connection.OversizedBody;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.spi.FailureOutcome;
import dev.warren.core.spi.FailurePolicy;
import dev.warren.core.spi.RedeliveredTaskException;
import dev.warren.core.spi.TaskFailure;
import dev.warren.core.spi.TaskEvent;
import dev.warren.core.spi.TaskInterceptor;
import dev.warren.core.spi.TaskListener;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.core.task.PermanentTaskFailure;
import dev.warren.core.task.TaskDefinition;
import dev.warren.core.wire.MalformedTaskException;
import dev.warren.core.wire.TaskCodec;
import dev.warren.core.wire.TaskMessage;
import dev.warren.core.wire.TaskTooLargeException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one delivery end to end: decode, find the handler by type, bind the payload, run it
 * (within its time limit), send the result when asked, and acknowledge. Failures are classified
 * once (permanent: malformed, unknown type, invalid payload, expired, {@link PermanentTaskFailure};
 * everything else retryable) and handed to the {@link FailurePolicy}; the delivery is
 * acknowledged only after the policy returns. Called on consumer threads, concurrently.
 *
 * <p>Every delivery ends: whatever is thrown, by the handler, an interceptor, a listener or this
 * class, it is acknowledged after its result or failure copy was confirmed, or it goes back to the
 * queue (after {@link #REQUEUE_DELAY}, so it cannot spin); the consumer goes on either way. A run
 * whose delivery went stale (its channel closed, or its connection was lost and recovered, while
 * it ran) sends no result, counts no outcome and charges no attempt: the broker has already put
 * the task back on the queue.
 *
 * <p>A result the broker does not take (nacked, not confirmed in time, connection lost) puts the
 * task back on the queue, not charged as an attempt, to run again; after {@link #MAX_RESULT_SENDS}
 * runs whose result failed, the task is dead-lettered as {@link ResultUndeliverableException}. The
 * answer to a dead-lettered task is best effort (see {@link Replies}). See docs/reliability.md.
 */
@Singleton
final class TaskDispatcher {

    private static final Logger log = LoggerFactory.getLogger(TaskDispatcher.class);
    /** Pause before a delivery whose failure could not be handled goes back to the queue, so it cannot spin. */
    private static final Duration REQUEUE_DELAY = Duration.ofSeconds(1);
    /** Runs of a succeeded task whose result could not be sent before it is dead-lettered instead of run again. */
    static final int MAX_RESULT_SENDS = 3;

    private final Map<String, TaskDefinition> tasks;
    private final TaskCodec codec;
    private final Replies replies;
    private final FailurePolicy failurePolicy;
    private final TaskListeners listeners;
    private final int maxMessageBytes;
    private final OversizedTasks oversized;
    private final WorkerStats stats = new WorkerStats();
    private final InFlight inFlight = new InFlight();
    private final AbandonedTasks abandoned = new AbandonedTasks();
    private final AbandonedTasks unsentResults = new AbandonedTasks();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("warren-requeue").factory());
    private final TaskExecution execution;
    private final Clock clock;

    @Inject
    TaskDispatcher(Map<String, TaskDefinition> tasks, TaskCodec codec, ObjectMapper mapper,
                   TaskPublisher publisher, FailurePolicy failurePolicy, Set<TaskListener> listeners,
                   Set<TaskInterceptor> interceptors, WorkerSettings settings, OversizedTasks oversized,
                   Clock clock) {
        this.tasks = Map.copyOf(tasks);
        this.codec = codec;
        this.replies = new Replies(codec, mapper, publisher, stats);
        this.failurePolicy = failurePolicy;
        this.listeners = new TaskListeners(listeners, stats);
        this.maxMessageBytes = settings.maxMessageBytes();
        this.oversized = oversized;
        this.clock = clock;
        this.execution = new TaskExecution(tasks, mapper, clock, new TaskRunner(List.copyOf(interceptors), inFlight, timer),
                null);
    }

    /** The registered task types. */
    Map<String, TaskDefinition> tasks() {
        return tasks;
    }

    /** The listeners, isolated from the task; a stopping worker tells them of tasks it puts back. */
    TaskListeners listeners() {
        return listeners;
    }

    /** The worker's clock, for the timestamps of task events. */
    Clock clock() {
        return clock;
    }

    /** What this worker has done so far. */
    WorkerStats stats() {
        return stats;
    }

    /** Deliveries being handled, plus overdue runs past their time limit that have not ended. */
    InFlight inFlight() {
        return inFlight;
    }

    /** The longest one delivery of {@code definition} can run, in-process retries included; null without a time limit. */
    Duration longestRun(TaskDefinition definition) {
        return execution.longestRun(definition);
    }

    /** Runs past their time limit whose handler has not returned yet. */
    int overdueRuns() {
        return execution.overdueRuns();
    }

    /** The run of the task of {@code delivery} lost its delivery to a closed connection. */
    void abandoned(Delivery delivery) {
        String id = delivery.messageId();
        if (id != null) {
            abandoned.abandoned(id);
        }
    }

    /** Runs one delivery and acknowledges it when done; never throws. */
    void dispatch(Delivery delivery) {
        long started = System.nanoTime();
        OversizedBody kept = oversized.claim(delivery.properties);
        if (kept != null) {
            dispatchOversized(delivery, kept, started);
            return;
        }
        TaskMessage message = null;
        Throwable undecodable = null;
        try {
            if (delivery.body.length > maxMessageBytes) {
                throw new TaskTooLargeException(delivery.body.length, maxMessageBytes);
            }
            message = codec.decode(delivery.envelope, delivery.properties, delivery.body);
            delivery.decoded(message.id());
        } catch (MalformedTaskException | RuntimeException e) {
            undecodable = e;
        }
        TaskDefinition definition = message == null ? null : tasks.get(message.type());
        // Unregistered types are counted as "unknown", so junk cannot grow metric label values.
        String metricType = definition == null ? TaskListener.UNKNOWN_TYPE : definition.type();
        if (message != null) {
            TaskLogContext.set(TaskFailure.printable(message.id()), TaskFailure.printable(message.type()));
        }
        try {
            listeners.started(delivery.queue, metricType, message == null ? null : message.publishedAt());
            TaskEvent received = received(delivery, message);
            listeners.event(received);
            handle(delivery, message, definition, metricType, undecodable, started, received);
        } finally {
            TaskLogContext.clear();
        }
    }

    private void handle(Delivery delivery, TaskMessage message, TaskDefinition definition, String metricType,
                        Throwable undecodable, long started, TaskEvent received) {
        String queue = delivery.queue;
        TaskOutcome outcome;
        try {
            if (undecodable != null) {
                throw undecodable;
            }
            execution.checkAge(execution.definition(message), message);
            if (message.redelivered() && failurePolicy.countsRedeliveries() && !forgiven(message)) {
                throw new RedeliveredTaskException("task " + message.id() + " (" + message.type() + ") was delivered"
                        + " again without an acknowledgement: the worker running attempt " + message.attempt()
                        + " crashed, lost its connection, passed the broker's consumer timeout or could not send its"
                        + " result");
            }
            Object payload = execution.bind(definition, message.payload());
            listeners.event(received.next(TaskEvent.Kind.STARTED, clock.instant(), null));
            Object result = execution.run(definition, payload, TaskExecution.context(message, queue));
            if (!delivery.isCurrent()) {
                stale(delivery, message, metricType, started, "finished");
                return;
            }
            if (!sendResult(message, result)) {
                requeueLater(delivery);
                finished(queue, metricType, null, started);
                return;
            }
            outcome = TaskOutcome.SUCCEEDED;
            listeners.event(received.next(TaskEvent.Kind.SUCCEEDED, clock.instant(), since(started)));
        } catch (Throwable e) {
            if (message != null && !delivery.isCurrent()) {
                // Not the task's fault: the broker has put it back already, and a retry copy now would be a duplicate.
                stale(delivery, message, metricType, started, "failed (" + describe(e) + ")");
                return;
            }
            boolean permanent = TaskExecution.isPermanent(e);
            TaskEvent failed = received.next(TaskEvent.Kind.FAILED, clock.instant(), since(started)).withError(e);
            listeners.event(failed);
            FailureOutcome settled = fail(new TaskFailure(queue, delivery.envelope, delivery.properties, delivery.body,
                    message, e, permanent), delivery);
            if (settled == null) {
                finished(queue, metricType, null, started);
                return;
            }
            outcome = settled.outcome();
            TaskEvent.Kind kind = outcome == TaskOutcome.RETRIED ? TaskEvent.Kind.RETRIED : TaskEvent.Kind.DEAD_LETTERED;
            listeners.event(failed.next(kind, clock.instant(), since(started)).withOutcome(settled));
        }
        ack(delivery, message);
        stats.record(metricType, outcome);
        finished(queue, metricType, outcome, started);
    }

    /** A body over the limit, kept in a file by the consuming connection: straight to the DLQ, unread. */
    private void dispatchOversized(Delivery delivery, OversizedBody kept, long started) {
        listeners.started(delivery.queue, TaskListener.UNKNOWN_TYPE, null);
        listeners.tooLarge(delivery.queue, kept.size());
        TaskEvent received = received(delivery, null);
        listeners.event(received);
        TaskOutcome outcome;
        try {
            outcome = oversized.deadLetter(delivery.queue, delivery.envelope, kept, replies);
        } catch (RuntimeException e) {
            log.error("a task over the size limit from '{}' could not be dead-lettered; it goes back to the queue",
                    delivery.queue, e);
            stats.recordError();
            outcome = null;
        }
        if (outcome == null) {
            requeueLater(delivery);
        } else {
            ack(delivery, null);
            stats.record(TaskListener.UNKNOWN_TYPE, outcome);
            listeners.event(received.next(TaskEvent.Kind.DEAD_LETTERED, clock.instant(), since(started))
                    .withOutcome(FailureOutcome.deadLettered("body of " + kept.size() + " bytes is over the limit of "
                            + maxMessageBytes)));
        }
        finished(delivery.queue, TaskListener.UNKNOWN_TYPE, outcome, started);
    }

    /**
     * Puts a delivery that could not be dispatched back on the queue after {@link #REQUEUE_DELAY};
     * for the consumer's last resort when something escaped {@link #dispatch}.
     */
    void release(Delivery delivery) {
        stats.recordError();
        requeueLater(delivery);
    }

    private boolean forgiven(TaskMessage message) {
        String why;
        if (abandoned.forgive(message.id())) {
            why = "this worker lost its connection while running it";
        } else if (unsentResults.forgive(message.id())) {
            why = "this worker could not send its result";
        } else {
            return false;
        }
        log.info("task {} ({}) is back after {}; not counted as a failed attempt", TaskFailure.printable(message.id()),
                TaskFailure.printable(message.type()), why);
        return true;
    }

    /**
     * Sends the result of a succeeded task; false when it could not be sent and the task goes back
     * to the queue to run again.
     *
     * @throws ResultUndeliverableException when this was its {@link #MAX_RESULT_SENDS}th run whose
     *                                      result failed: the task is to be dead-lettered
     */
    private boolean sendResult(TaskMessage message, Object result) {
        try {
            replies.succeeded(message, result);
            return true;
        } catch (Replies.ReplyFailedException e) {
            int failed = unsentResults.abandoned(message.id());
            if (failed >= MAX_RESULT_SENDS) {
                throw new ResultUndeliverableException("task " + message.id() + " (" + message.type() + ") succeeded "
                        + failed + " times, but the broker took none of its results for '" + message.replyTo() + "' ("
                        + e.getMessage() + ")", e);
            }
            log.warn("task {} ({}) succeeded, but its result for '{}' could not be sent: {}; it goes back to the queue"
                    + " to run again (run {} of at most {})", TaskFailure.printable(message.id()),
                    TaskFailure.printable(message.type()), TaskFailure.printable(message.replyTo()), e.getMessage(),
                    failed, MAX_RESULT_SENDS);
            return false;
        }
    }

    private void stale(Delivery delivery, TaskMessage message, String metricType, long started, String how) {
        stats.recordAbandoned();
        log.warn("task {} ({}) {} after its delivery was lost with its {}; the broker has put it back on '{}', so this"
                        + " run sends no result and counts no outcome", TaskFailure.printable(message.id()),
                TaskFailure.printable(message.type()), how, delivery.channel.isOpen() ? "connection" : "channel",
                delivery.queue);
        finished(delivery.queue, metricType, null, started);
    }

    /** Tells the listeners a delivery ended; a null outcome means it goes back to the queue. */
    private void finished(String queue, String metricType, TaskOutcome outcome, long started) {
        listeners.finished(queue, metricType, outcome, since(started));
    }

    private static Duration since(long started) {
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /** The {@code received} event of a delivery; without a decoded message, from its properties. */
    private TaskEvent received(Delivery delivery, TaskMessage message) {
        if (message != null) {
            return TaskEvent.of(TaskEvent.Kind.RECEIVED, message.id(), message.type(), delivery.queue,
                    message.attempt(), message.publishedAt(), clock.instant());
        }
        return PutBack.event(TaskEvent.Kind.RECEIVED, delivery.queue, delivery.properties, clock.instant());
    }

    /**
     * Hands the failure to the policy, then answers a dead-lettered task's requester (best effort:
     * its copy is safe, so an answer that fails must not send the task round again); returns the
     * outcome, or null when the delivery was left for redelivery.
     */
    private FailureOutcome fail(TaskFailure failure, Delivery delivery) {
        FailureOutcome outcome;
        try {
            outcome = failurePolicy.settle(failure);
        } catch (Throwable e) {
            log.error("task {} ({}) failed ({}) and could not be moved on: {}; it goes back to the queue",
                    TaskFailure.printable(failure.messageId()), TaskFailure.printable(failure.taskType()),
                    failure.reason(), describe(e));
            stats.recordError();
            requeueLater(delivery);
            return null;
        }
        if (outcome.outcome() == TaskOutcome.DEAD_LETTERED && failure.cause() instanceof TaskTooLargeException tooLarge) {
            // Never decoded: only its properties say who asked.
            replies.tooLarge(failure.properties(), tooLarge);
        } else if (outcome.outcome() == TaskOutcome.DEAD_LETTERED) {
            replies.deadLettered(failure.message(), failure.reason());
        }
        return outcome;
    }

    private void ack(Delivery delivery, TaskMessage message) {
        try {
            delivery.channel.basicAck(delivery.envelope.getDeliveryTag(), false);
        } catch (IOException | RuntimeException e) {
            log.warn("could not acknowledge task {} from '{}' ({}); the broker will redeliver it",
                    message == null ? "?" : TaskFailure.printable(message.id()), delivery.queue, describe(e));
        }
    }

    private void requeueLater(Delivery delivery) {
        Runnable requeue = () -> {
            if (!delivery.isCurrent()) {
                return; // the broker requeued it already when the channel closed
            }
            try {
                delivery.channel.basicNack(delivery.envelope.getDeliveryTag(), false, true);
            } catch (IOException | RuntimeException e) {
                log.debug("requeue failed; the channel is closed, so the broker requeues the delivery itself", e);
            }
        };
        try {
            timer.schedule(requeue, REQUEUE_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            requeue.run();
        }
    }

    private static String describe(Throwable e) {
        return AmqpConnections.describe(e);
    }

    /** Stops the internal executors; in-flight time-limited attempts are interrupted. */
    void shutdown() {
        execution.close();
        timer.shutdown();
    }
}
