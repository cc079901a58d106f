package dev.warren.core.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * Where a {@link FailurePolicy} sent a failed task, with what task events tell about it.
 *
 * @param outcome    {@link TaskOutcome#RETRIED} or {@link TaskOutcome#DEAD_LETTERED}
 * @param retryDelay how long a retried task waits before its next attempt; {@code null} when unknown or not retried
 * @param reason     why it was dead-lettered ({@code "attempt 5 of 5 failed"}, {@code "permanent failure"}), or
 *                   {@code null}
 */
public record FailureOutcome(TaskOutcome outcome, Duration retryDelay, String reason) {

    public FailureOutcome {
        Objects.requireNonNull(outcome, "outcome");
    }

    /** Retried after {@code delay}. */
    public static FailureOutcome retried(Duration delay) {
        return new FailureOutcome(TaskOutcome.RETRIED, delay, null);
    }

    /** Dead-lettered because {@code reason}. */
    public static FailureOutcome deadLettered(String reason) {
        return new FailureOutcome(TaskOutcome.DEAD_LETTERED, null, reason);
    }
}
