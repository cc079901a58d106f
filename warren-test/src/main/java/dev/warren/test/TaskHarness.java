package dev.warren.test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.util.Modules;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import dev.warren.core.CoreModule;
import dev.warren.core.WorkerModule;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.spi.InvalidPayloadException;
import dev.warren.core.consume.TaskExecution;
import dev.warren.core.task.TaskExpiredException;
import dev.warren.core.spi.UnknownTaskTypeException;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.spi.TaskFailure;
import dev.warren.core.spi.TaskInterceptor;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.core.task.TaskDefinition;
import dev.warren.core.task.TaskType;
import dev.warren.core.wire.MalformedTaskException;
import dev.warren.core.wire.TaskCodec;
import dev.warren.core.wire.TaskMessage;
import dev.warren.retry.RetryDecision;
import dev.warren.retry.RetryDlxModule;
import dev.warren.retry.RetryPolicies;
import dev.warren.retry.RetrySettings;
import dev.warren.retry.WorkQueueType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a team's task handlers as a worker runs them, without a broker: for fast tests of
 * handlers, their options and their retries.
 *
 * <pre>{@code
 * try (TaskHarness harness = TaskHarness.of(new ImageTasks())) {
 *     TaskRun<ResizeResult> run = harness.send(ImageTypes.RESIZE, new ResizeImage(url, 640));
 *     assertThat(run.result().resizedUrl()).endsWith("-640.png");
 * }
 * }</pre>
 *
 * <p>The harness builds an injector with the worker's modules ({@code CoreModule},
 * {@code WorkerModule}, {@code RetryDlxModule}) and the given task modules, so handlers get the same
 * injection, interceptors and options as in worker-app; it opens no connection. A task goes the
 * worker's way: encoded by the worker's {@link TaskCodec} as a publisher encodes it, decoded,
 * its type looked up, its age checked, its JSON bound and its handler run by core's
 * {@link TaskExecution} (the steps {@code TaskDispatcher} runs, time limits included), its
 * failure classified there, and retried or dead-lettered by retry-dlx's
 * {@link RetrySettings#decide} for its type (the decision the worker's ladder makes). Between
 * attempts the harness moves its {@link TestClock} by the retry delay instead of waiting, and
 * carries the attempt number and error headers as the retry copy would.
 *
 * <p>Not covered, since only a broker can show them: redeliveries after a crash or lost
 * connection, confirms, result and dead-letter messages on the wire, queue arguments. The
 * {@link WarrenWorkerExtension} runs a real worker on a real broker for those.
 *
 * <p>One task at a time per harness is the intended use; handlers run on the calling thread (or,
 * with a time limit, on a virtual thread of their own, interrupted at the limit in real time).
 */
public final class TaskHarness implements AutoCloseable {

    /** The queue the handlers' {@code TaskContext} names, unless the builder sets another. */
    public static final String DEFAULT_QUEUE = "warren-test-harness";

    private final String queue;
    private final TestClock clock;
    private final TaskCodec codec;
    private final ObjectMapper mapper;
    private final TaskExecution execution;
    private final RetryPolicies policies;
    private final AtomicLong deliveryTags = new AtomicLong();

    private TaskHarness(Builder builder) {
        this.queue = builder.queue;
        this.clock = builder.clock;
        Module core = Modules.override(new CoreModule(AmqpSettings.of(AmqpSettings.DEFAULT_URI), RouteTable.allTo(queue)))
                .with(binder -> binder.bind(Clock.class).toInstance(clock));
        List<Module> modules = new ArrayList<>(List.of(core, new WorkerModule(WorkerSettings.of(queue)),
                new RetryDlxModule(builder.retry, WorkQueueType.classic())));
        modules.addAll(builder.modules);
        Injector injector = Guice.createInjector(modules);
        this.codec = injector.getInstance(TaskCodec.class);
        this.mapper = injector.getInstance(ObjectMapper.class);
        this.policies = injector.getInstance(RetryPolicies.class);
        this.execution = TaskExecution.standalone(injector.getInstance(new Key<Map<String, TaskDefinition>>() { }),
                mapper, injector.getInstance(new Key<Set<TaskInterceptor>>() { }), clock);
    }

    /** A harness for {@code modules} (usually the team's {@code TaskModule}s) with the worker's default retry settings. */
    public static TaskHarness of(Module... modules) {
        return builder().modules(modules).build();
    }

    /** A builder: modules, retry settings, clock, queue name. */
    public static Builder builder() {
        return new Builder();
    }

    /** The clock the harness runs on; it moves only when the harness retries or the test advances it. */
    public TestClock clock() {
        return clock;
    }

    /** Sends a typed task and runs it until it succeeds or is dead-lettered. */
    public <P, R> TaskRun<R> send(TaskType<P, R> type, P payload) {
        return deliver(enqueue(type, payload));
    }

    /** Sends an untyped task (like {@code publisher.publish(type, objectNode)}); the result is its JSON. */
    public TaskRun<JsonNode> send(String type, ObjectNode payload) {
        OutgoingTask task = OutgoingTask.of(type, payload);
        return deliver(new QueuedTask<>(published(task), codec.body(task.type(), task.payload()), JsonNode.class));
    }

    /**
     * Sends a raw body with no properties at all, as a bare pika producer does (so it has no
     * timestamp and never expires), and runs it; the result is its JSON.
     */
    public TaskRun<JsonNode> sendJson(String body) {
        AMQP.BasicProperties bare = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
        return deliver(new QueuedTask<>(bare, body.getBytes(StandardCharsets.UTF_8), JsonNode.class));
    }

    /**
     * A typed task published now by the clock, not delivered yet: advance the clock, then
     * {@link #deliver} it, to test its max age.
     */
    public <P, R> QueuedTask<R> enqueue(TaskType<P, R> type, P payload) {
        Objects.requireNonNull(payload, "payload");
        OutgoingTask task = OutgoingTask.of(type.name(), codec.payload(type.name(), payload));
        return new QueuedTask<>(published(task), codec.body(task.type(), task.payload()), type.resultType());
    }

    /** Delivers {@code task} and runs it, retrying as the worker's ladder would, until it succeeds or is dead-lettered. */
    public <R> TaskRun<R> deliver(QueuedTask<R> task) {
        List<Attempt> attempts = new ArrayList<>();
        AMQP.BasicProperties properties = task.properties;
        while (true) {
            Envelope envelope = new Envelope(deliveryTags.incrementAndGet(), false, "", queue);
            Instant startedAt = clock.instant();
            TaskMessage message = null;
            try {
                message = codec.decode(envelope, properties, task.body);
                TaskDefinition definition = execution.definition(message);
                execution.checkAge(definition, message);
                Object payload = execution.bind(definition, message.payload());
                Object result = execution.run(definition, payload, TaskExecution.context(message, queue));
                attempts.add(new Attempt(message.attempt(), TaskOutcome.SUCCEEDED, startedAt, null, null, null, null));
                return new TaskRun<>(message.id(), message.type(), attempts, resultOf(message, result, task.resultType));
            } catch (Throwable e) {
                // Throwable, as the worker's dispatcher: whatever a handler throws is a failed attempt.
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                boolean permanent = TaskExecution.isPermanent(e);
                TaskFailure failure = new TaskFailure(queue, envelope, properties, task.body, message, e, permanent);
                RetryDecision decision = policies.forType(failure.taskType()).decide(permanent, e, failure.attempt());
                if (!decision.retries()) {
                    attempts.add(new Attempt(failure.attempt(), TaskOutcome.DEAD_LETTERED, startedAt, null,
                            reason(decision, e), e, failure.reason()));
                    return new TaskRun<>(failure.messageId(), failure.taskType(), attempts, null);
                }
                attempts.add(new Attempt(failure.attempt(), TaskOutcome.RETRIED, startedAt, decision.delay(), null, e,
                        failure.reason()));
                properties = failure.republishProperties(failure.attempt() + 1, clock.instant());
                clock.advance(decision.delay());
            }
        }
    }

    /** Stops the threads that time-limited attempts run on. */
    @Override
    public void close() {
        execution.close();
    }

    /** Properties as the publisher sets them, with the timestamp cut to the whole second AMQP carries. */
    private AMQP.BasicProperties published(OutgoingTask task) {
        AMQP.BasicProperties properties = codec.properties(task.id(), task.type(), task.headers(), task.replyTo(),
                task.correlationId());
        Instant sent = properties.getTimestamp().toInstant().truncatedTo(ChronoUnit.SECONDS);
        return properties.builder().timestamp(Date.from(sent)).build();
    }

    /** The result as a requester gets it: the handler's return value turned to JSON and read back as the result type. */
    @SuppressWarnings("unchecked")
    private <R> R resultOf(TaskMessage message, Object result, Type resultType) {
        JsonNode json;
        try {
            json = mapper.valueToTree(result);
        } catch (IllegalArgumentException e) {
            throw new AssertionError("the result of task " + message.id() + " (" + message.type()
                    + ") does not serialize to JSON, so a worker could not send it: " + e.getMessage(), e);
        }
        return (R) (resultType == JsonNode.class ? json : codec.resultValue(json, resultType));
    }

    private static DeadLetterReason reason(RetryDecision decision, Throwable failure) {
        return switch (decision.verdict()) {
            case NON_RETRYABLE -> DeadLetterReason.NON_RETRYABLE;
            case EXHAUSTED -> DeadLetterReason.ATTEMPTS_EXHAUSTED;
            case RETRY -> throw new IllegalArgumentException("a retry is not a dead letter");
            case PERMANENT -> switch (failure) {
                case MalformedTaskException e -> DeadLetterReason.MALFORMED;
                case UnknownTaskTypeException e -> DeadLetterReason.UNKNOWN_TYPE;
                case InvalidPayloadException e -> DeadLetterReason.INVALID_PAYLOAD;
                case TaskExpiredException e -> DeadLetterReason.EXPIRED;
                default -> DeadLetterReason.PERMANENT_FAILURE;
            };
        };
    }

    /** Builds a {@link TaskHarness}. Not thread-safe. */
    public static final class Builder {
        private final List<Module> modules = new ArrayList<>();
        private RetrySettings retry = RetrySettings.DEFAULTS;
        private TestClock clock = TestClock.now();
        private String queue = DEFAULT_QUEUE;

        private Builder() {
        }

        /** Guice modules to install: the team's {@code TaskModule}s and whatever their handlers need. Adds to earlier ones. */
        public Builder modules(Module... values) {
            modules.addAll(List.of(values));
            return this;
        }

        /** The worker's retry defaults (default {@link RetrySettings#DEFAULTS}, as worker-app without flags). */
        public Builder retrySettings(RetrySettings value) {
            this.retry = Objects.requireNonNull(value, "retry settings");
            return this;
        }

        /** The clock (default: one standing at the current second). */
        public Builder clock(TestClock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** The work queue named in the handlers' {@code TaskContext} (default {@value TaskHarness#DEFAULT_QUEUE}). */
        public Builder queue(String value) {
            this.queue = Objects.requireNonNull(value, "queue");
            return this;
        }

        /** The harness; creates the injector, which fails as the worker's would on bad modules (a type registered twice). */
        public TaskHarness build() {
            return new TaskHarness(this);
        }
    }
}
