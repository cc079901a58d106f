package dev.warren.retry;

import dev.warren.core.config.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * What the retry ladder does with one failed attempt: retry it after {@link #delay()}, or
 * dead-letter it, and why. Made by {@link RetrySettings#decide}, a pure function that the
 * worker's failure policy and warren-test's harness both call, so they cannot decide differently.
 *
 * @param verdict     retry, or which reason to dead-letter
 * @param delay       how long the task waits in the retry queue; {@code null} unless {@link Verdict#RETRY}
 * @param attempt     the attempt that failed (1-based)
 * @param maxAttempts the attempts the task type has in all
 */
public record RetryDecision(Verdict verdict, Duration delay, int attempt, int maxAttempts) {

    /** Retry, or why not. */
    public enum Verdict {
        /** Retryable, with attempts left: to {@code <queue>.retry.<delay>}, attempt + 1. */
        RETRY,
        /** Classified permanent (malformed, unknown type, invalid payload, {@code PermanentTaskFailure}): to the DLQ. */
        PERMANENT,
        /** One of the type's or worker's non-retryable exceptions: to the DLQ. */
        NON_RETRYABLE,
        /** Retryable, but it was the last attempt: to the DLQ. */
        EXHAUSTED
    }

    public RetryDecision {
        Objects.requireNonNull(verdict, "verdict");
        if ((verdict == Verdict.RETRY) != (delay != null)) {
            throw new IllegalArgumentException("a retry needs a delay and only a retry has one, was " + verdict
                    + " with delay " + delay);
        }
    }

    /** True when the task is retried. */
    public boolean retries() {
        return verdict == Verdict.RETRY;
    }

    /**
     * Why, as the worker logs it: {@code "retrying in 10s"}, {@code "permanent failure"} (also for
     * a non-retryable exception) or {@code "attempt 5 of 5 failed"}.
     */
    public String why() {
        return switch (verdict) {
            case RETRY -> "retrying in " + Durations.format(delay);
            case PERMANENT, NON_RETRYABLE -> "permanent failure";
            case EXHAUSTED -> "attempt " + attempt + " of " + maxAttempts + " failed";
        };
    }
}
