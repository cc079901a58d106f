package dev.warren.test;

import dev.warren.core.spi.TaskOutcome;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The life of one task in {@link TaskHarness}: every attempt until it succeeded or was
 * dead-lettered. Immutable.
 *
 * @param <R> the result type of its {@code TaskType} ({@code JsonNode} for untyped tasks)
 */
public final class TaskRun<R> {

    private final String taskId;
    private final String taskType;
    private final List<Attempt> attempts;
    private final R result;

    TaskRun(String taskId, String taskType, List<Attempt> attempts, R result) {
        this.taskId = taskId;
        this.taskType = Objects.requireNonNull(taskType, "taskType");
        this.attempts = List.copyOf(attempts);
        this.result = result;
    }

    /** The task's id ({@code message_id}), as the handler saw it in {@code TaskContext.messageId()}. */
    public String taskId() {
        return taskId;
    }

    /** The task type, or {@code "unknown"} when the body had none that could be read. */
    public String taskType() {
        return taskType;
    }

    /** How it ended: {@link TaskOutcome#SUCCEEDED} or {@link TaskOutcome#DEAD_LETTERED}. */
    public TaskOutcome outcome() {
        return last().outcome();
    }

    /** True when its last attempt succeeded. */
    public boolean succeeded() {
        return outcome() == TaskOutcome.SUCCEEDED;
    }

    /** True when it went to the dead-letter queue. */
    public boolean deadLettered() {
        return outcome() == TaskOutcome.DEAD_LETTERED;
    }

    /**
     * The handler's result, after the JSON round trip a requester's result makes
     * ({@code null} for a {@code Void} type).
     *
     * @throws AssertionError if the task did not succeed, saying how it ended
     */
    public R result() {
        if (!succeeded()) {
            throw new AssertionError("expected task " + taskId + " (" + taskType + ") to succeed, but " + this);
        }
        return result;
    }

    /**
     * Why it was dead-lettered.
     *
     * @throws AssertionError if it succeeded
     */
    public DeadLetterReason deadLetterReason() {
        if (!deadLettered()) {
            throw new AssertionError("expected task " + taskId + " (" + taskType + ") to be dead-lettered, but " + this);
        }
        return last().deadLetter();
    }

    /** The reason the worker records for the last failure ({@code x-warren-error-message}), or {@code null}. */
    public String error() {
        return last().error();
    }

    /** What the last attempt threw, or {@code null} when it succeeded. */
    public Throwable failure() {
        return last().failure();
    }

    /** How many attempts it took, the last included. */
    public int attemptCount() {
        return attempts.size();
    }

    /** Every attempt, first to last. */
    public List<Attempt> attempts() {
        return attempts;
    }

    /** The delays the retry ladder put between the attempts, in order. */
    public List<Duration> retryDelays() {
        return attempts.stream().filter(a -> a.outcome() == TaskOutcome.RETRIED).map(Attempt::retryDelay).toList();
    }

    private Attempt last() {
        return attempts.get(attempts.size() - 1);
    }

    @Override
    public String toString() {
        Attempt last = last();
        return switch (last.outcome()) {
            case SUCCEEDED -> "succeeded on attempt " + last.number() + " after retries " + retryDelays();
            case DEAD_LETTERED -> "dead-lettered (" + last.deadLetter() + ") on attempt " + last.number() + ": "
                    + last.error();
            case RETRIED -> "retried on attempt " + last.number();
        };
    }
}
