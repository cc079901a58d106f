package dev.warren.core.task;

import dev.warren.core.config.Durations;
import dev.warren.core.config.InvalidSettingException;
import java.time.Duration;

/**
 * Per-type options given where a task type is registered.
 *
 * @param timeLimit how long one attempt may run before its thread is interrupted and the attempt
 *                  fails as retryable, or {@code null} for no limit. Must stay below the broker's
 *                  {@code consumer_timeout} (30 min by default), or the broker closes the channel first.
 */
public record TaskOptions(Duration timeLimit) {

    /** No time limit. */
    public static final TaskOptions DEFAULTS = new TaskOptions(null);

    public TaskOptions {
        if (timeLimit != null && !timeLimit.isPositive()) {
            throw new InvalidSettingException("task time limit must be > 0, was " + Durations.format(timeLimit));
        }
    }

    /** Options with a time limit per attempt. */
    public static TaskOptions timeLimit(Duration limit) {
        return new TaskOptions(limit);
    }
}
