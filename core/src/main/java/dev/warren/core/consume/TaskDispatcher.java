package dev.warren.core.consume;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Envelope;
import dev.warren.core.connection.OversizedBody;
import dev.warren.core.publish.PublishException;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.spi.FailurePolicy;
import dev.warren.core.spi.TaskFailure;
import dev.warren.core.spi.TaskInterceptor;
import dev.warren.core.spi.TaskListener;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.core.task.PermanentTaskFailure;
import dev.warren.core.task.TaskContext;
import dev.warren.core.task.TaskDefinition;
import dev.warren.core.wire.MalformedTaskException;
import dev.warren.core.wire.TaskCodec;
import dev.warren.core.wire.TaskHeaders;
import dev.warren.core.wire.TaskMessage;
import dev.warren.core.wire.TaskResult;
import dev.warren.core.wire.TaskTooLargeException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one delivery end to end: decode, find the handler by type, bind the payload, run it
 * (within its time limit), send the result when asked, and acknowledge. Failures are classified
 * once (permanent: malformed, unknown type, invalid payload, {@link PermanentTaskFailure};
 * everything else retryable) and handed to the {@link FailurePolicy}; the delivery is
 * acknowledged only after the policy returns. Called on consumer threads, concurrently.
 */
@Singleton
public final class TaskDispatcher {

    private static final Logger log = LoggerFactory.getLogger(TaskDispatcher.class);
    private static final long CONFIRM_TIMEOUT_SECONDS = 30;
    /** Pause before a delivery whose failure could not be handled goes back to the queue, so it cannot spin. */
    private static final Duration REQUEUE_DELAY = Duration.ofSeconds(1);
    /** Task type label of deliveries whose type is not registered (or not readable). */
    public static final String UNKNOWN_TYPE = "unknown";

    private final Map<String, TaskDefinition> tasks;
    private final TaskCodec codec;
    private final ObjectMapper mapper;
    private final TaskPublisher publisher;
    private final FailurePolicy failurePolicy;
    private final Set<TaskListener> listeners;
    private final List<TaskInterceptor> interceptors;
    private final int maxMessageBytes;
    private final OversizedTasks oversized;
    private final WorkerStats stats = new WorkerStats();
    private final ExecutorService timeLimited = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("warren-task-", 0).factory());
    private final ScheduledExecutorService requeues = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("warren-requeue").factory());

    @Inject
    public TaskDispatcher(Map<String, TaskDefinition> tasks, TaskCodec codec, ObjectMapper mapper,
                          TaskPublisher publisher, FailurePolicy failurePolicy, Set<TaskListener> listeners,
                          Set<TaskInterceptor> interceptors, dev.warren.core.config.WorkerSettings settings,
                          OversizedTasks oversized) {
        this.tasks = Map.copyOf(tasks);
        this.codec = codec;
        this.mapper = mapper;
        this.publisher = publisher;
        this.failurePolicy = failurePolicy;
        this.listeners = listeners;
        this.interceptors = List.copyOf(interceptors);
        this.maxMessageBytes = settings.maxMessageBytes();
        this.oversized = oversized;
    }

    /** The registered task types. */
    public Map<String, TaskDefinition> tasks() {
        return tasks;
    }

    /** What this worker has done so far. */
    public WorkerStats stats() {
        return stats;
    }

    /** Runs one delivery from {@code queue}, received on {@code channel}, and acknowledges it when done. */
    public void dispatch(String queue, Channel channel, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        long started = System.nanoTime();
        OversizedBody kept = oversized.claim(properties);
        if (kept != null) {
            dispatchOversized(queue, channel, envelope, kept, started);
            return;
        }
        TaskMessage message = null;
        Exception undecodable = null;
        try {
            if (body.length > maxMessageBytes) {
                throw new TaskTooLargeException(body.length, maxMessageBytes);
            }
            message = codec.decode(envelope, properties, body);
        } catch (MalformedTaskException e) {
            undecodable = e;
        }
        TaskDefinition definition = message == null ? null : tasks.get(message.type());
        // Unregistered types are counted as "unknown", so junk cannot grow metric label values.
        String metricType = definition == null ? UNKNOWN_TYPE : definition.type();
        for (TaskListener listener : listeners) {
            listener.taskStarted(queue, metricType, message == null ? null : message.publishedAt());
        }
        TaskOutcome outcome;
        try {
            if (undecodable != null) {
                throw undecodable;
            }
            if (definition == null) {
                throw new UnknownTaskTypeException("unknown task type '" + message.type() + "' (this worker runs "
                        + new java.util.TreeSet<>(tasks.keySet()) + ")");
            }
            if (message.redelivered() && failurePolicy.countsRedeliveries()) {
                throw new RedeliveredTaskException("task " + message.id() + " (" + message.type() + ") was delivered"
                        + " again without an acknowledgement: the worker running attempt " + message.attempt()
                        + " crashed, lost its connection or passed the broker's consumer timeout");
            }
            Object payload = bind(definition, message.payload());
            TaskContext context = new TaskContext(message.id(), message.type(), queue, message.attempt(),
                    message.redelivered(), message.publishedAt(), message.headers());
            Object result = run(definition, payload, context);
            if (!channel.isOpen()) {
                // The broker closed the channel while the task ran (consumer timeout, lost connection):
                // it redelivers the task, so this run neither answers nor counts, or the requester
                // would get one result per run.
                log.warn("task {} ({}) finished after its channel closed; the broker redelivers it",
                        TaskFailure.printable(message.id()), TaskFailure.printable(message.type()));
                finished(queue, metricType, null, started);
                return;
            }
            if (message.replyTo() != null) {
                reply(message, TaskResult.SUCCEEDED, mapper.valueToTree(result), null);
            }
            outcome = TaskOutcome.SUCCEEDED;
        } catch (ReplyFailedException e) {
            log.warn("task {} succeeded but its result could not be sent: {}; leaving it unacknowledged so it"
                    + " is redelivered", message.id(), e.getMessage());
            requeueLater(channel, envelope);
            finished(queue, metricType, null, started);
            return;
        } catch (Exception e) {
            boolean permanent = e instanceof MalformedTaskException || e instanceof UnknownTaskTypeException
                    || e instanceof InvalidPayloadException || e instanceof PermanentTaskFailure;
            outcome = fail(new TaskFailure(queue, envelope, properties, body, message, e, permanent), channel, envelope);
            if (outcome == null) {
                finished(queue, metricType, null, started);
                return;
            }
        }
        ack(queue, channel, envelope, message);
        stats.record(metricType, outcome);
        finished(queue, metricType, outcome, started);
    }

    /** A body over the limit, kept in a file by the consuming connection: straight to the DLQ, unread. */
    private void dispatchOversized(String queue, Channel channel, Envelope envelope,
                                   OversizedBody kept, long started) {
        for (TaskListener listener : listeners) {
            listener.taskStarted(queue, UNKNOWN_TYPE, null);
        }
        TaskOutcome outcome = oversized.deadLetter(queue, envelope, kept);
        if (outcome == null) {
            requeueLater(channel, envelope);
        } else {
            ack(queue, channel, envelope, null);
            stats.record(UNKNOWN_TYPE, outcome);
        }
        finished(queue, UNKNOWN_TYPE, outcome, started);
    }

    /** Tells the listeners a delivery ended; a null outcome means it goes back to the queue. */
    private void finished(String queue, String metricType, TaskOutcome outcome, long started) {
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        for (TaskListener listener : listeners) {
            listener.taskFinished(queue, metricType, outcome, took);
        }
    }

    private Object bind(TaskDefinition definition, JsonNode payload) throws InvalidPayloadException {
        try {
            return definition.bind(mapper, payload);
        } catch (JacksonException | IllegalArgumentException e) {
            String reason = e instanceof JacksonException j ? j.getOriginalMessage() : e.getMessage();
            throw new InvalidPayloadException("payload does not fit " + definition.payloadClass().getSimpleName()
                    + " of task type '" + definition.type() + "': " + reason, e);
        } catch (IOException e) {
            throw new InvalidPayloadException("payload of task type '" + definition.type() + "' is unreadable: "
                    + e.getMessage(), e);
        }
    }

    private Object run(TaskDefinition definition, Object payload, TaskContext context) throws Exception {
        if (interceptors.isEmpty()) {
            return runOnce(definition, payload, context);
        }
        java.util.concurrent.Callable<Object> attempt = () -> runOnce(definition, payload, context);
        for (TaskInterceptor interceptor : interceptors) {
            java.util.concurrent.Callable<Object> inner = attempt;
            attempt = () -> interceptor.intercept(context, inner);
        }
        return attempt.call();
    }

    private Object runOnce(TaskDefinition definition, Object payload, TaskContext context) throws Exception {
        Duration limit = definition.options().timeLimit();
        if (limit == null) {
            return definition.run(payload, context);
        }
        Future<Object> attempt = timeLimited.submit(() -> definition.run(payload, context));
        try {
            return attempt.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            attempt.cancel(true);
            throw new TaskTimeLimitExceeded("task " + context.messageId() + " (" + context.taskType()
                    + ") ran past its time limit of " + dev.warren.core.config.Durations.format(limit) + " and was interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** Hands the failure to the policy; returns the outcome, or null when the delivery was left for redelivery. */
    private TaskOutcome fail(TaskFailure failure, Channel channel, Envelope envelope) {
        try {
            TaskOutcome outcome = failurePolicy.handle(failure);
            if (outcome == TaskOutcome.DEAD_LETTERED && failure.message() != null && failure.message().replyTo() != null) {
                reply(failure.message(), TaskResult.DEAD_LETTERED, null, failure.reason());
            }
            return outcome;
        } catch (Exception e) {
            log.error("task {} ({}) failed ({}) and could not be moved on: {}; it goes back to the queue",
                    failure.message() == null ? failure.properties().getMessageId() : failure.message().id(),
                    TaskFailure.printable(failure.taskType()), failure.reason(), describe(e));
            requeueLater(channel, envelope);
            return null;
        }
    }

    private void reply(TaskMessage message, String status, JsonNode result, String error) throws ReplyFailedException {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .deliveryMode(2)
                .contentType(TaskHeaders.CONTENT_TYPE)
                .messageId(UUID.randomUUID().toString())
                .correlationId(message.id())
                .type(message.type())
                .appId(TaskHeaders.APP_ID)
                .timestamp(new Date())
                .build();
        byte[] body = codec.result(new TaskResult(message.id(), message.type(), status, result, error, message.attempt()));
        try {
            publisher.publishReply(message.replyTo(), props, body).get(CONFIRM_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PublishException p && p.reason() == PublishException.Reason.UNROUTABLE) {
                // The requester is gone (its reply queue no longer exists): nobody can receive the result.
                log.warn("result of task {} not delivered: nobody listens on '{}' any more", message.id(), message.replyTo());
                return;
            }
            throw new ReplyFailedException(e.getCause());
        } catch (TimeoutException e) {
            throw new ReplyFailedException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplyFailedException(e);
        }
    }

    private void ack(String queue, Channel channel, Envelope envelope, TaskMessage message) {
        try {
            channel.basicAck(envelope.getDeliveryTag(), false);
        } catch (IOException | RuntimeException e) {
            log.warn("could not acknowledge task {} from '{}' ({}); the broker will redeliver it",
                    message == null ? "?" : message.id(), queue, describe(e));
        }
    }

    private void requeueLater(Channel channel, Envelope envelope) {
        Runnable requeue = () -> {
            try {
                channel.basicNack(envelope.getDeliveryTag(), false, true);
            } catch (IOException | RuntimeException e) {
                log.debug("requeue failed; the channel is closed, so the broker requeues the delivery itself", e);
            }
        };
        try {
            requeues.schedule(requeue, REQUEUE_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            requeue.run();
        }
    }

    private static String describe(Throwable e) {
        return dev.warren.core.connection.AmqpConnections.describe(e);
    }

    /** Stops the internal executors; in-flight time-limited attempts are interrupted. */
    void shutdown() {
        timeLimited.shutdownNow();
        requeues.shutdown();
    }

    /** The result of a successful task could not be confirmed: the task must not be acknowledged. */
    private static final class ReplyFailedException extends Exception {
        private static final long serialVersionUID = 1L;

        ReplyFailedException(Throwable cause) {
            super(cause == null ? "result publish failed" : cause.getMessage(), cause);
        }
    }
}
