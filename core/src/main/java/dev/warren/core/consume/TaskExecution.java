package dev.warren.core.consume;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warren.core.config.Durations;
import dev.warren.core.spi.InvalidPayloadException;
import dev.warren.core.spi.TaskInterceptor;
import dev.warren.core.spi.UnknownTaskTypeException;
import dev.warren.core.task.PermanentTaskFailure;
import dev.warren.core.task.TaskContext;
import dev.warren.core.task.TaskDefinition;
import dev.warren.core.task.TaskExpiredException;
import dev.warren.core.task.TaskTimeLimitExceeded;
import dev.warren.core.wire.MalformedTaskException;
import dev.warren.core.wire.TaskMessage;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The part of running a task that needs no broker: find its type, check its age, bind its payload,
 * run its handler (through the interceptors, within its time limit) and classify what failed.
 * {@link TaskDispatcher} runs every delivery through these steps; the warren-test module's harness
 * runs tasks through the same steps without a broker, so a handler test decides as the worker does.
 *
 * <p>The steps are separate methods because the dispatcher checks redeliveries between the age
 * check and binding. Thread-safe.
 */
public final class TaskExecution implements AutoCloseable {

    private final Map<String, TaskDefinition> tasks;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final TaskRunner runner;
    private final ScheduledExecutorService ownTimer;

    TaskExecution(Map<String, TaskDefinition> tasks, ObjectMapper mapper, Clock clock, TaskRunner runner,
                  ScheduledExecutorService ownTimer) {
        this.tasks = Map.copyOf(tasks);
        this.mapper = mapper;
        this.clock = clock;
        this.runner = runner;
        this.ownTimer = ownTimer;
    }

    /**
     * Steps of their own, outside a worker, for the registered {@code tasks} with the worker's
     * {@code mapper}, {@code interceptors} and {@code clock}. {@link #close()} stops the threads of
     * time-limited runs.
     */
    public static TaskExecution standalone(Map<String, TaskDefinition> tasks, ObjectMapper mapper,
                                           Collection<TaskInterceptor> interceptors, Clock clock) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("warren-overdue-check").factory());
        return new TaskExecution(tasks, mapper, clock,
                new TaskRunner(List.copyOf(interceptors), new InFlight(), timer), timer);
    }

    /** The registered task types. */
    public Map<String, TaskDefinition> tasks() {
        return tasks;
    }

    /**
     * The definition of the message's type.
     *
     * @throws UnknownTaskTypeException naming the type and the types this worker runs
     */
    public TaskDefinition definition(TaskMessage message) throws UnknownTaskTypeException {
        TaskDefinition definition = tasks.get(message.type());
        if (definition == null) {
            throw new UnknownTaskTypeException("unknown task type '" + message.type() + "' (this worker runs "
                    + new TreeSet<>(tasks.keySet()) + ")");
        }
        return definition;
    }

    /**
     * Checks the message's age by its timestamp against its type's max age, now by the clock.
     *
     * @throws TaskExpiredException when it is older, with a reason starting {@code expired:}
     */
    public void checkAge(TaskDefinition definition, TaskMessage message) throws TaskExpiredException {
        Instant now = clock.instant();
        if (definition.options().expired(message.publishedAt(), now)) {
            throw new TaskExpiredException("expired: task " + message.id() + " (" + message.type() + ") was published"
                    + " at " + message.publishedAt() + ", " + Durations.format(Duration.between(message.publishedAt(), now))
                    + " ago, over its max age of " + Durations.format(definition.options().maxAge()));
        }
    }

    /**
     * Binds the JSON body to the type's payload class with the worker's mapper.
     *
     * @throws InvalidPayloadException when it does not fit, saying why
     */
    public Object bind(TaskDefinition definition, JsonNode payload) throws InvalidPayloadException {
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

    /** What the handler of {@code message} is told about its delivery from {@code queue}. */
    public static TaskContext context(TaskMessage message, String queue) {
        return new TaskContext(message.id(), message.type(), queue, message.attempt(), message.redelivered(),
                message.publishedAt(), message.headers());
    }

    /**
     * Runs the handler through the interceptors, within the type's time limit when it has one
     * (then on a virtual thread of its own, interrupted at the limit: {@link TaskTimeLimitExceeded}).
     * Blocks until the attempt ends.
     */
    public Object run(TaskDefinition definition, Object payload, TaskContext context) throws Exception {
        return runner.run(definition, payload, context);
    }

    /**
     * True when retrying cannot help: a malformed body, an unknown type, a payload that does not
     * bind, or a {@link PermanentTaskFailure} (which includes {@link TaskExpiredException}).
     * Everything else is retryable.
     */
    public static boolean isPermanent(Throwable failure) {
        return failure instanceof MalformedTaskException || failure instanceof UnknownTaskTypeException
                || failure instanceof InvalidPayloadException || failure instanceof PermanentTaskFailure;
    }

    /** The longest one run of {@code definition} can take, in-process retries included; null without a time limit. */
    Duration longestRun(TaskDefinition definition) {
        return runner.longestRun(definition);
    }

    /** Runs past their time limit whose handler has not returned yet. */
    int overdueRuns() {
        return runner.overdue();
    }

    /** Interrupts time-limited runs; for steps made by {@link #standalone}, stops their timer too. */
    @Override
    public void close() {
        runner.shutdown();
        if (ownTimer != null) {
            ownTimer.shutdownNow();
        }
    }
}
