package dev.warren.core.publish;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.spi.PublishListener;
import dev.warren.core.task.TaskType;
import dev.warren.core.wire.TaskCodec;
import dev.warren.core.wire.TaskHeaders;
import dev.warren.core.wire.TaskResult;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes tasks with publisher confirms and {@code mandatory}: the returned future completes
 * when the broker has taken responsibility for the message (it is on disk for a durable queue)
 * and fails with a {@link PublishException} on nack, on return (no such queue) or when the
 * connection drops first. A failed future means the task may or may not have arrived; a
 * completed one means it did.
 *
 * <p>Thread-safe: publishes from many threads are serialized on one channel of the publishing
 * connection. {@code publish} blocks only while the broker throttles the connection.
 */
@Singleton
public final class TaskPublisher {

    /** RabbitMQ's direct reply-to pseudo-queue: results come back without a reply queue. */
    static final String DIRECT_REPLY_TO = PublishChannel.DIRECT_REPLY_TO;

    private final TaskCodec codec;
    private final RouteTable routes;
    private final Clock clock;
    private final PublishChannel channel;
    private final ResultWaiters results;
    private final DelayBindings delayBindings;

    @Inject
    public TaskPublisher(AmqpConnections connections, TaskCodec codec, RouteTable routes,
                         Set<PublishListener> listeners, Clock clock) {
        this.codec = codec;
        this.routes = routes;
        this.clock = clock;
        this.channel = new PublishChannel(connections, listeners);
        this.results = new ResultWaiters(codec);
        this.delayBindings = new DelayBindings(connections);
    }

    /**
     * Publishes a task of {@code type} with {@code payload} as its body: {@code task_type} first,
     * then the record's fields with snake_case names, as the worker binds them and as a pika
     * producer would write them. Completes on confirm.
     *
     * @throws IllegalArgumentException when {@code payload} does not serialize to a JSON object
     */
    public <P> CompletableFuture<Void> publish(TaskType<P, ?> type, P payload) {
        return publish(task(type, payload));
    }

    /**
     * Publishes a task of {@code type} asking for its result, like {@link #request(OutgoingTask)}.
     * The future completes with the handler's result converted to {@code R} ({@code null} for
     * {@link Void}), fails with {@link TaskFailedException} (task id, type, error) when the worker
     * reports the task dead-lettered, and with {@link IllegalArgumentException} when the result does
     * not fit {@code R}. Add your own timeout ({@link CompletableFuture#orTimeout}).
     */
    public <P, R> CompletableFuture<R> request(TaskType<P, R> type, P payload) {
        return request(task(type, payload)).thenApply(result -> {
            if (!result.succeeded()) {
                throw new TaskFailedException(result.taskId(), result.taskType(), result.error(), result.attempts());
            }
            try {
                @SuppressWarnings("unchecked") // resultType is R's type, as TaskType's factories guarantee
                R value = (R) codec.resultValue(result.result(), type.resultType());
                return value;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("result of task " + result.taskId() + " (" + type.name()
                        + ") does not fit " + type.resultType().getTypeName() + ": " + e.getMessage(), e);
            }
        });
    }

    /**
     * The {@link OutgoingTask} {@link #publish(TaskType, Object)} sends: for a typed task with its
     * own queue, headers or id ({@code publisher.publish(publisher.task(RESIZE, p).toQueue("images"))}).
     */
    public <P> OutgoingTask task(TaskType<P, ?> type, P payload) {
        Objects.requireNonNull(payload, "payload");
        return OutgoingTask.of(type.name(), codec.payload(type.name(), payload));
    }

    /**
     * Publishes a task of {@code type} with {@code payload}'s fields; completes on confirm. The
     * untyped form, for tools that relay JSON (load generator, DLQ replay, other languages).
     */
    public CompletableFuture<Void> publish(String type, ObjectNode payload) {
        return publish(OutgoingTask.of(type, payload));
    }

    /** Publishes {@code task}; completes on confirm. */
    public CompletableFuture<Void> publish(OutgoingTask task) {
        String queue = task.queue() != null ? task.queue() : routes.queueFor(task.type());
        AMQP.BasicProperties properties = codec.properties(task.id(), task.type(), task.headers(), task.replyTo(),
                task.correlationId());
        return publishRaw(queue, properties, codec.body(task.type(), task.payload()));
    }

    /**
     * Publishes a task of {@code type} to run after {@code delay}, like {@link #publish(OutgoingTask, Duration)}.
     */
    public <P> CompletableFuture<Void> publish(TaskType<P, ?> type, P payload, Duration delay) {
        return publish(task(type, payload), delay);
    }

    /** Publishes a task of {@code type} to run at {@code at}, like {@link #publishAt(OutgoingTask, Instant)}. */
    public <P> CompletableFuture<Void> publishAt(TaskType<P, ?> type, P payload, Instant at) {
        return publishAt(task(type, payload), at);
    }

    /**
     * Publishes {@code task} to run after {@code delay}: the broker holds it in the delay topology
     * ({@link DelayTopology}, declared on first use, the work queue bound on first use) and delivers it
     * to its work queue with its id, type, headers and payload, plus {@value TaskHeaders#DUE_AT}. A task
     * for a queue the {@link RouteTable} names a quorum queue waits in the quorum levels, with
     * at-least-once dead-lettering between them ({@link DelayLevels#QUORUM}); others in the classic ones. It
     * arrives no earlier than due: the delay is rounded up to whole seconds, then comes broker latency.
     * Completes on confirm (the task is held by the broker). A delay of zero or less publishes at once.
     *
     * @throws IllegalArgumentException when the delay is longer than {@link DelayTopology#MAX_DELAY_SECONDS}
     */
    public CompletableFuture<Void> publish(OutgoingTask task, Duration delay) {
        return publishAt(task, clock.instant().plus(delay));
    }

    /** Publishes {@code task} to run at {@code at}, like {@link #publish(OutgoingTask, Duration)}. */
    public CompletableFuture<Void> publishAt(OutgoingTask task, Instant at) {
        Duration delay = Duration.between(clock.instant(), at);
        String queue = task.queue() != null ? task.queue() : routes.queueFor(task.type());
        Map<String, Object> headers = new HashMap<>(task.headers());
        headers.put(TaskHeaders.DUE_AT, at.toString());
        AMQP.BasicProperties properties = codec.properties(task.id(), task.type(), headers, task.replyTo(),
                task.correlationId());
        byte[] body = codec.body(task.type(), task.payload());
        if (delay.isNegative() || delay.isZero()) {
            return publishRaw(queue, properties, body);
        }
        long seconds = DelayTopology.seconds(delay);
        String key = DelayTopology.routingKey(seconds, queue);
        DelayLevels levels = DelayLevels.forWorkQueue(routes.isQuorum(queue));
        String entry = levels.entryFor(seconds);
        try {
            delayBindings.ensureBound(queue, levels);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(new PublishException(PublishException.Reason.CONNECTION_LOST,
                    "cannot declare the delay topology for task " + task.id() + " to '" + queue + "': "
                            + AmqpConnections.describe(e), e));
        }
        // Mandatory: every delay of 1 s or more sets some bit, so a publish always reaches a delay queue.
        return channel.publish(key, properties, (ch, props) -> ch.basicPublish(entry, key, true, props, body));
    }

    /**
     * Publishes {@code task} asking for its result through direct reply-to. The returned future
     * completes with the first result message, or fails if the publish fails. Callers add their
     * own timeout ({@link CompletableFuture#orTimeout}); an abandoned wait is dropped on timeout.
     * A second result for the same task is not seen here (only {@link ResultListener}s see it).
     */
    public CompletableFuture<TaskResult> request(OutgoingTask task) {
        // The worker echoes the task's correlation id, or its message id when it has none.
        CompletableFuture<TaskResult> result = results.await(
                task.correlationId() != null ? task.correlationId() : task.id());
        try {
            startReplyConsumer();
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(e);
            return result;
        }
        publish(task.replyTo(DIRECT_REPLY_TO)).whenComplete((ok, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            }
        });
        return result;
    }

    /**
     * Publishes {@code task} with {@code reply_to} set to this publisher's direct reply-to
     * address; completes on confirm, like {@link #publish(OutgoingTask)}. Nothing waits for the
     * result: every result message for it reaches the {@link ResultListener}s of this publisher
     * instance (direct reply-to is tied to the publishing channel). Starts the reply consumer on
     * first use; the future fails if it cannot be started.
     */
    public CompletableFuture<Void> publishForResult(OutgoingTask task) {
        try {
            startReplyConsumer();
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(new PublishException(PublishException.Reason.CONNECTION_LOST,
                    "cannot receive results for task " + task.id() + ": " + AmqpConnections.describe(e), e));
        }
        return publish(task.replyTo(DIRECT_REPLY_TO));
    }

    /**
     * Adds {@code listener}, which from now on hears every result message arriving on this
     * publisher's reply consumer, including second results for the same task, which
     * {@link #request} ignores. Starts the reply consumer if needed.
     *
     * @throws IOException when the reply consumer cannot be started
     */
    public void addResultListener(ResultListener listener) throws IOException {
        results.add(listener);
        startReplyConsumer();
    }

    /** Removes a listener added with {@link #addResultListener}; results arriving later are not passed to it. */
    public void removeResultListener(ResultListener listener) {
        results.remove(listener);
    }

    /**
     * Publishes a message as is to the default exchange with {@code routingKey} (a queue name),
     * confirmed and mandatory. Used to republish deliveries (retry, dead-letter) and results. A
     * missing {@code message_id} is filled with a new UUID, which the confirm tracking needs.
     */
    public CompletableFuture<Void> publishRaw(String routingKey, AMQP.BasicProperties properties, byte[] body) {
        return channel.publish(routingKey, properties, (ch, props) -> ch.basicPublish("", routingKey, true, props, body));
    }

    /**
     * Publishes like {@link #publishRaw(String, AMQP.BasicProperties, byte[])} a body from a buffer,
     * such as a file mapped into memory: amqp-client writes it frame by frame, so a body off the
     * heap costs one frame of heap, not its size. The buffer must not change until the future completes.
     */
    public CompletableFuture<Void> publishRaw(String routingKey, AMQP.BasicProperties properties, ByteBuffer body) {
        return channel.publish(routingKey, properties,
                (ch, props) -> ch.basicPublish("", routingKey, true, false, props, body.duplicate(), null));
    }

    /**
     * Publishes a result to a requester's {@code reply_to}. Direct reply-to addresses are not
     * published {@code mandatory}: the broker returns such messages as unroutable even when it
     * delivers them. Other reply queues are mandatory, so a vanished requester shows as
     * {@link PublishException.Reason#UNROUTABLE}.
     */
    public CompletableFuture<Void> publishReply(String replyTo, AMQP.BasicProperties properties, byte[] body) {
        boolean mandatory = !replyTo.startsWith(DIRECT_REPLY_TO);
        return channel.publish(replyTo, properties, (ch, props) -> ch.basicPublish("", replyTo, mandatory, props, body));
    }

    /** Publishes awaiting a confirm right now. */
    public int outstandingConfirms() {
        return channel.outstandingConfirms();
    }

    private void startReplyConsumer() throws IOException {
        channel.consumeReplies(results::accept);
    }
}
