package dev.warren.core.consume;

import dev.warren.core.spi.TaskOutcome;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counts of finished tasks by type and outcome since the worker started. Thread-safe. */
public final class WorkerStats {

    private final Map<String, LongAdder> succeededByType = new ConcurrentHashMap<>();
    private final Map<TaskOutcome, LongAdder> byOutcome = new ConcurrentHashMap<>();
    private final LongAdder abandoned = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder resultsLost = new LongAdder();

    void record(String taskType, TaskOutcome outcome) {
        byOutcome.computeIfAbsent(outcome, o -> new LongAdder()).increment();
        if (outcome == TaskOutcome.SUCCEEDED) {
            succeededByType.computeIfAbsent(taskType, t -> new LongAdder()).increment();
        }
    }

    void recordAbandoned() {
        abandoned.increment();
    }

    void recordError() {
        errors.increment();
    }

    void recordResultLost() {
        resultsLost.increment();
    }

    /**
     * Runs that ended after their delivery went stale (channel closed, or connection lost and
     * recovered, while they ran): the broker redelivers those tasks, so these runs count no outcome.
     */
    public long abandoned() {
        return abandoned.sum();
    }

    /**
     * Exceptions outside handlers: a task listener threw, the failure policy could not move a
     * failed task on (it went back to the queue), or a delivery could not be dispatched.
     */
    public long errors() {
        return errors.sum();
    }

    /**
     * Answers to dead-lettered tasks ({@code reply_to}) the broker did not take after the task's
     * dead-letter copy was confirmed: the task was acknowledged anyway, and its requester hears nothing.
     */
    public long resultsLost() {
        return resultsLost.sum();
    }

    /** Tasks that ended with {@code outcome}. */
    public long count(TaskOutcome outcome) {
        LongAdder adder = byOutcome.get(outcome);
        return adder == null ? 0 : adder.sum();
    }

    /** Succeeded tasks by type, sorted by type. */
    public Map<String, Long> succeededByType() {
        Map<String, Long> result = new TreeMap<>();
        succeededByType.forEach((type, adder) -> result.put(type, adder.sum()));
        return result;
    }

    /** One line such as {@code "processed 152 tasks (echo=40, noop=112); retried 0, dead-lettered 3"}. */
    public String summary() {
        Map<String, Long> types = succeededByType();
        StringBuilder parts = new StringBuilder();
        types.forEach((type, n) -> parts.append(parts.isEmpty() ? "" : ", ").append(type).append('=').append(n));
        return "processed " + count(TaskOutcome.SUCCEEDED) + " tasks" + (types.isEmpty() ? "" : " (" + parts + ")")
                + "; retried " + count(TaskOutcome.RETRIED) + ", dead-lettered " + count(TaskOutcome.DEAD_LETTERED);
    }
}
